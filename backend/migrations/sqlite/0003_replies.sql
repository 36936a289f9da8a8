-- A business's reply to its record, or a credit-repair request; moderated before anything is published.
CREATE TABLE business_replies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('reply', 'repair')),
    body        TEXT    NOT NULL,
    contact     TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    decided_by  TEXT,
    note        TEXT
);
CREATE INDEX business_replies_status ON business_replies (status, created_at);
CREATE INDEX business_replies_business ON business_replies (business_id, status);
