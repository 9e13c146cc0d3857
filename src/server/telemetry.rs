use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Logs to stderr; `RUST_LOG` overrides the default levels. `LOG_FORMAT=json` writes one JSON
/// object a line, with the fields of the spans it happened in (the request's `request_id`), for
/// log collectors; anything else keeps the human-readable default.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        // Colour for people at a terminal; plain text for log collectors.
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}
