-- One `credit_note.issued` entry per credit note, even when two workers (or instances) finish
-- the same refund's credit note at once: the second insert is a no-op.
CREATE UNIQUE INDEX audit_log_credit_note_once ON audit_log (object_id) WHERE action = 'credit_note.issued';
