use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Structured logs to stderr; `RUST_LOG` overrides the default levels.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour for people at a terminal; plain text for log collectors.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
