-- The institution's purchase-order number for the purchase, if it gave one: printed on the
-- invoice (Stripe's custom field "PO number"), shown in the history and the CSV.
ALTER TABLE purchases ADD COLUMN po_number TEXT;
