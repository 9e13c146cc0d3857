//! The server binary's command line. With no subcommand it serves, which is how cargo-leptos
//! starts it.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::bootstrap::InstitutionChange;
use super::config::Config;
use super::storage::Db;
use super::{bootstrap, startup, stripe_events, telemetry};
use crate::domain::email::EmailAddress;
use crate::domain::institution_name::InstitutionName;
use crate::domain::password::NewPassword;

#[derive(Debug, Parser)]
#[command(
    name = "octavia-billing",
    version,
    about = "Octavia billing: interview sessions paid through Stripe"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create or update an institution admin. Reads the password as one line from standard input.
    AddAdmin {
        /// The institution's name; created if it does not exist yet.
        #[arg(long)]
        institution: String,
        /// The admin's email address (sign-in name).
        #[arg(long)]
        email: String,
        /// Allow moving an existing admin to this institution (without it, refused).
        #[arg(long = "move")]
        move_institution: bool,
    },
    /// Process again the stored Stripe events that were not processed (their processing
    /// failed, or this version could not parse them), through the webhook's own code; run it
    /// after fixing the cause. Exits 1 if any is still not processed.
    ReplayEvents {
        /// Only events received on or after this day (YYYY-MM-DD, UTC); default: all.
        #[arg(long, value_parser = parse_day)]
        since: Option<i64>,
    },
}

/// `YYYY-MM-DD` as the unix time of that day's start (UTC).
fn parse_day(day: &str) -> Result<i64, String> {
    let invalid = || format!("{day:?} is not a date like 2026-12-01");
    let mut parts = day
        .splitn(3, '-')
        .map(|p| p.parse::<i32>().map_err(|_| invalid()));
    let (year, month, date) = (
        parts.next().ok_or_else(invalid)??,
        parts.next().ok_or_else(invalid)??,
        parts.next().ok_or_else(invalid)??,
    );
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let date = u8::try_from(date).map_err(|_| invalid())?;
    time::Date::from_calendar_date(year, month, date)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| invalid())
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match startup::Application::build(config).await {
            Ok(app) => match app.run().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(format!("server stopped: {e}")),
            },
            Err(e) => fail(e),
        },
        Command::Migrate => match startup::open_database(&config).await {
            Ok(_) => {
                println!("migrations applied");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::AddAdmin {
            institution,
            email,
            move_institution,
        } => {
            let change = if move_institution {
                InstitutionChange::Allow
            } else {
                InstitutionChange::Refuse
            };
            add_admin(&config, &institution, &email, change).await
        }
        Command::ReplayEvents { since } => replay_events(config, since.unwrap_or(0)).await,
    }
}

async fn replay_events(config: Config, since: i64) -> ExitCode {
    let state = match startup::command_state(config).await {
        Ok(state) => state,
        Err(e) => return fail(e),
    };
    match stripe_events::replay(&state, since).await {
        Ok(report) => {
            println!(
                "replayed stored Stripe events: {} processed, {} ignored, {} duplicates, {} still not parseable, {} failed",
                report.processed, report.ignored, report.duplicates, report.unparsed, report.failed
            );
            if report.failed + report.unparsed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => fail(format!("replay stopped: {e}")),
    }
}

async fn add_admin(
    config: &Config,
    institution: &str,
    email: &str,
    change: InstitutionChange,
) -> ExitCode {
    let institution = match InstitutionName::parse(institution) {
        Ok(name) => name,
        Err(e) => return fail(format!("--institution: {e}")),
    };
    let email = match EmailAddress::parse(email) {
        Ok(email) => email,
        Err(e) => return fail(format!("--email: {e}")),
    };
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        return fail(format!(
            "could not read the password from standard input: {e}"
        ));
    }
    let password = match NewPassword::parse(line.trim_end_matches(['\r', '\n'])) {
        Ok(password) => password,
        Err(e) => return fail(format!("password (standard input): {e}")),
    };
    let db: Db = match startup::open_database(config).await {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    match bootstrap::add_admin(&db, &institution, &email, &password, change).await {
        Ok(()) => {
            println!(
                "admin {} can now sign in to {}",
                email.as_str(),
                institution.as_str()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// One line on stderr, exit code 2: the shape every start-up failure takes.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
