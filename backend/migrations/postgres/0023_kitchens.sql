-- 阳光餐饮 (互联网+明厨亮灶, #22 part 2): kitchens whose cameras a vendor's platform watches. Vendors send signed
-- batches of status (camera connected, uptime per day) and the events their AI flagged; a flag is public only
-- once staff confirmed it (属实), with what was done. `businesses.sunshine` marks the businesses in the programme so
-- the registry search can filter them.
CREATE TABLE kitchen_vendors (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- A key staff issue to a vendor's platform: the id travels in clear (X-Kitchen-Key), the secret is sealed (AEAD,
-- bound to the key id) because checking an HMAC needs it; it is shown once, when issued.
CREATE TABLE kitchen_keys (
    id            BIGSERIAL PRIMARY KEY,
    vendor_id     BIGINT NOT NULL REFERENCES kitchen_vendors (id),
    key_id        TEXT    NOT NULL UNIQUE,
    secret_sealed BYTEA    NOT NULL,
    issued_at     BIGINT NOT NULL,
    issued_by     TEXT    NOT NULL,
    revoked_at    BIGINT,
    revoked_by    TEXT
);
CREATE INDEX kitchen_keys_vendor ON kitchen_keys (vendor_id);

CREATE TABLE kitchens (
    id               BIGSERIAL PRIMARY KEY,
    business_id      BIGINT NOT NULL UNIQUE REFERENCES businesses (id),
    vendor_id        BIGINT NOT NULL REFERENCES kitchen_vendors (id),
    joined_at        BIGINT NOT NULL,
    camera_connected BIGINT NOT NULL DEFAULT 0,
    last_seen_at     BIGINT,
    -- The vendor's live view, shown only with the business's consent.
    live_url         TEXT,
    live_consent     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX kitchens_vendor ON kitchens (vendor_id);

-- Uptime of a kitchen's cameras over one China day, in permille; sent again, the day's value is replaced.
CREATE TABLE kitchen_uptime (
    id         BIGSERIAL PRIMARY KEY,
    kitchen_id BIGINT NOT NULL REFERENCES kitchens (id),
    day        BIGINT NOT NULL,
    permille   BIGINT NOT NULL CHECK (permille BETWEEN 0 AND 1000),
    UNIQUE (kitchen_id, day)
);

CREATE TABLE kitchen_batches (
    id          BIGSERIAL PRIMARY KEY,
    vendor_id   BIGINT NOT NULL REFERENCES kitchen_vendors (id),
    batch_id    TEXT    NOT NULL,
    body_hash   TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('api', 'csv', 'seed')),
    received_at BIGINT NOT NULL,
    receipt     TEXT    NOT NULL,
    UNIQUE (vendor_id, batch_id)
);

-- What a vendor's AI flagged: known by the vendor's own event id (sent again, it changes nothing). 待审核 until
-- staff review it: 属实 (public, with the action taken, maybe a credit event) or 不属实 (never public).
CREATE TABLE kitchen_flags (
    id              BIGSERIAL PRIMARY KEY,
    vendor_id       BIGINT NOT NULL REFERENCES kitchen_vendors (id),
    event_id        TEXT    NOT NULL,
    kitchen_id      BIGINT NOT NULL REFERENCES kitchens (id),
    business_id     BIGINT NOT NULL REFERENCES businesses (id),
    kind            TEXT    NOT NULL,
    detected_at     BIGINT NOT NULL,
    snapshot_url    TEXT,
    status          TEXT    NOT NULL DEFAULT '待审核' CHECK (status IN ('待审核', '属实', '不属实')),
    reviewed_by     TEXT,
    reviewed_at     BIGINT,
    action_taken    TEXT,
    credit_event_id BIGINT REFERENCES credit_events (id),
    batch_id        BIGINT NOT NULL REFERENCES kitchen_batches (id),
    UNIQUE (vendor_id, event_id)
);
CREATE INDEX kitchen_flags_business ON kitchen_flags (business_id, status, detected_at);
CREATE INDEX kitchen_flags_pending ON kitchen_flags (status, detected_at);

-- Console uploads of status CSV files, accepted or refused, with their per-row errors (JSON).
CREATE TABLE kitchen_uploads (
    id          BIGSERIAL PRIMARY KEY,
    vendor_id   BIGINT NOT NULL REFERENCES kitchen_vendors (id),
    uploaded_by TEXT    NOT NULL,
    uploaded_at BIGINT NOT NULL,
    row_count   BIGINT NOT NULL,
    accepted    BIGINT NOT NULL,
    receipt     TEXT,
    errors      TEXT    NOT NULL
);

ALTER TABLE businesses ADD COLUMN sunshine BIGINT NOT NULL DEFAULT 0;
CREATE INDEX businesses_sunshine ON businesses (sunshine) WHERE sunshine = 1;

-- PostgreSQL's trigger (0010) stamps every update of a business, joining the programme included.
