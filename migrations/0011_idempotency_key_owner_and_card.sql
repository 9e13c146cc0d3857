-- A reserved purchase Idempotency-Key has an owner (the request making its purchase) and a
-- lease: only the owner frees the key after a failure, another request with the key waits for
-- it instead of working on the same purchase, and takes over only once the lease has run out
-- (the owner's instance died). The card choice is part of what a repeat must match.
ALTER TABLE purchase_idempotency_keys ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE purchase_idempotency_keys ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE purchase_idempotency_keys ADD COLUMN payment_method_id TEXT;
ALTER TABLE purchase_idempotency_keys ADD COLUMN save_card BIGINT NOT NULL DEFAULT 0;
