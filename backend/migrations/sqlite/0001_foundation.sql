-- Foundation: staff accounts, sessions, login throttling, the append-only audit log, campaign figures.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'moderator', 'viewer')),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    username_key TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (username_key, at);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor_id INTEGER,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT,
    detail   TEXT,
    ip       TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE campaign_figures (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    businesses         INTEGER NOT NULL,
    pass_rate_bp       INTEGER NOT NULL,
    batches_sampled    INTEGER NOT NULL,
    cases_investigated INTEGER NOT NULL,
    volunteers         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
