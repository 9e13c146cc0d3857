use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    octavia_billing::server::cli::run().await
}
