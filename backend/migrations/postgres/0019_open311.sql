-- Open311 GeoReport v2 (#21): partner apps file cases with an API key that admins issue. Only a keyed hash of the
-- key is stored (shown once when issued); a revoked key stays on record. Quotas per key: NULL = the configured
-- default (PORTAL_OPEN311_QUOTA). A case filed by a partner names it (channel 'partner') and may carry the
-- coordinates it was filed with.
CREATE TABLE partners (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    key_hash   TEXT   NOT NULL UNIQUE,
    per_min    BIGINT,
    per_day    BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT   NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT
);

ALTER TABLE cases ADD COLUMN partner_id BIGINT REFERENCES partners (id);
ALTER TABLE cases ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN lng DOUBLE PRECISION;
CREATE INDEX cases_partner ON cases (partner_id, created_at) WHERE partner_id IS NOT NULL;
