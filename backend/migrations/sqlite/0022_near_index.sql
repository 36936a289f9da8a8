-- 附近 is answered from each instance's in-memory index, which follows the `changed_at` stamp: moving a business
-- (its `lat`, `lng`, added by 0018) must stamp it too, or the index keeps it at its old place.
DROP TRIGGER businesses_changed_update;
CREATE TRIGGER businesses_changed_update AFTER UPDATE OF credit_code, licence_no, name, address, district, category,
    status, score, grade, watch_list, dynamic_grade, last_inspected_at, rating_date, pending_grade, lat, lng
    ON businesses BEGIN
    UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = new.id;
END;
