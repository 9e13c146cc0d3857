//! The background jobs' locks: a job another instance is running is skipped, not run twice.

use octavia_billing::server::jobs::reconcile_once;
use octavia_billing::server::storage::job_locks::{Job, try_lock};

use crate::purchases::webhook::paid_but_unannounced;
use crate::purchases::{get_purchase, pool, signed_in_app};

#[tokio::test]
async fn a_job_whose_lock_is_held_elsewhere_is_skipped_until_released() {
    let app = signed_in_app().await;
    let (purchase, _) = paid_but_unannounced(&app, 4).await;
    sqlx::query("UPDATE purchases SET created_at = created_at - 3600 WHERE id = $1")
        .bind(purchase["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();

    // "Another instance" runs the two jobs that would settle the purchase.
    let catch_up = try_lock(&app.db, Job::CatchUp)
        .await
        .unwrap()
        .expect("free");
    let sweep = try_lock(&app.db, Job::Sweep).await.unwrap().expect("free");
    assert!(
        try_lock(&app.db, Job::Sweep).await.unwrap().is_none(),
        "a held lock is taken twice"
    );
    reconcile_once(app.state.clone()).await;
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");
    assert_eq!(pool(&app).await, 0);

    catch_up.release().await;
    sweep.release().await;
    reconcile_once(app.state.clone()).await;
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 4);
    // Released after the run, on every database.
    assert!(try_lock(&app.db, Job::Sweep).await.unwrap().is_some());
}
