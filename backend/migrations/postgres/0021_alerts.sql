-- 关注 by SMS and partner webhooks (#21).
--
-- follow_events: the journal of what followers are told, one row per public happening (its key is the feed entry's
-- key, so a row is written once however often its source is saved). Written in the transaction of the change; a
-- dispatcher takes each row once it is due (`due_at`: when it becomes public) and fans it out, in one transaction,
-- to the outbox (immediate SMS, partner webhooks) and to the digests, then marks it dispatched.
CREATE TABLE follow_events (
    id             BIGSERIAL PRIMARY KEY,
    event_key      TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    business_code  TEXT    NOT NULL DEFAULT '',
    district       TEXT    NOT NULL DEFAULT '',
    district_only  TEXT    NOT NULL DEFAULT '',
    food_category  TEXT    NOT NULL DEFAULT '',
    round_id       TEXT    NOT NULL DEFAULT '',
    title          TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    due_at         BIGINT NOT NULL,
    claimed_until  BIGINT,
    dispatched_at  BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX follow_events_due ON follow_events (due_at) WHERE dispatched_at IS NULL;

-- SMS subscriptions: a phone follows one subject (kind + subject + the district filter, '' for none). The phone is
-- sealed to its row and looked up by a keyed hash; a subscription counts only once confirmed by code, and stops
-- for good when cancelled (a new one needs a new code).
CREATE TABLE follow_subscriptions (
    id              BIGSERIAL PRIMARY KEY,
    subject_kind    TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    only_filter     TEXT    NOT NULL DEFAULT '',
    phone_hash      TEXT    NOT NULL,
    phone           BYTEA    NOT NULL,
    mode            TEXT    NOT NULL,
    lang            TEXT    NOT NULL,
    code_hash       TEXT,
    code_expires_at BIGINT,
    code_sent_at    BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    confirmed_at    BIGINT,
    cancelled_at    BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (phone_hash, subject_kind, subject, only_filter)
);
CREATE INDEX follow_subscriptions_subject ON follow_subscriptions (subject_kind, subject)
    WHERE confirmed_at IS NOT NULL AND cancelled_at IS NULL;

-- What a digest subscriber (or an immediate one over the day's cap) is told in the evening's digest.
CREATE TABLE follow_digest (
    subscription_id BIGINT NOT NULL,
    event_id        BIGINT NOT NULL,
    digest_day      TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, event_id)
);
CREATE INDEX follow_digest_waiting ON follow_digest (subscription_id) WHERE digest_day IS NULL;

-- Partner webhooks: receivers admins register for event kinds, each with its own signing secret (sealed).
CREATE TABLE webhook_receivers (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      BYTEA    NOT NULL,
    events      TEXT    NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

-- The outbox gains the new kinds, and for partner deliveries the receiver and the subject: a receiver gets one
-- subject's messages in order (a message waits while an earlier one of the same receiver and subject is undelivered).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('webhook', 'sms', 'follow', 'digest', 'partner'));
ALTER TABLE outbox ADD COLUMN receiver_id BIGINT;
ALTER TABLE outbox ADD COLUMN subject_key TEXT;
CREATE INDEX outbox_in_order ON outbox (receiver_id, subject_key, id) WHERE delivered_at IS NULL;

-- Every attempt to deliver a partner webhook or the case webhook: the delivery log staff read.
CREATE TABLE outbox_attempts (
    id         BIGSERIAL PRIMARY KEY,
    outbox_id  BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    status     BIGINT,
    error      TEXT,
    millis     BIGINT NOT NULL
);
CREATE INDEX outbox_attempts_of ON outbox_attempts (outbox_id);
