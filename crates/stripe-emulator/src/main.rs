//! `stripe-emulator --port N --webhook-url URL --webhook-secret S`: the emulator on its own
//! listener, for any project that wants an offline Stripe beside its own server. Its API base is
//! `http://HOST:N/` (so `http://HOST:N/v1/customers`), Stripe.js is at `http://HOST:N/js/v3/`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use secrecy::{ExposeSecret, SecretString};
use stripe_emulator::{EmulatorSettings, StripeEmulator, generate_keys};

/// An offline Stripe: REST API v1, signed webhooks and a Stripe.js stand-in, state in memory.
#[derive(Debug, Parser)]
#[command(name = "stripe-emulator", version)]
struct Args {
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long)]
    port: u16,
    /// Where events are POSTed, e.g. http://127.0.0.1:3000/api/stripe/webhook.
    #[arg(long)]
    webhook_url: String,
    /// The endpoint secret webhooks are signed with (`whsec_...`), as the receiver verifies them.
    #[arg(long)]
    webhook_secret: String,
    /// Address to listen on; loopback by default.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Seconds a bank debit (ACH) stays processing before the bank answers.
    #[arg(long, default_value_t = 10)]
    bank_debit_secs: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let addr = SocketAddr::new(args.host, args.port);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: could not listen on {addr} ({e}); is the port in use?");
            return ExitCode::from(2);
        }
    };
    let bound = listener.local_addr().unwrap_or(addr);
    let base = format!("http://{bound}");
    // A fresh pair per start: only whoever reads this console (or GET / from this machine)
    // can call it.
    let (secret_key, publishable_key) = generate_keys();
    println!(
        "Stripe emulator: API base {base}/ , Stripe.js {base}/js/v3/\n  secret key:      {}\n  publishable key: {publishable_key}",
        secret_key.expose_secret()
    );
    let emulator = StripeEmulator::new(EmulatorSettings {
        public_base: base.clone(),
        webhook_url: args.webhook_url,
        webhook_secret: SecretString::from(args.webhook_secret),
        secret_key,
        publishable_key,
    });
    emulator.set_bank_debit_delay(std::time::Duration::from_secs(args.bank_debit_secs));
    let served = emulator
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
