-- The business registry, credit events, grade history, the deduction rules (data), replies.
CREATE TABLE businesses (
    id                BIGSERIAL PRIMARY KEY,
    credit_code       TEXT   NOT NULL UNIQUE,
    licence_no        TEXT   UNIQUE,
    name              TEXT   NOT NULL,
    address           TEXT   NOT NULL,
    district          TEXT   NOT NULL,
    category          TEXT   NOT NULL,
    status            TEXT   NOT NULL DEFAULT '在营',
    score             BIGINT NOT NULL DEFAULT 100,
    grade             TEXT   NOT NULL DEFAULT 'A',
    watch_list        BIGINT NOT NULL DEFAULT 0,
    dynamic_grade     TEXT,
    last_inspected_at BIGINT,
    search_tokens     TEXT   NOT NULL DEFAULT '',
    search_tsv        TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX businesses_name ON businesses (name COLLATE "C");
CREATE INDEX businesses_district_grade ON businesses (district, grade);
CREATE INDEX businesses_category_grade ON businesses (category, grade);
CREATE INDEX businesses_grade ON businesses (grade);
CREATE INDEX businesses_watch ON businesses (watch_list) WHERE watch_list = 1;
-- Bigram index (see domain::credit::bigrams): any substring of 2+ characters is a phrase of bigram tokens.
CREATE INDEX businesses_search ON businesses USING GIN (search_tsv);

CREATE TABLE credit_events (
    id          BIGSERIAL PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses (id),
    kind        TEXT   NOT NULL,
    severity    TEXT   NOT NULL,
    occurred_at BIGINT NOT NULL,
    source      TEXT   NOT NULL,
    description TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT   NOT NULL
);
CREATE INDEX credit_events_business ON credit_events (business_id, occurred_at);

-- Never overwritten: one row per change of grade or score.
CREATE TABLE grade_history (
    id          BIGSERIAL PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses (id),
    at          BIGINT NOT NULL,
    score       BIGINT NOT NULL,
    grade       TEXT   NOT NULL,
    watch_list  BIGINT NOT NULL,
    reason      TEXT   NOT NULL
);
CREATE INDEX grade_history_business ON grade_history (business_id, at);

CREATE TABLE credit_rules (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    rules      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
