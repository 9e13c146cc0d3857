-- Where the admin verifies a bank account's microdeposits (Stripe's hosted page), while a debit
-- waits for them: `next_action.verify_with_microdeposits.hosted_verification_url`.
ALTER TABLE purchases ADD COLUMN verification_url TEXT;
