-- Refunds made in Stripe (`charge.refunded`, full or partial). The purchase keeps the total
-- refunded so far; the ledger takes the refunded share of its sessions back with one row per
-- refund (kind `refund`, negative `sessions`).
--
-- Each ledger row also carries the money that came with it (`amount`, minor units of the
-- purchase's currency: + paid, − refunded), so sessions and spending per month are sums of
-- the same rows.

ALTER TABLE purchases ADD COLUMN amount_refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE session_ledger ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;

UPDATE session_ledger
SET amount = (SELECT p.amount FROM purchases p WHERE p.id = session_ledger.purchase_id)
WHERE kind = 'purchase';

CREATE INDEX session_ledger_purchase_id ON session_ledger (purchase_id);
