-- The business registry, credit events, grade history, the deduction rules (data), replies.
CREATE TABLE businesses (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_code       TEXT    NOT NULL UNIQUE,
    licence_no        TEXT    UNIQUE,
    name              TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    district          TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT '在营',
    score             INTEGER NOT NULL DEFAULT 100,
    grade             TEXT    NOT NULL DEFAULT 'A',
    watch_list        INTEGER NOT NULL DEFAULT 0,
    dynamic_grade     TEXT,
    last_inspected_at INTEGER,
    search_tokens     TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX businesses_name ON businesses (name);
CREATE INDEX businesses_district_grade ON businesses (district, grade);
CREATE INDEX businesses_category_grade ON businesses (category, grade);
CREATE INDEX businesses_grade ON businesses (grade);
CREATE INDEX businesses_watch ON businesses (watch_list) WHERE watch_list = 1;

-- Bigram index (see domain::credit::bigrams): any substring of 2+ characters is a phrase of bigram tokens.
CREATE VIRTUAL TABLE business_fts USING fts5 (
    search_tokens, content = 'businesses', content_rowid = 'id', tokenize = 'unicode61'
);
CREATE TRIGGER businesses_fts_insert AFTER INSERT ON businesses BEGIN
    INSERT INTO business_fts (rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;
CREATE TRIGGER businesses_fts_delete AFTER DELETE ON businesses BEGIN
    INSERT INTO business_fts (business_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
END;
CREATE TRIGGER businesses_fts_update AFTER UPDATE OF search_tokens ON businesses BEGIN
    INSERT INTO business_fts (business_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
    INSERT INTO business_fts (rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;

CREATE TABLE credit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    kind        TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
);
CREATE INDEX credit_events_business ON credit_events (business_id, occurred_at);

-- Never overwritten: one row per change of grade or score.
CREATE TABLE grade_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    at          INTEGER NOT NULL,
    score       INTEGER NOT NULL,
    grade       TEXT    NOT NULL,
    watch_list  INTEGER NOT NULL,
    reason      TEXT    NOT NULL
);
CREATE INDEX grade_history_business ON grade_history (business_id, at);

CREATE TABLE credit_rules (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    rules      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
