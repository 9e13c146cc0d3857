//! The performance benchmark (not a test; `scripts/bench` runs it, after building the release
//! server and its precompressed site). The release server runs on a fresh PostgreSQL database
//! with the emulator as its Stripe, and every figure is printed beside what it is compared
//! with, as a ratio where the machine's speed would otherwise decide:
//!
//! 1. page weight: compressed wasm, JS and CSS downloaded before `/billing` and `/login` are
//!    interactive, against the budgets (250 KB, 120 KB), and how those files are cached;
//! 2. hydration: from DOMContentLoaded to hydrated, median and p90 of 10 loads of `/billing`
//!    with 50 purchases in the history (Chromium, localhost, a fresh context each time);
//! 3. server rendering: `/billing` requests/s against a bare axum handler doing the same
//!    database reads, at concurrency 16 (Stripe's lists come from the server's cache);
//! 4. webhook: `payment_intent.succeeded` events/s until every invoice they set off is paid,
//!    against pgbench's single-row-update TPS; p50/p99; every purchase credited exactly once;
//! 5. memory: the server's peak RSS over all of it, and its RSS once idle again, against its
//!    idle RSS before, once warm (each page and webhooks handled, so the binary's code for them
//!    is paged in both times).
//!
//! Then `summary: N passed, N failed`, one check per target.
//!
//! `SERVER_BIN`: the server; `LEPTOS_SITE_ROOT`: its site (scripts/bench sets both).
//! `BENCH_POSTGRES_URL` (else `TEST_POSTGRES_URL`, else
//! `postgres://postgres@127.0.0.1:5432/postgres`): where it may create and drop a database
//! `octavia_bench_<uuid>`. An argument sets the number of webhook events (default 10,000).

mod bare;
mod browser;
mod cpu;
#[path = "../shared/direct_purchases.rs"]
mod direct_purchases;
// Shared with the chaos suite, which uses more of it.
#[allow(dead_code)]
#[path = "../shared/fleet.rs"]
mod fleet;
// Shared with the tests, which use more of it.
#[allow(dead_code)]
#[path = "../../tests/api/live_events.rs"]
mod live_events;
mod load;
mod paid;
mod pgbench;
mod ssr;
mod webhook;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fleet::{Database, Instance, PeakRss, Stripe, resident_mib, resident_parts_mib};

const HISTORY: usize = 50;
const DEFAULT_EVENTS: usize = 10_000;
const RENDERS: usize = 1_000;
const HYDRATION_LOADS: usize = 10;
const BILLING_BUDGET: u64 = 250 * 1024;
const LOGIN_BUDGET: u64 = 120 * 1024;
const HYDRATION_BUDGET_MS: f64 = 150.0;
const SSR_RATIO: f64 = 0.5;
const WEBHOOK_RATIO: f64 = 0.5;
const WEBHOOK_P99_MS: f64 = 20.0;
const RSS_LIMIT_MB: f64 = 64.0;
/// How long the server is left alone before its idle memory is read, before and after.
const SETTLE: Duration = Duration::from_secs(5);
/// "Back near its idle size": at most this much above it, a few seconds after the load.
const RSS_SETTLED_MB: f64 = 8.0;

/// One target's verdict and its line.
struct Check {
    passed: bool,
    line: String,
}

impl Check {
    fn new(passed: bool, line: String) -> Check {
        Check { passed, line }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(bare::MODE) {
        return match bare::serve(args.get(1).map_or("", String::as_str)).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bare handler: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // `cargo bench` passes `--bench`; a number is the event count.
    let events = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let postgres = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let database = match Database::create(&postgres, "octavia_bench_").await {
        Ok(database) => database,
        Err(e) => {
            println!("FAILED: could not create the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = run(&database, events).await;
    database.drop_now().await;
    let checks = match outcome {
        Ok(checks) => checks,
        Err(e) => {
            println!("FAILED: the benchmark could not run: {e}");
            return ExitCode::FAILURE;
        }
    };
    let passed = checks.iter().filter(|c| c.passed).count();
    for check in &checks {
        println!(
            "{}: {}",
            if check.passed { "passed" } else { "FAILED" },
            check.line
        );
    }
    println!("summary: {passed} passed, {} failed", checks.len() - passed);
    if passed == checks.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn run(database: &Database, events: usize) -> Result<Vec<Check>, String> {
    let site_root = std::env::var("LEPTOS_SITE_ROOT")
        .map_err(|_| "LEPTOS_SITE_ROOT is not set (scripts/bench sets it)")?;
    let stripe = Arc::new(Stripe::start().await?);
    let rss = PeakRss::default();
    let server =
        Instance::start(database, &stripe, &rss, &[("LEPTOS_SITE_ROOT", site_root)]).await?;
    let customer = paid::customer(database, &stripe).await?;
    let history = paid::purchases(database, &stripe, &customer, HISTORY).await?;
    webhook::deliver(&server, database, history).await?;
    // Idle means warm: each page rendered once and webhooks handled (the 50 above), so the
    // binary's code for them is paged in before and after alike.
    let client = server.signed_in().await?;
    warm_up(&client, &server.origin).await?;
    // The same wait as after the load: the warm-up's invoices are issued in the background.
    tokio::time::sleep(SETTLE).await;
    let idle = resident_mib(server.pid).ok_or("the server is gone")?;
    let idle_parts = resident_parts_mib(server.pid).ok_or("the server is gone")?;

    let mut checks = vec![];
    let loads =
        browser::page_loads(&server.origin, HYDRATION_LOADS, &["/login", "/billing"]).await?;
    checks.push(page_weight(&client, &server, &loads).await?);
    checks.push(hydration(&loads));
    checks.push(rendering(&client, &server, database).await?);
    checks.push(webhook(&server, database, &stripe, &customer, events).await?);

    tokio::time::sleep(SETTLE).await;
    let settled = resident_mib(server.pid).ok_or("the server is gone")?;
    let settled_parts = resident_parts_mib(server.pid).ok_or("the server is gone")?;
    let peak = rss.mib();
    checks.push(Check::new(
        peak <= RSS_LIMIT_MB && settled <= idle + RSS_SETTLED_MB,
        format!(
            "memory: peak RSS {peak:.1} MB (limit {RSS_LIMIT_MB:.0} MB) over {events} webhook \
             events and {} page renders; idle (warm) {idle:.1} MB before, {settled:.1} MB 5 s after \
             (limit idle + {RSS_SETTLED_MB:.0} MB); anonymous {:.1} → {:.1} MB, file-backed \
             {:.1} → {:.1} MB",
            RENDERS + 2 * HYDRATION_LOADS,
            idle_parts.0,
            settled_parts.0,
            idle_parts.1,
            settled_parts.1,
        ),
    ));
    Ok(checks)
}

/// Renders each page once: signed out `/login`, signed in `/billing`.
async fn warm_up(client: &reqwest::Client, origin: &str) -> Result<(), String> {
    let signed_out = reqwest::Client::new();
    for (client, path) in [(&signed_out, "/login"), (client, "/billing")] {
        let status = client
            .get(format!("{origin}{path}"))
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?
            .status();
        if !status.is_success() {
            return Err(format!("{path} answered {status}"));
        }
    }
    Ok(())
}

async fn page_weight(
    client: &reqwest::Client,
    server: &Instance,
    loads: &[browser::Load],
) -> Result<Check, String> {
    let mut passed = true;
    let mut parts = Vec::new();
    for (page, budget) in [("/billing", BILLING_BUDGET), ("/login", LOGIN_BUDGET)] {
        let heaviest = loads
            .iter()
            .filter(|l| l.path == page)
            .max_by_key(|l| l.bytes)
            .ok_or_else(|| format!("no load of {page}"))?;
        let problems =
            browser::caching_problems(client, &server.origin, page, &heaviest.files).await?;
        passed &= heaviest.bytes <= budget && problems.is_empty();
        let files = heaviest
            .files
            .iter()
            .map(|f| {
                format!(
                    "{} {:.1} KB",
                    f.path.rsplit('/').next().unwrap_or(&f.path),
                    kb(f.bytes)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(format!(
            "{page} {:.1} KB vs budget {:.0} KB, ratio {:.2} ({} islands: {files}; HTML {:.1} KB){}",
            kb(heaviest.bytes),
            kb(budget),
            heaviest.bytes as f64 / budget as f64,
            heaviest.islands,
            kb(heaviest.html_bytes),
            if problems.is_empty() {
                String::new()
            } else {
                format!("; {}", problems.join("; "))
            }
        ));
    }
    Ok(Check::new(
        passed,
        format!(
            "page weight (compressed, before interactive): {}",
            parts.join("; ")
        ),
    ))
}

fn hydration(loads: &[browser::Load]) -> Check {
    let mut times: Vec<f64> = loads
        .iter()
        .filter(|l| l.path == "/billing")
        .map(|l| l.hydration_ms)
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |p: usize| {
        times
            .get((times.len() * p / 100).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let median = at(50);
    Check::new(
        median <= HYDRATION_BUDGET_MS,
        format!(
            "hydration of /billing ({HISTORY} purchases, {} loads): median {median:.0} ms, \
             p90 {:.0} ms after DOMContentLoaded vs budget {HYDRATION_BUDGET_MS:.0} ms, ratio {:.2}",
            times.len(),
            at(90),
            median / HYDRATION_BUDGET_MS
        ),
    )
}

async fn rendering(
    client: &reqwest::Client,
    server: &Instance,
    database: &Database,
) -> Result<Check, String> {
    let bare = ssr::BareHandler::start(&database.url).await?;
    let cpu_ms = |pid: u32| cpu::process_seconds(&pid.to_string()) * 1000.0;
    let before = cpu_ms(server.pid);
    let page = ssr::measure(client, &server.url("/billing"), RENDERS).await?;
    let page_cpu = (cpu_ms(server.pid) - before) / (RENDERS + ssr::WARM_UP) as f64;
    let before = cpu_ms(bare.pid);
    let reads = ssr::measure(client, &bare.url, RENDERS).await?;
    let bare_cpu = (cpu_ms(bare.pid) - before) / (RENDERS + ssr::WARM_UP) as f64;
    let ratio = page.per_second() / reads.per_second();
    Ok(Check::new(
        ratio >= SSR_RATIO,
        format!(
            "server rendering of /billing (signed in, {HISTORY} purchases, Stripe lists cached): \
             {:.0} req/s (p50 {:.1} ms, p99 {:.1} ms) vs bare handler with the same reads \
             {:.0} req/s, concurrency {}: ratio {ratio:.2} (target ≥ {SSR_RATIO}); CPU per \
             request: server {page_cpu:.2} ms, bare handler {bare_cpu:.2} ms",
            page.per_second(),
            page.percentile_ms(50),
            page.percentile_ms(99),
            reads.per_second(),
            load::CONCURRENCY
        ),
    ))
}

async fn webhook(
    server: &Instance,
    database: &Database,
    stripe: &Arc<Stripe>,
    customer: &str,
    events: usize,
) -> Result<Check, String> {
    let bodies = paid::purchases(database, stripe, customer, events).await?;
    let before = cpu::Usage::now(server.pid);
    let delivery = webhook::deliver(server, database, bodies).await?;
    let used = cpu::Usage::now(server.pid).since(before);
    let tps = pgbench::tps(&database.url).await?;
    let purchases = (events + HISTORY) as i64;
    let credits = database
        .count("SELECT COUNT(*) FROM session_ledger WHERE kind = 'purchase'")
        .await?;
    let completed = database
        .count("SELECT COUNT(*) FROM purchases WHERE status = 'completed'")
        .await?;
    let ratio = delivery.events_per_second() / tps;
    let p99 = delivery.answers.percentile_ms(99);
    Ok(Check::new(
        ratio >= WEBHOOK_RATIO
            && p99 <= WEBHOOK_P99_MS
            && credits == purchases
            && completed == purchases,
        format!(
            "webhook: {events} payment_intent.succeeded at concurrency {}, {:.0} events/s \
             including their invoices ({:.1} s; the answers alone took {:.1} s, {:.0}/s) vs \
             pgbench {tps:.0} TPS: ratio {ratio:.2} \
             (target ≥ {WEBHOOK_RATIO}); p50 {:.1} ms, p99 {p99:.1} ms (target ≤ \
             {WEBHOOK_P99_MS} ms); {purchases} purchases, {completed} completed, credited \
             {credits} times, every invoice paid; {used}",
            load::CONCURRENCY,
            delivery.events_per_second(),
            delivery.until_invoiced.as_secs_f64(),
            delivery.answers.elapsed.as_secs_f64(),
            delivery.answers.per_second(),
            delivery.answers.percentile_ms(50),
        ),
    ))
}

fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}
