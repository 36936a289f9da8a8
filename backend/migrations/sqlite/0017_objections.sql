-- Objections, credit repair and re-inspection requests (异议 · 信用修复 · 申请复查), and the pending downgrade.
--
-- The public grade (score, grade, watch_list) is the one in force. When a new event would lower it, the lower
-- grade waits in pending_* until pending_until (the end of the event's objection window), or until the business
-- waives its objection, or an objection is decided; rating_date is when the grade in force took effect.
ALTER TABLE businesses ADD COLUMN rating_date INTEGER;
ALTER TABLE businesses ADD COLUMN pending_score INTEGER;
ALTER TABLE businesses ADD COLUMN pending_grade TEXT;
ALTER TABLE businesses ADD COLUMN pending_watch INTEGER;
ALTER TABLE businesses ADD COLUMN pending_until INTEGER;
CREATE INDEX businesses_pending ON businesses (pending_until) WHERE pending_grade IS NOT NULL;
UPDATE businesses SET rating_date = COALESCE((SELECT MAX(h.at) FROM grade_history h WHERE h.business_id = businesses.id),
    created_at);

-- An upheld objection or credit repair annuls its event: kept on the record, no longer counted.
ALTER TABLE credit_events ADD COLUMN annulled_at INTEGER;
ALTER TABLE credit_events ADD COLUMN annulled_by TEXT;

CREATE TABLE objections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id    INTEGER NOT NULL REFERENCES businesses (id),
    -- Required for an objection and a credit repair; none for a re-inspection request.
    event_id       INTEGER REFERENCES credit_events (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('objection', 'repair', 'reinspection')),
    statement      TEXT    NOT NULL,
    -- The contact is personal data: a keyed hash (caps) and the sealed text (staff), as for replies.
    contact_hash   TEXT    NOT NULL,
    contact_sealed BLOB    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'rejected')),
    filed_at       INTEGER NOT NULL,
    -- The decision deadline (end of its last working day).
    due_at         INTEGER NOT NULL,
    decided_at     INTEGER,
    decided_by     TEXT,
    reasons        TEXT,
    ip_prefix      TEXT
);
CREATE INDEX objections_state ON objections (state, due_at);
CREATE INDEX objections_business ON objections (business_id, state);
-- One open request per event, on every instance.
CREATE UNIQUE INDEX objections_one_open ON objections (event_id) WHERE state = 'open';

-- Every instance's search index re-reads the rows whose stamp moved (migration 0010); the pending grade and the
-- rating date are shown in search results, so their changes stamp the row too. (PostgreSQL's trigger stamps every
-- update already.)
DROP TRIGGER businesses_changed_update;
CREATE TRIGGER businesses_changed_update AFTER UPDATE OF credit_code, licence_no, name, address, district, category,
    status, score, grade, watch_list, dynamic_grade, last_inspected_at, rating_date, pending_grade ON businesses BEGIN
    UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = new.id;
END;

-- With an SMS gateway configured, the contact's phone is verified by a one-time code before a request is filed:
-- six digits, ten minutes, single use, five attempts; only keyed hashes are stored, and neither is ever logged.
CREATE TABLE objection_codes (
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    phone_hash  TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (business_id, phone_hash)
);
