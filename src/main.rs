use std::process::ExitCode;

// See Cargo.toml: memory goes back to the system after a burst of webhooks or page views.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    octavia_billing::server::cli::run().await
}
