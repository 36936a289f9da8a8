-- 附近 (near me): where a business is, WGS-84 degrees. NULL = not located (never in a near answer).
-- The (lat, lng) index serves the bounding-box prefilter of a near query; the exact distance is computed in Rust.
ALTER TABLE businesses ADD COLUMN lat REAL;
ALTER TABLE businesses ADD COLUMN lng REAL;
CREATE INDEX businesses_lat_lng ON businesses (lat, lng) WHERE lat IS NOT NULL;
