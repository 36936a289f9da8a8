-- 你点我检 rounds, candidates, nominations, ballots; sampling results with their lab reports.
CREATE TABLE rounds (
    id            BIGSERIAL PRIMARY KEY,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    nominate_from BIGINT  NOT NULL,
    vote_from     BIGINT  NOT NULL,
    vote_until    BIGINT  NOT NULL,
    publish_at    BIGINT  NOT NULL,
    max_picks     BIGINT  NOT NULL CHECK (max_picks BETWEEN 1 AND 20),
    show_live     BIGINT  NOT NULL DEFAULT 1,
    voter_check   TEXT    NOT NULL CHECK (voter_check IN ('device', 'sms')),
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CHECK (nominate_from <= vote_from AND vote_from < vote_until AND vote_until <= publish_at)
);

CREATE TABLE candidates (
    id         BIGSERIAL PRIMARY KEY,
    round_id   BIGINT  NOT NULL REFERENCES rounds (id),
    food       TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL,
    UNIQUE (round_id, food)
);

-- voter_hash: HMAC of the nominator's identity, so they (and nobody else) see the outcome.
CREATE TABLE nominations (
    id              BIGSERIAL PRIMARY KEY,
    round_id        BIGINT  NOT NULL REFERENCES rounds (id),
    food            TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',
    voter_hash      TEXT    NOT NULL,
    ip_prefix       TEXT,
    status          TEXT    NOT NULL DEFAULT 'pending',
    candidate_id    BIGINT  REFERENCES candidates (id),
    decision_reason TEXT,
    created_at      BIGINT  NOT NULL,
    decided_at      BIGINT,
    decided_by      TEXT
);
CREATE INDEX nominations_round_voter ON nominations (round_id, voter_hash);
CREATE INDEX nominations_pending ON nominations (status, created_at);

-- One ballot per voter per round, whatever instance takes it. `revision` counts the voter's submissions.
CREATE TABLE ballots (
    id         BIGSERIAL PRIMARY KEY,
    round_id   BIGINT  NOT NULL REFERENCES rounds (id),
    voter_hash TEXT    NOT NULL,
    picks      TEXT    NOT NULL,
    revision   BIGINT  NOT NULL DEFAULT 1,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (round_id, voter_hash)
);

CREATE TABLE ballot_picks (
    ballot_id    BIGINT  NOT NULL REFERENCES ballots (id),
    round_id     BIGINT  NOT NULL,
    candidate_id BIGINT  NOT NULL REFERENCES candidates (id),
    PRIMARY KEY (ballot_id, candidate_id)
);
CREATE INDEX ballot_picks_tally ON ballot_picks (round_id, candidate_id);

-- Refused ballot submissions per round and reason, for the integrity report.
CREATE TABLE ballot_refusals (
    round_id BIGINT  NOT NULL REFERENCES rounds (id),
    reason   TEXT    NOT NULL,
    n        BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, reason)
);

-- One-time SMS codes (only hashes); one live code per phone per round.
CREATE TABLE sms_codes (
    round_id   BIGINT  NOT NULL REFERENCES rounds (id),
    phone_hash TEXT    NOT NULL,
    code_hash  TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    attempts   BIGINT  NOT NULL DEFAULT 0,
    used_at    BIGINT,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (round_id, phone_hash)
);

CREATE TABLE sampling_batches (
    id            BIGSERIAL PRIMARY KEY,
    round_id      BIGINT  REFERENCES rounds (id),
    candidate_id  BIGINT  REFERENCES candidates (id),
    food          TEXT    NOT NULL,
    food_category TEXT    NOT NULL,
    place         TEXT    NOT NULL CHECK (place IN ('market', 'supermarket', 'restaurant', 'online')),
    business_id   BIGINT  REFERENCES businesses (id),
    business_name TEXT    NOT NULL,
    district      TEXT    NOT NULL,
    sampled_at    BIGINT  NOT NULL,
    items         TEXT    NOT NULL,
    passed        BIGINT  NOT NULL,
    failures      TEXT    NOT NULL DEFAULT '[]',
    report       BYTEA,
    report_sha256 TEXT,
    published_at  BIGINT  NOT NULL,
    published_by  TEXT    NOT NULL
);
CREATE INDEX sampling_published ON sampling_batches (published_at);
CREATE INDEX sampling_round ON sampling_batches (round_id);
CREATE INDEX sampling_business ON sampling_batches (business_id);
CREATE INDEX sampling_district ON sampling_batches (district, published_at);
