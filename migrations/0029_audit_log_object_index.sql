-- "Is there already an entry of this action about this object?" (a receipt, a card, a credit
-- note logged once) must not read all of an institution's entries: with 10,000 purchases that
-- made issuing invoices slower and slower.
CREATE INDEX audit_log_object ON audit_log (object_id, action);
