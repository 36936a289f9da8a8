-- The statutory clocks run from the events the law counts from: acceptance within 7 working days of receipt
-- (created_at), a 举报 decided within 15 and a 投诉 mediated within 45 working days of acceptance (accepted_at),
-- whatever internal moves (accepted → investigating) happen in between. state_since stays the time of the last
-- move, for display only. Cases accepted before this column existed take the time of their acceptance event.
ALTER TABLE cases ADD COLUMN accepted_at BIGINT;
UPDATE cases SET accepted_at = (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = cases.id AND e.state = 'accepted')
    WHERE state <> 'submitted';
CREATE INDEX cases_clock ON cases (state, accepted_at, created_at);

