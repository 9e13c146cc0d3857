//! The scenarios, each on a database and a Stripe of its own.

pub mod database_outage;
pub mod flood;
pub mod instance_killed;
pub mod stripe_failing;

use crate::checks::Tally;
use crate::fleet::{Database, PeakRss, Stripe};

/// What every scenario starts from.
pub struct Setup {
    pub postgres: String,
    pub rss: PeakRss,
}

impl Setup {
    pub async fn fresh(&self) -> Result<(Database, Stripe), String> {
        Ok((
            Database::create(&self.postgres).await?,
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
