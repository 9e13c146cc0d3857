//! The missed-event catch-up: events Stripe never delivered are read from its event list.

use octavia_billing::server::stripe_events::{CatchUpReport, catch_up};

use super::{buy, confirm, get_purchase, pool, rows, signed_in_app};

#[tokio::test]
async fn catch_up_credits_a_payment_whose_webhooks_were_lost_and_never_twice() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 3).await;
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");

    let first = catch_up(&app.state).await.unwrap();
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 3);
    assert!(first.processed >= 1, "{first:?}");
    assert_eq!(first.failed, 0, "{first:?}");

    // A second run finds nothing new.
    assert_eq!(
        catch_up(&app.state).await.unwrap(),
        CatchUpReport::default()
    );

    // The withheld webhooks arrive after all: recorded as duplicates, no second credit.
    app.stripe().arm_fault("webhooks/release", &[]).await;
    app.settle().await;
    assert_eq!(pool(&app).await, 3);
    assert_eq!(rows(&app, "session_ledger").await, 1);
}
