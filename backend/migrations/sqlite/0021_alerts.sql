-- 关注 by SMS and partner webhooks (#21).
--
-- follow_events: the journal of what followers are told, one row per public happening (its key is the feed entry's
-- key, so a row is written once however often its source is saved). Written in the transaction of the change; a
-- dispatcher takes each row once it is due (`due_at`: when it becomes public) and fans it out, in one transaction,
-- to the outbox (immediate SMS, partner webhooks) and to the digests, then marks it dispatched.
CREATE TABLE follow_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key      TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    business_code  TEXT    NOT NULL DEFAULT '',
    district       TEXT    NOT NULL DEFAULT '',
    district_only  TEXT    NOT NULL DEFAULT '',
    food_category  TEXT    NOT NULL DEFAULT '',
    round_id       TEXT    NOT NULL DEFAULT '',
    title          TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    due_at         INTEGER NOT NULL,
    claimed_until  INTEGER,
    dispatched_at  INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX follow_events_due ON follow_events (due_at) WHERE dispatched_at IS NULL;

-- SMS subscriptions: a phone follows one subject (kind + subject + the district filter, '' for none). The phone is
-- sealed to its row and looked up by a keyed hash; a subscription counts only once confirmed by code, and stops
-- for good when cancelled (a new one needs a new code).
CREATE TABLE follow_subscriptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind    TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    only_filter     TEXT    NOT NULL DEFAULT '',
    phone_hash      TEXT    NOT NULL,
    phone           BLOB    NOT NULL,
    mode            TEXT    NOT NULL,
    lang            TEXT    NOT NULL,
    code_hash       TEXT,
    code_expires_at INTEGER,
    code_sent_at    INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    confirmed_at    INTEGER,
    cancelled_at    INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (phone_hash, subject_kind, subject, only_filter)
);
CREATE INDEX follow_subscriptions_subject ON follow_subscriptions (subject_kind, subject)
    WHERE confirmed_at IS NOT NULL AND cancelled_at IS NULL;

-- What a digest subscriber (or an immediate one over the day's cap) is told in the evening's digest.
CREATE TABLE follow_digest (
    subscription_id INTEGER NOT NULL,
    event_id        INTEGER NOT NULL,
    digest_day      TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, event_id)
);
CREATE INDEX follow_digest_waiting ON follow_digest (subscription_id) WHERE digest_day IS NULL;

-- Partner webhooks: receivers admins register for event kinds, each with its own signing secret (sealed).
CREATE TABLE webhook_receivers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      BLOB    NOT NULL,
    events      TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

-- The outbox gains the new kinds, and for partner deliveries the receiver and the subject: a receiver gets one
-- subject's messages in order (a message waits while an earlier one of the same receiver and subject is undelivered).
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('webhook', 'sms', 'follow', 'digest', 'partner')),
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload         BLOB    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    receiver_id     INTEGER,
    subject_key     TEXT
);
INSERT INTO outbox_new (id, kind, idempotency_key, payload, attempts, next_at, claimed_until, last_error, delivered_at,
    created_at)
    SELECT id, kind, idempotency_key, payload, attempts, next_at, claimed_until, last_error, delivered_at, created_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_in_order ON outbox (receiver_id, subject_key, id) WHERE delivered_at IS NULL;

-- Every attempt to deliver a partner webhook or the case webhook: the delivery log staff read.
CREATE TABLE outbox_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id  INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    status     INTEGER,
    error      TEXT,
    millis     INTEGER NOT NULL
);
CREATE INDEX outbox_attempts_of ON outbox_attempts (outbox_id);
