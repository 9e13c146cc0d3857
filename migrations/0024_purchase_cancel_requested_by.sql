-- Who asked for the purchase to be canceled (an admin's email, or `system` for an abandoned
-- checkout), written before the app asks Stripe: the audit log names them as the actor of the
-- cancellation whichever report of it (the app's own call or Stripe's webhook) arrives first.
ALTER TABLE purchases ADD COLUMN cancel_requested_by TEXT;
