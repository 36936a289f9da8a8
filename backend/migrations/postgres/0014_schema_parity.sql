-- Schema parity: the SQLite set gained the (changed_at, id) index this set already had (see the SQLite file of
-- the same number). Nothing to change here; the pair keeps the two sets numbered alike.
SELECT 1;
