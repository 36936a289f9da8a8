-- Outbound messages (webhooks to PORTAL_WEBHOOK_URL, SMS notices to PORTAL_SMS_URL), written in the transaction
-- of the change they report and delivered by a background worker with retries. `payload` is sealed: an SMS
-- notice holds a phone number.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT   NOT NULL CHECK (kind IN ('webhook', 'sms')),
    idempotency_key TEXT   NOT NULL UNIQUE,
    payload         BYTEA  NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    claimed_until   BIGINT,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;
