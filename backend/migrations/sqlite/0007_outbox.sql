-- Outbound messages (webhooks to PORTAL_WEBHOOK_URL, SMS notices to PORTAL_SMS_URL), written in the transaction
-- of the change they report and delivered by a background worker with retries. `payload` is sealed: an SMS
-- notice holds a phone number.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('webhook', 'sms')),
    idempotency_key TEXT    NOT NULL UNIQUE,
    payload         BLOB    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;
