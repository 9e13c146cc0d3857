//! Webhook benchmark (not a test; `scripts/bench-webhook` runs it): the real app on a fresh
//! PostgreSQL database takes correctly signed, live-shaped `payment_intent.succeeded` events for
//! N distinct purchases at concurrency 16; then `pgbench` measures single-row UPDATEs at the same
//! concurrency on the same server. Each event is one transaction that commits once, so pgbench's
//! TPS is the ceiling and events/s ÷ TPS says how close the endpoint comes to it.
//!
//! Usage: `webhook [EVENTS]` (default 2000). `BENCH_POSTGRES_URL` (else `TEST_POSTGRES_URL`, else
//! `postgres://postgres@127.0.0.1:5432/postgres`) names a server where it may create a database
//! `octavia_bench_<uuid>`; the database is dropped at the end.

#[path = "shared/direct_purchases.rs"]
mod direct_purchases;
#[path = "../tests/api/live_events.rs"]
mod live_events;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use octavia_billing::server::clock::now_unix;
use octavia_billing::server::config::Config;
use octavia_billing::server::startup::Application;
use octavia_billing::server::storage::{Db, ledger};
use octavia_billing::server::telemetry;
use sqlx::Connection;
use stripe_emulator::webhooks::signature_header;

const CONCURRENCY: usize = 16;
const DEFAULT_EVENTS: usize = 2000;
const WEBHOOK_SECRET: &str = "whsec_webhook_benchmark";
const PGBENCH_SECONDS: &str = "10";
/// Rows pgbench updates at random: few enough to be a small table, enough that 16 clients
/// seldom wait on one row's lock (the events touch distinct purchases, too).
const PGBENCH_ROWS: i64 = 10_000;

#[tokio::main]
async fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; the one number given is the event count.
    let events = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse::<usize>().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let server = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    // The app logs every event as in production; the script sends these lines to a file.
    telemetry::init();

    sqlx::any::install_default_drivers();
    let name = format!("octavia_bench_{}", uuid::Uuid::new_v4().simple());
    admin_sql(&server, &format!("CREATE DATABASE {name}")).await;
    let database_url = format!(
        "{}/{name}",
        server.rsplit_once('/').expect("a database part").0
    );
    let outcome = run(&database_url, events).await;
    admin_sql(&server, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            println!("FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(database_url: &str, events: usize) -> Result<(), String> {
    // Configured as with real Stripe (no emulator, no demo admin); the webhook never calls it.
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(database_url.to_owned()),
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        "STRIPE_SECRET_KEY" => Some("sk_test_webhook_benchmark".into()),
        "STRIPE_PUBLISHABLE_KEY" => Some("pk_test_webhook_benchmark".into()),
        "STRIPE_WEBHOOK_SECRET" => Some(WEBHOOK_SECRET.into()),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let app = Application::build(config)
        .await
        .map_err(|e| e.to_string())?;
    let url = format!("http://{}/api/stripe/webhook", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run());
    let outcome = measure(&db, &url, database_url, events).await;
    // Its connections closed, the database can be dropped at once.
    db.pool().close().await;
    outcome
}

async fn measure(db: &Db, url: &str, database_url: &str, events: usize) -> Result<(), String> {
    let (institution_id, bodies) = direct_purchases::with_events(db, events, "bench").await?;
    let build = if cfg!(debug_assertions) {
        "unoptimised"
    } else {
        "optimised"
    };
    println!(
        "webhook ({build} build): {events} payment_intent.succeeded events, \
         concurrency {CONCURRENCY}"
    );
    let (elapsed, mut latencies) = drive(url, Arc::new(bodies)).await?;
    latencies.sort();
    let rate = events as f64 / elapsed.as_secs_f64();
    println!(
        "  events/s:    {rate:.1} ({events} in {:.2} s)",
        elapsed.as_secs_f64()
    );
    println!(
        "  latency:     p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        millis(percentile(&latencies, 50)),
        millis(percentile(&latencies, 99)),
        millis(*latencies.last().unwrap_or(&Duration::ZERO)),
    );

    let credits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_ledger")
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    let (pool, _) = ledger::totals(db.pool(), &institution_id)
        .await
        .map_err(|e| e.to_string())?;
    println!("  pool:        credited {credits} times for {events} purchases, {pool} sessions");
    if credits != events as i64 || pool != events as i64 {
        return Err(format!(
            "the pool was credited {credits} times, not {events}"
        ));
    }

    let tps = pgbench(database_url).await?;
    println!("pgbench: one-row UPDATE per transaction, -c {CONCURRENCY} -j 2 -T {PGBENCH_SECONDS}");
    println!("  tps:         {tps:.1}");
    println!("ratio events/s / tps: {:.2}", rate / tps);
    Ok(())
}

/// Posts every body once, signed when sent, from CONCURRENCY workers; the wall time and each
/// request's latency. Any answer but 200 stops the run.
async fn drive(url: &str, bodies: Arc<Vec<String>>) -> Result<(Duration, Vec<Duration>), String> {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, url, bodies, next) =
            (client.clone(), url.to_owned(), bodies.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else {
                    return Ok(latencies);
                };
                let signature = signature_header(WEBHOOK_SECRET, now_unix(), body);
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("stripe-signature", signature)
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                let answer = response.text().await.map_err(|e| e.to_string())?;
                latencies.push(sent.elapsed());
                if status != 200 {
                    return Err(format!("event {i}: {status} {answer}"));
                }
            }
        });
    }
    let mut latencies = Vec::with_capacity(bodies.len());
    while let Some(worker) = workers.join_next().await {
        latencies.extend(worker.map_err(|e| e.to_string())??);
    }
    Ok((started.elapsed(), latencies))
}

/// pgbench's TPS for one `UPDATE ... WHERE id = :id` per transaction on a small table.
async fn pgbench(database_url: &str) -> Result<f64, String> {
    let mut conn = sqlx::AnyConnection::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    // PostgreSQL runs several statements sent at once as one transaction, where VACUUM may not.
    for sql in [
        "CREATE TABLE bench_counters (id BIGINT PRIMARY KEY, hits BIGINT NOT NULL)".to_owned(),
        format!(
            "INSERT INTO bench_counters SELECT g, 0 FROM generate_series(1, {PGBENCH_ROWS}) AS g"
        ),
        "VACUUM ANALYZE bench_counters".to_owned(),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    conn.close().await.map_err(|e| e.to_string())?;

    let script = std::env::temp_dir().join(format!("octavia-bench-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        format!(
            "\\set id random(1, {PGBENCH_ROWS})\n\
             UPDATE bench_counters SET hits = hits + 1 WHERE id = :id;\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let output = tokio::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &CONCURRENCY.to_string(),
            "-j",
            "2",
            "-T",
            PGBENCH_SECONDS,
            "-f",
        ])
        .arg(&script)
        .arg(database_url)
        .output()
        .await
        .map_err(|e| format!("could not run pgbench ({e}); install postgresql-client"))?;
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {}{stdout}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .ok_or_else(|| format!("no tps line in pgbench's output:\n{stdout}"))
}

async fn admin_sql(server: &str, sql: &str) {
    let mut conn = sqlx::AnyConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server} is not reachable: {e}"));
    // The database name is ours (a fixed prefix and hex digits), so building the SQL is safe.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n => sorted[(n * p / 100).min(n - 1)],
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
