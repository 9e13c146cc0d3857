-- Which Stripe minted the institution's customer: 'emulator' (offline test mode), 'test' or
-- 'live'. A customer exists only where it was made, so at start-up the app forgets customer ids
-- from another origin and makes a new customer on next use, instead of failing with "No such
-- customer" at the next payment. NULL: stored before the origin was recorded.

ALTER TABLE institutions ADD COLUMN stripe_customer_origin TEXT;
