-- Disputes hold a purchase's sessions back (never below an empty pool: what could not be held
-- back is the shortfall, shown to the admin), and refunds that fail after they were made give
-- theirs back; both are ledger rows, once per dispute and outcome or per failed refund.
ALTER TABLE purchases ADD COLUMN dispute_shortfall BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchases ADD COLUMN refund_failed_amount BIGINT NOT NULL DEFAULT 0;
