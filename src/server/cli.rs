//! The server binary's command line. With no subcommand it serves, which is how cargo-leptos
//! starts it.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::config::Config;
use super::storage::Db;
use super::{bootstrap, startup, telemetry};
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
    },
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
        Command::AddAdmin { institution, email } => add_admin(&config, &institution, &email).await,
    }
}

async fn add_admin(config: &Config, institution: &str, email: &str) -> ExitCode {
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
    match bootstrap::add_admin(&db, &institution, &email, &password).await {
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
