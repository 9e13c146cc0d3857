-- Who did what to an institution's billing, and when. Append-only: the app inserts rows and
-- never updates or deletes one. `actor` is the admin's email, `stripe` (a webhook) or `system`
-- (the sweep); `details` is JSON text with the before/after of what changed.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    details TEXT NOT NULL
);
-- Newest first per institution (ids are UUIDv7, which sort by time).
CREATE INDEX audit_log_institution_id ON audit_log (institution_id, id);
