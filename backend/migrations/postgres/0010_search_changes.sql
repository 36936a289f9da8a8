-- When each business row last changed, by the database's clock in milliseconds. Every server instance keeps its
-- own in-memory search index and re-reads the rows changed since its last look (backend::credit::index); the
-- trigger stamps every insert and update, so no writer (service, import, CLI, another instance) can forget.
ALTER TABLE businesses ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE businesses SET changed_at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT);
CREATE INDEX businesses_changed ON businesses (changed_at, id);
CREATE FUNCTION businesses_stamp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_at := CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT);
    RETURN NEW;
END
$$;
CREATE TRIGGER businesses_changed BEFORE INSERT OR UPDATE ON businesses
    FOR EACH ROW EXECUTE FUNCTION businesses_stamp_changed();
