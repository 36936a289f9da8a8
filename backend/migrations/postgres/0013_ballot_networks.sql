-- What the integrity report needs to show how concentrated a round's ballots are, without storing who voted:
-- a keyed hash of the network (IPv4 /24, IPv6 /64) a ballot first came from, hashed per round so networks cannot
-- be linked across rounds, and when the device token that cast it was issued (NULL for phone voters and for
-- tokens issued before tokens carried the time).
ALTER TABLE ballots ADD COLUMN network_hash TEXT;
ALTER TABLE ballots ADD COLUMN device_minted_at BIGINT;
CREATE INDEX ballots_network ON ballots (round_id, network_hash);

-- SMS voting codes sent per China calendar day (`YYYY-MM-DD`): `subject` is 'city' for the city-wide budget
-- (`PORTAL_SMS_DAILY_BUDGET`, shown on the staff console) or the keyed hash of a phone for its daily cap. Counted
-- in the transaction that replaces the phone's code, so a refused request spends nothing. Days older than a week
-- are deleted by the first code of a day.
CREATE TABLE sms_sent (
    day     TEXT   NOT NULL,
    subject TEXT   NOT NULL,
    sent    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, subject)
);
