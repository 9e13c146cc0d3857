//! The chaos suite (not a test; `scripts/chaos` runs it, it takes minutes): the release server
//! on PostgreSQL, with the Stripe emulator as the fleet's Stripe, through four faults: the
//! database going away under load, Stripe failing, an instance killed mid-burst, and a flood of
//! bad input. One line per scenario with its figures, then `summary: N passed, N failed`; the
//! peak memory of any server process must stay under 128 MB.
//!
//! `SERVER_BIN`: the server binary (scripts/chaos builds it). `CHAOS_POSTGRES_URL` (else
//! `TEST_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`): a server where it
//! may create and drop databases `octavia_chaos_<uuid>`. Arguments: scenario names to run
//! (default: all).

mod checks;
#[path = "../shared/direct_purchases.rs"]
mod direct_purchases;
// Shared with the performance benchmark, which uses more of it.
#[allow(dead_code)]
#[path = "../shared/fleet.rs"]
mod fleet;
// Shared with the tests, which use more of it.
#[allow(dead_code)]
#[path = "../../tests/api/live_events.rs"]
mod live_events;
mod scenarios;
mod sender;

use std::process::ExitCode;

use scenarios::{Outcome, Setup};

const RSS_LIMIT_MB: f64 = 128.0;
const SCENARIOS: [&str; 4] = [
    "database_outage",
    "stripe_failing",
    "instance_killed",
    "flood",
];

#[tokio::main]
async fn main() -> ExitCode {
    let postgres = std::env::var("CHAOS_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    // `cargo bench` passes `--bench`; any other argument names a scenario to run.
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let setup = Setup {
        postgres,
        rss: Default::default(),
    };
    let (mut passed, mut failed) = (0, 0);
    for name in SCENARIOS {
        if !chosen.is_empty() && !chosen.iter().any(|c| c == name) {
            continue;
        }
        let outcome = match name {
            "database_outage" => scenarios::database_outage::run(&setup).await,
            "stripe_failing" => scenarios::stripe_failing::run(&setup).await,
            "instance_killed" => scenarios::instance_killed::run(&setup).await,
            _ => scenarios::flood::run(&setup).await,
        };
        match outcome {
            Ok(Outcome {
                name,
                passed: ok,
                line,
            }) => {
                println!("{}: {name}: {line}", if ok { "passed" } else { "FAILED" });
                if ok { passed += 1 } else { failed += 1 }
            }
            Err(problem) => {
                println!("FAILED: {name}: could not run: {problem}");
                failed += 1;
            }
        }
    }
    let peak = setup.rss.mib();
    let within = peak < RSS_LIMIT_MB;
    println!(
        "{}: server memory: peak RSS {peak:.1} MB of any instance (limit {RSS_LIMIT_MB:.0} MB)",
        if within { "passed" } else { "FAILED" }
    );
    if within {
        passed += 1
    } else {
        failed += 1
    }
    println!("summary: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
