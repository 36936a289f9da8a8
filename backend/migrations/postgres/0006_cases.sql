-- 投诉 / 举报: cases with their photos (in the database, with the case), events, and the holiday calendar.
CREATE TABLE cases (
    id              BIGSERIAL PRIMARY KEY,
    tracking_no     TEXT    NOT NULL UNIQUE,
    -- Keyed hash of the access code; the code itself sealed, only so a repeated submission can answer it again.
    access_hash     TEXT    NOT NULL,
    access_sealed   BYTEA   NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('complaint', 'report')),
    channel         TEXT    NOT NULL,
    business_id     BIGINT  REFERENCES businesses (id),
    business_name   TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    occurred_at     BIGINT,
    place           TEXT    NOT NULL DEFAULT '',
    -- The reporter's name and phone, sealed (NULL: anonymous); a keyed hash of the phone for the first-reporter rule.
    reporter_sealed BYTEA,
    phone_hash      TEXT,
    state           TEXT    NOT NULL,
    state_since     BIGINT  NOT NULL,
    reject_reason   TEXT,
    duplicate_of    BIGINT  REFERENCES cases (id),
    assigned_to     TEXT,
    idempotency_key TEXT    UNIQUE,
    reward_status   TEXT,
    reward_level    TEXT,
    base_amount     BIGINT,
    reward_amount   BIGINT,
    claim_by        BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX cases_state ON cases (state, state_since);
CREATE INDEX cases_business ON cases (business_id, state);

-- The original as received (staff only, with its SHA-256) and the copy ever shown: re-encoded, no metadata.
CREATE TABLE case_photos (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id),
    original   BYTEA   NOT NULL,
    media_type TEXT    NOT NULL,
    shown   BYTEA   NOT NULL,
    width      BIGINT  NOT NULL,
    height     BIGINT  NOT NULL,
    sha256     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id);

CREATE TABLE case_events (
    id      BIGSERIAL PRIMARY KEY,
    case_id BIGINT  NOT NULL REFERENCES cases (id),
    at      BIGINT  NOT NULL,
    state   TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    note    TEXT    NOT NULL DEFAULT '',
    message TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, at);

-- Days (UTC+8 day numbers) that differ from the weekly rule: public holidays off, adjusted weekend days worked.
CREATE TABLE holidays (
    day  BIGINT  PRIMARY KEY,
    kind TEXT    NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT    NOT NULL DEFAULT ''
);

-- Short-lived sealed drafts: what a resident typed into a form that failed (so the page without JavaScript can
-- fill it in again), and a receipt waiting to be shown. Swept when expired.
CREATE TABLE case_drafts (
    id         TEXT   PRIMARY KEY,
    sealed     BYTEA  NOT NULL,
    expires_at BIGINT NOT NULL
);
