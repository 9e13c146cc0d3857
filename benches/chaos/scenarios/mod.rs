//! The scenarios, each on a database and a Stripe of its own.

pub mod database_outage;
pub mod flood;
pub mod instance_killed;
pub mod stripe_failing;

use crate::checks::Tally;
use crate::fleet::{Database, PeakRss, Stripe};

/// Calls to Stripe give up after this; the hang faults last longer.
pub const STRIPE_TIMEOUT_SECS: u64 = 1;

/// Every instance's settings beyond the shared ones: Stripe calls time out soon, and the
/// reconciliation runs every second, so the scenarios see faults handled within their time.
pub fn instance_env() -> [(&'static str, String); 2] {
    [
        ("STRIPE_TIMEOUT_SECS", STRIPE_TIMEOUT_SECS.to_string()),
        ("RECONCILE_INTERVAL_SECS", "1".to_owned()),
    ]
}

/// The institution of the purchases made without a checkout: not the admin's, which has a
/// Stripe customer, so their made-up intents never reach an invoice.
pub const DIRECT_PURCHASES: &str = "Benchmark University";

/// `n` intent ids no Stripe knows (`pi_<tag>_000001`...), for events that need no invoice.
pub fn made_up_intents(n: usize, tag: &str) -> Vec<String> {
    (0..n).map(|i| format!("pi_{tag}_{i:06}")).collect()
}

/// What every scenario starts from.
pub struct Setup {
    pub postgres: String,
    pub rss: PeakRss,
}

impl Setup {
    pub async fn fresh(&self) -> Result<(Database, Stripe), String> {
        Ok((
            Database::create(&self.postgres, "octavia_chaos_").await?,
            Stripe::start().await?,
        ))
    }
}

/// One scenario's verdict and figures.
pub struct Outcome {
    pub name: &'static str,
    pub passed: bool,
    pub line: String,
}

impl Outcome {
    pub fn new(name: &'static str, passed: bool, figures: String, tally: &Tally) -> Outcome {
        let line = if tally.wrong.is_empty() {
            figures
        } else {
            format!("{figures}; wrong: {}", tally.summary())
        };
        Outcome { name, passed, line }
    }
}
