//! Invoices: one Stripe invoice per paid purchase, paid by that purchase's payment (`issue`),
//! issued a few at a time (`queue`), refunds matched by credit notes (`credit`), and the institution's invoices as Stripe lists them
//! (`service`).

pub mod credit;
pub mod issue;
pub mod queue;
pub mod service;

use crate::server::state::AppState;
use crate::server::storage::purchases::Purchase;

/// The purchases a sweep round takes up: each in turn, until the server is stopping.
fn until_stopping<'a>(
    state: &'a AppState,
    purchases: &'a [Purchase],
) -> impl Iterator<Item = &'a Purchase> + 'a {
    purchases
        .iter()
        .take_while(|_| !state.background.is_stopping())
}
