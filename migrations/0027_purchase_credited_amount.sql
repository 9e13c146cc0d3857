-- How much of the purchase's refunds its invoice's credit notes cover, in minor units. Behind
-- `amount_refunded` while a credit note is still to be issued (the sweep looks for those).
ALTER TABLE purchases ADD COLUMN credited_amount BIGINT NOT NULL DEFAULT 0;
