//! PostgreSQL goes away under load: while 1,000 signed events are delivered at concurrency 16,
//! every connection to the app's database is terminated and new ones are refused for a few
//! seconds (`ALLOW_CONNECTIONS false`: an outage of this database only, which a script can
//! cause and end without restarting a server other work may share). Deliveries meanwhile get
//! 5xx and are sent again; afterwards every purchase is credited exactly once, the same process
//! serves on, and `/readyz` said 503 during the outage and 200 after.

use std::time::Duration;

use super::{Outcome, Setup};
use crate::checks;
use crate::direct_purchases;
use crate::fleet::Instance;
use crate::sender;

const EVENTS: usize = 1_000;
const CONCURRENCY: usize = 16;
const OUTAGE: Duration = Duration::from_secs(3);

pub async fn run(setup: &Setup) -> Result<Outcome, String> {
    let (database, stripe) = setup.fresh().await?;
    let mut instance =
        Instance::start(&database, &stripe, &setup.rss, &super::instance_env()).await?;
    let (_, bodies) = direct_purchases::with_events(
        &database.db,
        super::DIRECT_PURCHASES,
        &super::made_up_intents(EVENTS, "outage"),
    )
    .await?;
    let endpoint = instance.url("/api/stripe/webhook");
    let burst = sender::Burst::start(&[endpoint], bodies, CONCURRENCY);
    // Early, so that most of the burst meets the outage (a release build takes the whole
    // burst in about a second).
    burst.accepted(EVENTS / 10).await;
    let name = &database.name;
    database
        .admin(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await?;
    let probe = reqwest::Client::new();
    let readyz = instance.url("/readyz");
    let mut unready_during = 0;
    let outage_ends = tokio::time::Instant::now() + OUTAGE;
    while tokio::time::Instant::now() < outage_ends {
        if let Ok(answer) = probe.get(&readyz).send().await
            && answer.status() == 503
        {
            unready_during += 1;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    database
        .admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await?;

    let mut report = burst.finish().await?;
    let mut ready_after = false;
    for _ in 0..40 {
        if probe
            .get(&readyz)
            .send()
            .await
            .is_ok_and(|a| a.status() == 200)
        {
            ready_after = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let same_process = instance.is_running();
    let tally = checks::all_credited_once(&database).await?;
    let line = format!(
        "{}, faults injected: {:.0} s outage ({} failed deliveries, sent again), readyz 503 during: {unready_during} probes, 200 after: {ready_after}, same process: {same_process}, purchases checked {}, credits wrong {}",
        report.figures(),
        OUTAGE.as_secs_f64(),
        report.failed_attempts,
        tally.checked,
        tally.wrong_count()
    );
    let passed = tally.wrong.is_empty()
        && tally.checked == EVENTS
        && report.given_up == 0
        && report.failed_attempts > 0
        && unready_during > 0
        && ready_after
        && same_process;
    drop(instance);
    database.drop_now().await;
    Ok(Outcome::new(
        "database restart under load",
        passed,
        line,
        &tally,
    ))
}
