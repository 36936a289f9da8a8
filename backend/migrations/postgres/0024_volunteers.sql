-- 食安志愿者 (#22): the corps. A sign-up names its group and district; the phone is sealed (AEAD, bound to the
-- row) and found by a keyed hash, unique, so one phone signs up once (a second sign-up is a 409 naming `phone`).
-- The sign-in code is shown once and kept as a keyed hash; the SMS code (where a gateway is configured) likewise,
-- with its expiry and the tries spent on it. Staff decide: 待审核 → 已通过 | 已拒绝, 已通过 → 已停用.
CREATE TABLE volunteers (
    id              BIGSERIAL PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE,
    grp             TEXT    NOT NULL,
    district        TEXT    NOT NULL,
    phone_hash      TEXT    NOT NULL UNIQUE,
    phone_sealed    BYTEA   NOT NULL,
    secret_hash     TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    verified_at     BIGINT,
    code_hash       TEXT,
    code_expires_at BIGINT,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    decided_by      TEXT,
    decided_at      BIGINT
);
CREATE INDEX volunteers_state ON volunteers (state, grp, district);

-- A case a volunteer filed names them (channel 'volunteer'); points are counted from these cases' outcomes.
ALTER TABLE cases ADD COLUMN volunteer_id BIGINT REFERENCES volunteers (id);
CREATE INDEX cases_volunteer ON cases (volunteer_id);
