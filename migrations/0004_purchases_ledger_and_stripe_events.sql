-- Session purchases, the session ledger, and the Stripe events already processed.

CREATE TABLE purchases (
    id                 TEXT PRIMARY KEY,
    institution_id     TEXT NOT NULL REFERENCES institutions (id),
    quantity           BIGINT NOT NULL,
    plan               TEXT NOT NULL,
    -- Integer minor units of `currency`, fixed when the purchase is made.
    unit_amount        BIGINT NOT NULL,
    amount             BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    -- pending | requires_action | processing | completed | failed | canceled
    status             TEXT NOT NULL,
    -- The row is written only once Stripe has created the PaymentIntent, so a purchase
    -- without one (nothing to pay) never exists.
    payment_intent_id  TEXT NOT NULL,
    -- The decline or error Stripe gave for the last failed attempt, in words for the admin.
    failure_message    TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE UNIQUE INDEX purchases_payment_intent_id ON purchases (payment_intent_id);
-- Listing is newest first by id (UUIDv7 ids sort by creation time).
CREATE INDEX purchases_institution_id ON purchases (institution_id, id);

-- Every change to an institution's session pool is one row; the pool is their sum. A row is
-- unique per (kind, source_id), so a purchase is credited once no matter how often Stripe
-- repeats itself or how the webhook and reconciliation race.
CREATE TABLE session_ledger (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    purchase_id     TEXT NOT NULL REFERENCES purchases (id),
    -- purchase (a credit); later kinds (refunds, usage) debit with negative `sessions`.
    kind            TEXT NOT NULL,
    -- The purchase id for a purchase credit.
    source_id       TEXT NOT NULL,
    sessions        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE UNIQUE INDEX session_ledger_kind_source_id ON session_ledger (kind, source_id);
CREATE INDEX session_ledger_institution_id ON session_ledger (institution_id);

-- Stripe event ids already processed: inserted in the same transaction as the event's effects.
CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
