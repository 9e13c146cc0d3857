-- Bumped whenever the institution's lists at Stripe (saved cards, invoices) change, by the
-- webhooks that say so and by the app's own changes: every instance's cached copy of those
-- lists is valid only under the version it was read with.
ALTER TABLE institutions ADD COLUMN stripe_lists_version BIGINT NOT NULL DEFAULT 0;
