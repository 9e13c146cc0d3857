use std::process::ExitCode;

// See Cargo.toml: faster page rendering, and memory handed back after a burst.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    octavia_billing::server::cli::run().await
}
