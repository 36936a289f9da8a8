-- Per-network (and per-phone, city-wide …) abuse bounds shared by every instance: one fixed-window counter per
-- (scope, key, window length, window start), incremented atomically by an upsert that refuses past the limit
-- (backend::abuse). Old windows are swept.
CREATE TABLE abuse_counters (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    window_secs BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (scope, key, window_secs, window_start)
);
CREATE INDEX abuse_counters_start ON abuse_counters (window_start);

-- Idempotency keys are now stored as keyed hashes of (client network, key), beside a hash of the content they
-- filed: a replay answers its receipt, other content a 409 (backend::cases::intake).
ALTER TABLE cases ADD COLUMN idempotency_content TEXT;
