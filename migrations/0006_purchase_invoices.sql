-- Every paid purchase gets one Stripe invoice, paid by the purchase's own PaymentIntent.
-- `invoice_id` is recorded as soon as Stripe has created the invoice, so a retry continues
-- that invoice instead of making a second one; `invoiced_at` (Unix seconds) is set once the
-- invoice shows as paid, and the sweep retries every paid purchase where it is still NULL.

ALTER TABLE purchases ADD COLUMN invoice_id TEXT;
ALTER TABLE purchases ADD COLUMN invoiced_at BIGINT;

CREATE INDEX purchases_invoiced_at ON purchases (invoiced_at);
