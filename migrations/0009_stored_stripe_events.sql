-- Every verified Stripe event is kept whole, with whether it was processed: one whose
-- processing failed stays unprocessed (Stripe retries it, and `octavia-billing replay-events`
-- processes it once the cause is fixed), as does one the app could not parse (a newer API
-- version). Events stored before this migration were all processed.

ALTER TABLE stripe_events ADD COLUMN created BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stripe_events ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE stripe_events ADD COLUMN processed_at BIGINT;
ALTER TABLE stripe_events ADD COLUMN error TEXT;

UPDATE stripe_events SET processed_at = received_at;

CREATE INDEX stripe_events_unprocessed ON stripe_events (processed_at, received_at);
