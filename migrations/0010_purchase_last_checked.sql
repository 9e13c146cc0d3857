-- The reconciliation sweep visits unsettled purchases in turn, least recently checked first, so
-- that no number of abandoned checkouts can keep a newer purchase from being looked at.
ALTER TABLE purchases ADD COLUMN last_checked_at BIGINT NOT NULL DEFAULT 0;

CREATE INDEX purchases_sweep ON purchases (status, last_checked_at);
