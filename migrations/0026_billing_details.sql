-- Each institution's billing details as last saved: legal name, billing emails, postal address
-- and tax IDs, as JSON text (see domain::billing_details). Stripe's customer holds the copy
-- its invoices print.
CREATE TABLE billing_details (
    institution_id TEXT PRIMARY KEY REFERENCES institutions (id) ON DELETE CASCADE,
    details TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
