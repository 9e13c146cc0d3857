-- When each admin last signed in (Unix seconds), for the billing page's list of an
-- institution's admins; NULL until their first sign-in.
ALTER TABLE admin_users ADD COLUMN last_sign_in_at BIGINT;
