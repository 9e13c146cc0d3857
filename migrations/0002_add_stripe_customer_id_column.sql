-- The seed's 004_add_stripe_customer_id_column: each institution is one Stripe customer,
-- created on its first purchase. NULL until then; never shared by two institutions.
-- (SQLite cannot ADD a UNIQUE column, hence the separate unique index.)

ALTER TABLE institutions ADD COLUMN stripe_customer_id TEXT;

CREATE UNIQUE INDEX institutions_stripe_customer_id ON institutions (stripe_customer_id);
