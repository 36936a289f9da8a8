-- Schema parity (found by the test that compares the two migration sets): PostgreSQL indexes the search index's
-- change stamps as (changed_at, id), SQLite had (changed_at) alone. On SQLite the rowid already follows every
-- index entry, so reads are unchanged; the two schemas now say the same thing.
DROP INDEX businesses_changed;
CREATE INDEX businesses_changed ON businesses (changed_at, id);
