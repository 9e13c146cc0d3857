-- When an address last failed to sign in: addresses with no recent failure are forgotten by the
-- housekeeping job, so the table does not grow with every address ever tried.
ALTER TABLE login_throttle ADD COLUMN last_failure_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX login_throttle_last_failure_at ON login_throttle (last_failure_at);

-- Whose session this is, so that changing an admin's password can end their sessions.
-- NULL for rows made before this column existed (they end at their idle expiry, below).
ALTER TABLE login_sessions ADD COLUMN admin_id TEXT REFERENCES admin_users (id) ON DELETE CASCADE;
CREATE INDEX login_sessions_admin_id ON login_sessions (admin_id);

-- When the session ends however active it is (its absolute lifetime, from sign-in). Existing
-- sessions end at their current idle expiry.
ALTER TABLE login_sessions ADD COLUMN ends_at BIGINT NOT NULL DEFAULT 0;
UPDATE login_sessions SET ends_at = expires_at;
