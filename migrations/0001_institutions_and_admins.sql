-- Portable SQL: this one migration set runs on SQLite and PostgreSQL alike.
-- Ids are application-made UUIDv7 strings, timestamps are Unix seconds (BIGINT), so no
-- dialect-specific serial or timestamp types are needed.

CREATE TABLE institutions (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE admin_users (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    -- Stored trimmed and lower-cased; the application normalises before every lookup.
    email           TEXT NOT NULL UNIQUE,
    -- Argon2id PHC string.
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE INDEX admin_users_institution_id ON admin_users (institution_id);
