-- 阳光餐饮 (互联网+明厨亮灶, #22 part 2): kitchens whose cameras a vendor's platform watches. Vendors send signed
-- batches of status (camera connected, uptime per day) and the events their AI flagged; a flag is public only
-- once staff confirmed it (属实), with what was done. `businesses.sunshine` marks the businesses in the programme so
-- the registry search can filter them.
CREATE TABLE kitchen_vendors (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- A key staff issue to a vendor's platform: the id travels in clear (X-Kitchen-Key), the secret is sealed (AEAD,
-- bound to the key id) because checking an HMAC needs it; it is shown once, when issued.
CREATE TABLE kitchen_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id     INTEGER NOT NULL REFERENCES kitchen_vendors (id),
    key_id        TEXT    NOT NULL UNIQUE,
    secret_sealed BLOB    NOT NULL,
    issued_at     INTEGER NOT NULL,
    issued_by     TEXT    NOT NULL,
    revoked_at    INTEGER,
    revoked_by    TEXT
);
CREATE INDEX kitchen_keys_vendor ON kitchen_keys (vendor_id);

CREATE TABLE kitchens (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id      INTEGER NOT NULL UNIQUE REFERENCES businesses (id),
    vendor_id        INTEGER NOT NULL REFERENCES kitchen_vendors (id),
    joined_at        INTEGER NOT NULL,
    camera_connected INTEGER NOT NULL DEFAULT 0,
    last_seen_at     INTEGER,
    -- The vendor's live view, shown only with the business's consent.
    live_url         TEXT,
    live_consent     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX kitchens_vendor ON kitchens (vendor_id);

-- Uptime of a kitchen's cameras over one China day, in permille; sent again, the day's value is replaced.
CREATE TABLE kitchen_uptime (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kitchen_id INTEGER NOT NULL REFERENCES kitchens (id),
    day        INTEGER NOT NULL,
    permille   INTEGER NOT NULL CHECK (permille BETWEEN 0 AND 1000),
    UNIQUE (kitchen_id, day)
);

CREATE TABLE kitchen_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id   INTEGER NOT NULL REFERENCES kitchen_vendors (id),
    batch_id    TEXT    NOT NULL,
    body_hash   TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('api', 'csv', 'seed')),
    received_at INTEGER NOT NULL,
    receipt     TEXT    NOT NULL,
    UNIQUE (vendor_id, batch_id)
);

-- What a vendor's AI flagged: known by the vendor's own event id (sent again, it changes nothing). 待审核 until
-- staff review it: 属实 (public, with the action taken, maybe a credit event) or 不属实 (never public).
CREATE TABLE kitchen_flags (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id       INTEGER NOT NULL REFERENCES kitchen_vendors (id),
    event_id        TEXT    NOT NULL,
    kitchen_id      INTEGER NOT NULL REFERENCES kitchens (id),
    business_id     INTEGER NOT NULL REFERENCES businesses (id),
    kind            TEXT    NOT NULL,
    detected_at     INTEGER NOT NULL,
    snapshot_url    TEXT,
    status          TEXT    NOT NULL DEFAULT '待审核' CHECK (status IN ('待审核', '属实', '不属实')),
    reviewed_by     TEXT,
    reviewed_at     INTEGER,
    action_taken    TEXT,
    credit_event_id INTEGER REFERENCES credit_events (id),
    batch_id        INTEGER NOT NULL REFERENCES kitchen_batches (id),
    UNIQUE (vendor_id, event_id)
);
CREATE INDEX kitchen_flags_business ON kitchen_flags (business_id, status, detected_at);
CREATE INDEX kitchen_flags_pending ON kitchen_flags (status, detected_at);

-- Console uploads of status CSV files, accepted or refused, with their per-row errors (JSON).
CREATE TABLE kitchen_uploads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id   INTEGER NOT NULL REFERENCES kitchen_vendors (id),
    uploaded_by TEXT    NOT NULL,
    uploaded_at INTEGER NOT NULL,
    row_count   INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    receipt     TEXT,
    errors      TEXT    NOT NULL
);

ALTER TABLE businesses ADD COLUMN sunshine INTEGER NOT NULL DEFAULT 0;
CREATE INDEX businesses_sunshine ON businesses (sunshine) WHERE sunshine = 1;

-- Joining or leaving the programme must stamp the business, or the in-memory search index keeps its old flag.
DROP TRIGGER businesses_changed_update;
CREATE TRIGGER businesses_changed_update AFTER UPDATE OF credit_code, licence_no, name, address, district, category,
    status, score, grade, watch_list, dynamic_grade, last_inspected_at, rating_date, pending_grade, lat, lng, sunshine
    ON businesses BEGIN
    UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = new.id;
END;
