-- 你点我检 rounds, candidates, nominations, ballots; sampling results with their lab reports.
CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    nominate_from INTEGER NOT NULL,
    vote_from     INTEGER NOT NULL,
    vote_until    INTEGER NOT NULL,
    publish_at    INTEGER NOT NULL,
    max_picks     INTEGER NOT NULL CHECK (max_picks BETWEEN 1 AND 20),
    show_live     INTEGER NOT NULL DEFAULT 1,
    voter_check   TEXT    NOT NULL CHECK (voter_check IN ('device', 'sms')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (nominate_from <= vote_from AND vote_from < vote_until AND vote_until <= publish_at)
);

CREATE TABLE candidates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER NOT NULL REFERENCES rounds (id),
    food       TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (round_id, food)
);

-- voter_hash: HMAC of the nominator's identity, so they (and nobody else) see the outcome.
CREATE TABLE nominations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        INTEGER NOT NULL REFERENCES rounds (id),
    food            TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',
    voter_hash      TEXT    NOT NULL,
    ip_prefix       TEXT,
    status          TEXT    NOT NULL DEFAULT 'pending',
    candidate_id    INTEGER REFERENCES candidates (id),
    decision_reason TEXT,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT
);
CREATE INDEX nominations_round_voter ON nominations (round_id, voter_hash);
CREATE INDEX nominations_pending ON nominations (status, created_at);

-- One ballot per voter per round, whatever instance takes it. `revision` counts the voter's submissions.
CREATE TABLE ballots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER NOT NULL REFERENCES rounds (id),
    voter_hash TEXT    NOT NULL,
    picks      TEXT    NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (round_id, voter_hash)
);

CREATE TABLE ballot_picks (
    ballot_id    INTEGER NOT NULL REFERENCES ballots (id),
    round_id     INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    PRIMARY KEY (ballot_id, candidate_id)
);
CREATE INDEX ballot_picks_tally ON ballot_picks (round_id, candidate_id);

-- Refused ballot submissions per round and reason, for the integrity report.
CREATE TABLE ballot_refusals (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    reason   TEXT    NOT NULL,
    n        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, reason)
);

-- One-time SMS codes (only hashes); one live code per phone per round.
CREATE TABLE sms_codes (
    round_id   INTEGER NOT NULL REFERENCES rounds (id),
    phone_hash TEXT    NOT NULL,
    code_hash  TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (round_id, phone_hash)
);

CREATE TABLE sampling_batches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER REFERENCES rounds (id),
    candidate_id  INTEGER REFERENCES candidates (id),
    food          TEXT    NOT NULL,
    food_category TEXT    NOT NULL,
    place         TEXT    NOT NULL CHECK (place IN ('market', 'supermarket', 'restaurant', 'online')),
    business_id   INTEGER REFERENCES businesses (id),
    business_name TEXT    NOT NULL,
    district      TEXT    NOT NULL,
    sampled_at    INTEGER NOT NULL,
    items         TEXT    NOT NULL,
    passed        INTEGER NOT NULL,
    failures      TEXT    NOT NULL DEFAULT '[]',
    report        BLOB,
    report_sha256 TEXT,
    published_at  INTEGER NOT NULL,
    published_by  TEXT    NOT NULL
);
CREATE INDEX sampling_published ON sampling_batches (published_at);
CREATE INDEX sampling_round ON sampling_batches (round_id);
CREATE INDEX sampling_business ON sampling_batches (business_id);
CREATE INDEX sampling_district ON sampling_batches (district, published_at);
