-- The contact a business leaves with its reply is personal data: sealed (AEAD) like a reporter's, with a keyed
-- hash for the per-contact caps. Rows from before are sealed at start-up (the key is not known to SQL); `contact`
-- is then left empty.
ALTER TABLE business_replies ADD COLUMN contact_hash TEXT;
ALTER TABLE business_replies ADD COLUMN contact_sealed BYTEA;
CREATE INDEX business_replies_contact_hash ON business_replies (contact_hash, status);
