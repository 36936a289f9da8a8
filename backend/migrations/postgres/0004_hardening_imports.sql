-- Where a reply came from (IPv4 /24, IPv6 /48), so staff see floods and impersonation, and caps can apply.
ALTER TABLE business_replies ADD COLUMN ip_prefix TEXT;
CREATE INDEX business_replies_contact ON business_replies (contact, status);
CREATE INDEX business_replies_prefix ON business_replies (ip_prefix, created_at);

-- Console imports run as background jobs; their progress and report live here so any instance can show them.
CREATE TABLE import_jobs (
    id          BIGSERIAL PRIMARY KEY,
    started_by  TEXT    NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    unchanged   BIGINT NOT NULL,
    errors      TEXT,
    failure     TEXT
);

-- Row triggers do not see TRUNCATE, and privileges do not bind the table's owner: refuse it by trigger too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Sessions also end after an idle period.
ALTER TABLE staff_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
