-- 附近 is answered from each instance's in-memory index, which follows the `changed_at` stamp. PostgreSQL's
-- trigger (0010) stamps every update, moving a business included: nothing to change here; the file keeps both
-- engines' migration histories the same length.
SELECT 1;
