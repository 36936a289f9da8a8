-- When each business row last changed, by the database's clock in milliseconds. Every server instance keeps its
-- own in-memory search index and re-reads the rows changed since its last look (backend::credit::index); the
-- triggers stamp every insert and update, so no writer (service, import, CLI, another process) can forget.
ALTER TABLE businesses ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
CREATE INDEX businesses_changed ON businesses (changed_at);
CREATE TRIGGER businesses_changed_insert AFTER INSERT ON businesses BEGIN
    UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = new.id;
END;
-- Only the columns the index holds; the stamp itself is not among them, so the trigger does not fire again.
CREATE TRIGGER businesses_changed_update AFTER UPDATE OF credit_code, licence_no, name, address, district, category,
    status, score, grade, watch_list, dynamic_grade, last_inspected_at ON businesses BEGIN
    UPDATE businesses SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = new.id;
END;
