-- 满意度评价 · 回访 (issue 20). A decided case (substantiated, unsubstantiated, or closed) may be rated once per
-- round, in four levels, for 30 days from its decision: by the reporter with the access code, or by staff after a
-- phone call (回访) for hotline and counter cases. 不满意 with a reason reopens the case once: back in the queue,
-- with a clock of its own from reopened_at; its second decision is rated again (round 2).
--   decided_at: when the current round's decision was made (NULL while the case is open);
--   decision:   the latest decision on the merits (substantiated | unsubstantiated), kept when the case closes,
--               read by the business's complaint disclosure.
ALTER TABLE cases ADD COLUMN decided_at INTEGER;
ALTER TABLE cases ADD COLUMN decision TEXT;
ALTER TABLE cases ADD COLUMN reopened_at INTEGER;
UPDATE cases SET decision = (SELECT e.state FROM case_events e WHERE e.case_id = cases.id
        AND e.state IN ('substantiated', 'unsubstantiated') ORDER BY e.at DESC, e.id DESC LIMIT 1)
    WHERE state IN ('substantiated', 'unsubstantiated', 'closed');
UPDATE cases SET decided_at = COALESCE((SELECT MIN(e.at) FROM case_events e WHERE e.case_id = cases.id
        AND e.state IN ('substantiated', 'unsubstantiated')), state_since)
    WHERE state IN ('substantiated', 'unsubstantiated', 'closed');
CREATE INDEX cases_disclosure ON cases (business_id, decided_at);

-- What a case event is: a staff move through the state machine, or the reopening after 不满意 (a line of its
-- own on the public timeline).
ALTER TABLE case_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'move';

CREATE TABLE case_ratings (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    round     INTEGER NOT NULL CHECK (round IN (1, 2)),
    level     TEXT    NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'basic', 'dissatisfied')),
    comment   TEXT    NOT NULL DEFAULT '',
    -- NULL: the reporter rated it; else the staff member who recorded a phone 回访.
    recorded_by TEXT,
    reopened  INTEGER NOT NULL DEFAULT 0,
    rated_at  INTEGER NOT NULL,
    UNIQUE (case_id, round)
);
CREATE INDEX case_ratings_rated_at ON case_ratings (rated_at);
