-- How the purchase is being paid: the payment method of its latest attempt (its Stripe id and
-- type: card, us_bank_account or customer_balance), once Stripe has told.
ALTER TABLE purchases ADD COLUMN payment_method_id TEXT;
ALTER TABLE purchases ADD COLUMN payment_method_type TEXT;
-- A bank transfer's instructions (Stripe's display_bank_transfer_instructions): where to send
-- the money, the reference to quote, and what is still to arrive, in minor units. Kept after
-- the purchase is paid or canceled: a canceled transfer's money received stays on the
-- customer's Stripe cash balance, and the page says how much.
ALTER TABLE purchases ADD COLUMN transfer_amount_remaining BIGINT;
ALTER TABLE purchases ADD COLUMN transfer_reference TEXT;
ALTER TABLE purchases ADD COLUMN transfer_account_number TEXT;
ALTER TABLE purchases ADD COLUMN transfer_routing_number TEXT;
ALTER TABLE purchases ADD COLUMN transfer_instructions_url TEXT;
