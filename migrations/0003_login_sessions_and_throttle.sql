-- Login sessions live in the database so that several app instances behind one load balancer
-- share them, and so that signing out ends the session on the server.
CREATE TABLE login_sessions (
    id          TEXT PRIMARY KEY,
    -- JSON object of the session's values (tower-sessions' record data).
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX login_sessions_expires_at ON login_sessions (expires_at);

-- Failed sign-in attempts per email address, known or not: counting unknown addresses too means
-- a lockout does not reveal which addresses have accounts.
CREATE TABLE login_throttle (
    email         TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL
);
