-- The statutory clocks run from the events the law counts from: acceptance within 7 working days of receipt
-- (created_at), a 举报 decided within 15 and a 投诉 mediated within 45 working days of acceptance (accepted_at),
-- whatever internal moves (accepted → investigating) happen in between. state_since stays the time of the last
-- move, for display only. Cases accepted before this column existed take the time of their acceptance event.
ALTER TABLE cases ADD COLUMN accepted_at INTEGER;
UPDATE cases SET accepted_at = (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = cases.id AND e.state = 'accepted')
    WHERE state <> 'submitted';
CREATE INDEX cases_clock ON cases (state, accepted_at, created_at);

-- (Issue 18, with the clocks to keep to one migration number.) Sign-in failures remember the client's network
-- (an IPv4 address, an IPv6 /64): five failures throttle that account from that network only, so nobody can keep
-- an account locked out from its owner's address; a much higher cap per account over all networks still slows
-- guessing spread over many addresses.
ALTER TABLE login_failures ADD COLUMN net TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_key_net_at ON login_failures (username_key, net, at);

-- (Issue 18.) A failing batch of a 你点我检 round is public from the round's publish_at, and so is its effect on
-- the business's credit: its sampling_failure event waits (credit_due = 1) until then
-- (backend::sampling::record_due_failures), instead of moving the grade at upload.
ALTER TABLE sampling_batches ADD COLUMN credit_due INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sampling_credit_due ON sampling_batches (credit_due) WHERE credit_due = 1;
