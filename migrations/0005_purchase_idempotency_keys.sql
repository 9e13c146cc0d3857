-- Idempotency-Key of purchase requests, per institution: a retried request finds its key here
-- and gets the purchase the first one made instead of a second purchase and PaymentIntent.

CREATE TABLE purchase_idempotency_keys (
    institution_id   TEXT NOT NULL REFERENCES institutions (id),
    idempotency_key  TEXT NOT NULL,
    -- What the first request ordered; the same key with another order is refused.
    plan             TEXT NOT NULL,
    quantity         BIGINT NOT NULL,
    -- Chosen when the key is first seen, before Stripe is called; the purchase with this id
    -- exists once a request with the key has completed. Every request with the key works on
    -- this one id, and the PaymentIntent's Stripe idempotency key is made from it.
    purchase_id      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (institution_id, idempotency_key)
);
