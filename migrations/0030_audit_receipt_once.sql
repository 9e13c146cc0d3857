-- One automatic receipt entry (`invoice.sent` by `system`) per invoice, even when two attempts
-- at issuing the same invoice (the queue and a sync or the sweep) both reach its receipt: the
-- second insert is a no-op. An admin's "send again" is logged each time.
CREATE UNIQUE INDEX audit_log_receipt_once ON audit_log (object_id) WHERE action = 'invoice.sent' AND actor = 'system';
