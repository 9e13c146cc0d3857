//! A payment the bank is still processing, a transfer being awaited, or an invoice still being
//! issued, settles in the
//! background (a webhook, the invoice queue). While the billing page shows such a purchase, it
//! looks at the newest purchases every two seconds, for two minutes, and reloads once one of
//! them settled, so the pool, the history and the invoices all show the outcome.

use leptos::prelude::*;

use crate::api_types::PurchaseView;
use crate::domain::purchase_status::PurchaseStatus;

/// Paid, with its invoice still being issued.
pub fn invoice_pending(purchase: &PurchaseView) -> bool {
    purchase.status == PurchaseStatus::Completed && purchase.invoice_id.is_none()
}

/// Waiting on something that happens without the admin.
pub fn is_settling(purchase: &PurchaseView) -> bool {
    invoice_pending(purchase)
        || matches!(
            purchase.status,
            PurchaseStatus::Processing | PurchaseStatus::AwaitingTransfer
        )
}

/// `settling`: the ids of the purchases the page showed as settling.
#[island]
pub fn ReloadWhenSettled(settling: Vec<String>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    watch::check_later(std::sync::Arc::new(settling), watch::CHECKS);
    #[cfg(not(feature = "hydrate"))]
    let _ = settling;
}

#[cfg(feature = "hydrate")]
mod watch {
    use std::sync::Arc;
    use std::time::Duration;

    use leptos::prelude::*;

    use super::is_settling;
    use crate::rpc::billing::load_purchases;

    const DELAY: Duration = Duration::from_secs(2);
    /// Two minutes of looking; a reload starts over only if something settled.
    pub const CHECKS: u32 = 60;

    pub fn check_later(settling: Arc<Vec<String>>, left: u32) {
        if left == 0 {
            return;
        }
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    // A failed look (the network, a restart) is tried again at the next tick.
                    let settled = load_purchases(None).await.is_ok_and(|page| {
                        settling.iter().any(|id| {
                            !page
                                .data
                                .iter()
                                .any(|row| &row.id == id && is_settling(row))
                        })
                    });
                    if settled {
                        let _ = window().location().reload();
                    } else {
                        check_later(settling, left - 1);
                    }
                });
            },
            DELAY,
        );
    }
}
