-- 一码通 (#22): markets, their stalls (each with its own printable code, operated by a registry business), the
-- rapid tests (快检) and 承诺达标合格证 market systems send in signed batches, the keys they sign with, and the
-- batches received (one row per batch id: a batch sent again is answered from here and changes nothing).
CREATE TABLE markets (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    district   TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

-- A key staff issue to a market's system: the id travels in clear (X-Market-Key), the secret is sealed (AEAD,
-- bound to the key id) because checking an HMAC needs it; it is shown once, when issued.
CREATE TABLE market_keys (
    id            BIGSERIAL PRIMARY KEY,
    market_id     BIGINT  NOT NULL REFERENCES markets (id),
    key_id        TEXT    NOT NULL UNIQUE,
    secret_sealed BYTEA   NOT NULL,
    issued_at     BIGINT  NOT NULL,
    issued_by     TEXT    NOT NULL,
    revoked_at    BIGINT,
    revoked_by    TEXT
);
CREATE INDEX market_keys_market ON market_keys (market_id);

CREATE TABLE stalls (
    id          BIGSERIAL PRIMARY KEY,
    market_id   BIGINT  NOT NULL REFERENCES markets (id),
    code        TEXT    NOT NULL UNIQUE,
    number      TEXT    NOT NULL,
    business_id BIGINT  NOT NULL REFERENCES businesses (id),
    goods       TEXT    NOT NULL,
    -- The last failing rapid test's time: the stall is flagged for 30 days after it.
    flagged_at  BIGINT,
    created_at  BIGINT  NOT NULL,
    UNIQUE (market_id, number)
);
CREATE INDEX stalls_business ON stalls (business_id);

CREATE TABLE market_batches (
    id          BIGSERIAL PRIMARY KEY,
    market_id   BIGINT  NOT NULL REFERENCES markets (id),
    batch_id    TEXT    NOT NULL,
    body_hash   TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('api', 'csv', 'seed')),
    received_at BIGINT  NOT NULL,
    receipt     TEXT    NOT NULL,
    UNIQUE (market_id, batch_id)
);

CREATE TABLE rapid_tests (
    id        BIGSERIAL PRIMARY KEY,
    market_id BIGINT  NOT NULL REFERENCES markets (id),
    stall_id  BIGINT  NOT NULL REFERENCES stalls (id),
    test_no   TEXT    NOT NULL,
    sample    TEXT    NOT NULL,
    item      TEXT    NOT NULL,
    method    TEXT    NOT NULL,
    result    TEXT    NOT NULL CHECK (result IN ('合格', '不合格')),
    tested_at BIGINT  NOT NULL,
    tester    TEXT    NOT NULL,
    batch_id  BIGINT  NOT NULL REFERENCES market_batches (id),
    -- The case staff opened from a failing test.
    case_no   TEXT,
    UNIQUE (market_id, test_no)
);
CREATE INDEX rapid_tests_stall ON rapid_tests (stall_id, tested_at);
CREATE INDEX rapid_tests_market ON rapid_tests (market_id, tested_at);
CREATE INDEX rapid_tests_failing ON rapid_tests (market_id, tested_at) WHERE result = '不合格';

CREATE TABLE certificates (
    id               BIGSERIAL PRIMARY KEY,
    stall_id         BIGINT  NOT NULL REFERENCES stalls (id),
    cert_no          TEXT    NOT NULL,
    product          TEXT    NOT NULL,
    quantity         TEXT    NOT NULL,
    origin           TEXT    NOT NULL,
    producer         TEXT    NOT NULL,
    producer_contact TEXT    NOT NULL,
    issued_on        BIGINT  NOT NULL,
    commitments      TEXT    NOT NULL,
    basis            TEXT    NOT NULL,
    batch_id         BIGINT  NOT NULL REFERENCES market_batches (id),
    UNIQUE (stall_id, cert_no)
);
CREATE INDEX certificates_no ON certificates (cert_no);
CREATE INDEX certificates_stall ON certificates (stall_id, issued_on);

-- Console uploads of CSV files, accepted or refused, with their per-row errors (JSON), for the upload's page.
CREATE TABLE market_uploads (
    id          BIGSERIAL PRIMARY KEY,
    market_id   BIGINT  NOT NULL REFERENCES markets (id),
    kind        TEXT    NOT NULL,
    uploaded_by TEXT    NOT NULL,
    uploaded_at BIGINT  NOT NULL,
    row_count   BIGINT  NOT NULL,
    accepted    BIGINT  NOT NULL,
    receipt     TEXT,
    errors      TEXT    NOT NULL
);
CREATE INDEX market_uploads_market ON market_uploads (market_id, id);
