-- Where a reply came from (IPv4 /24, IPv6 /48), so staff see floods and impersonation, and caps can apply.
ALTER TABLE business_replies ADD COLUMN ip_prefix TEXT;
CREATE INDEX business_replies_contact ON business_replies (contact, status);
CREATE INDEX business_replies_prefix ON business_replies (ip_prefix, created_at);

-- Console imports run as background jobs; their progress and report live here so any instance can show them.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_by  TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    errors      TEXT,
    failure     TEXT
);

-- Sessions also end after an idle period.
ALTER TABLE staff_sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
