-- Foundation: staff accounts, sessions, login throttling, the append-only audit log, campaign figures.
CREATE TABLE staff (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('admin', 'moderator', 'viewer')),
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT   PRIMARY KEY,
    staff_id   BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE login_failures (
    id           BIGSERIAL PRIMARY KEY,
    username_key TEXT   NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (username_key, at);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor_id BIGINT,
    actor    TEXT   NOT NULL,
    action   TEXT   NOT NULL,
    target   TEXT,
    detail   TEXT,
    ip       TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE campaign_figures (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    businesses         BIGINT NOT NULL,
    pass_rate_bp       BIGINT NOT NULL,
    batches_sampled    BIGINT NOT NULL,
    cases_investigated BIGINT NOT NULL,
    volunteers         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
