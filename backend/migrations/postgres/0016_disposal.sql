-- 核查处置 (issue 20): the dated steps staff record about a failing sampling batch, each kind once per batch
-- (the order and the deadlines are domain rules: domain::sampling::disposal). Quantities are thousandths
-- (three decimals kept exactly). A 消费提示 (consumer alert) article may name the batch it is about.
CREATE TABLE disposal_steps (
    id             BIGSERIAL PRIMARY KEY,
    batch_id       BIGINT  NOT NULL REFERENCES sampling_batches (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('check', 'control', 'retest', 'case_filed', 'penalty', 'recheck')),
    done_at        BIGINT  NOT NULL,
    removed_milli  BIGINT,
    recalled_milli BIGINT,
    unit           TEXT,
    retest_result  TEXT,
    decision_no    TEXT,
    measures       TEXT,
    note           TEXT    NOT NULL DEFAULT '',
    actor          TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    UNIQUE (batch_id, kind)
);

ALTER TABLE news_articles ADD COLUMN batch_id BIGINT REFERENCES sampling_batches (id);
CREATE INDEX news_batch ON news_articles (batch_id);
