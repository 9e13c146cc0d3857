//! Building and running the server: database, sessions, routes, listener.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::auth::hash_gate::HashGate;
use super::auth::service::forget_quiet_addresses;
use super::bootstrap;
use super::config::{Config, ConfigError};
use super::http::security_headers::{self, SecurityHeaders};
use super::http::{API_PREFIX, api_router, health, origin_check};
use super::offline::OfflineStripe;
use super::state::AppState;
use super::storage::session_store::DbSessionStore;
use super::storage::{Db, institutions};
use super::stripe::StripeGateway;
use super::{invoices, purchases, stripe_events};
use crate::app::{App, shell};

pub const SESSION_COOKIE: &str = "octavia_session";
/// A login lasts this long without activity; every request renews it.
const SESSION_IDLE: time::Duration = time::Duration::hours(12);

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "could not open the database ({0}); check DATABASE_URL and that the database is running"
    )]
    Database(#[source] sqlx::Error),
    #[error("database migration failed ({0}); the schema was left as it was")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error(
        "could not listen on {addr} ({source}); is another server using that port? set LEPTOS_SITE_ADDR"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("could not set up the Stripe client ({0}); check STRIPE_API_BASE")]
    Stripe(#[source] stripe::StripeError),
    #[error("could not create the demo admin: {0}")]
    Demo(crate::error::AppError),
    #[error(
        "STRIPE_SECRET_KEY is missing and this server was built without the Stripe emulator (cargo feature `emulator`), so offline test mode is unavailable; set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET"
    )]
    OfflineUnavailable,
}

pub async fn open_database(config: &Config) -> Result<Db, StartupError> {
    let db = Db::connect(&config.database_url, config.database_kind)
        .await
        .map_err(StartupError::Database)?;
    db.migrate().await.map_err(StartupError::Migration)?;
    Ok(db)
}

/// The app's state without a listener, for commands that run its services once (a replay):
/// the database (migrated) and the Stripe client the configuration names.
pub async fn command_state(config: Config) -> Result<AppState, StartupError> {
    let db = open_database(&config).await?;
    app_state(db, config, leptos_options())
}

fn app_state(
    db: Db,
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, StartupError> {
    let stripe = StripeGateway::from_config(&config).map_err(StartupError::Stripe)?;
    Ok(AppState {
        db,
        stripe,
        hash_gate: HashGate::new(
            config.login_hash_concurrency,
            config.login_hash_concurrency_per_client,
        ),
        config: Arc::new(config),
        leptos_options,
        background: Default::default(),
    })
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    /// Kept for tests that drive the emulator; the router holds its own handle.
    #[cfg(feature = "emulator")]
    offline: OfflineStripe,
}

impl Application {
    pub async fn build(mut config: Config) -> Result<Self, StartupError> {
        config.check_offline_is_local()?;
        config.check_public_url_when_exposed()?;
        let listener = TcpListener::bind(config.site_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: config.site_addr,
                source,
            })?;
        let mut leptos_options = leptos_options();
        leptos_options.site_addr = listener.local_addr().unwrap_or(config.site_addr);
        // Before the database is touched (the demo admin): a server that cannot take payments
        // stops here.
        let offline = OfflineStripe::start(&mut config, leptos_options.site_addr)?;
        let db = open_database(&config).await?;
        announce_mode(&config, &db).await?;
        forget_foreign_customers(&config, &db).await?;

        let state = app_state(db, config, leptos_options)?;
        let router = router(state.clone(), &offline);
        Ok(Application {
            listener,
            router,
            state,
            #[cfg(feature = "emulator")]
            offline,
        })
    }

    /// The embedded Stripe emulator, present in offline test mode only.
    #[cfg(feature = "emulator")]
    pub fn stripe_emulator(&self) -> Option<&stripe_emulator::StripeEmulator> {
        self.offline.emulator()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// What handlers share; tests use it to run background jobs (the sweep) on demand.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
    pub async fn run(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
            loop {
                every.tick().await;
                housekeeping(&state).await;
            }
        });
        let state = self.state.clone();
        let reconciler = tokio::spawn(async move {
            // The first run waits one interval: instances restarting together do not burst
            // Stripe, and a test's fault set-up is not raced by a run at start.
            let period = state.config.reconcile_interval;
            let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            // A run longer than the interval is followed by the next, not by a burst.
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                reconcile_once(&state).await;
            }
        });
        tracing::info!(addr = %self.local_addr(), "listening on http://{}", self.local_addr());
        // The peer's address reaches handlers (ConnectInfo): the emulator shows its keys to
        // loopback clients only.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        sweeper.abort();
        reconciler.abort();
        result
    }
}

/// The background reconciliation, each job on its own so that one failing does not stop the
/// others: Stripe's missed events first (they settle most purchases), then the per-purchase
/// sweep, abandoned checkouts, and invoices still to issue.
async fn reconcile_once(state: &AppState) {
    if let Err(e) = stripe_events::catch_up(state).await {
        tracing::warn!(error = %e, "missed-event catch-up failed");
    }
    if let Err(e) = purchases::service::sweep(state).await {
        tracing::warn!(error = %e, "purchase reconciliation sweep failed");
    }
    if let Err(e) = purchases::service::cancel_abandoned(state).await {
        tracing::warn!(error = %e, "abandoned-checkout cancel failed");
    }
    if let Err(e) = invoices::issue::sweep(state).await {
        tracing::warn!(error = %e, "invoice sweep failed");
    }
}

/// Forgets what has outlived its use: expired login sessions, old Stripe events, sign-in
/// throttle rows of addresses with no recent failure. Runs every 15 minutes; failures are
/// logged and tried again next time.
pub async fn housekeeping(state: &AppState) {
    if let Err(e) = session_store(state).delete_expired().await {
        tracing::warn!(error = %e, "could not delete expired login sessions");
    }
    if let Err(e) = stripe_events::forget_old(state).await {
        tracing::warn!(error = %e, "could not delete old Stripe events");
    }
    if let Err(e) = forget_quiet_addresses(&state.db).await {
        tracing::warn!(error = %e, "could not forget quiet sign-in addresses");
    }
}

fn session_store(state: &AppState) -> DbSessionStore {
    DbSessionStore::new(state.db.clone(), state.config.session_max_age)
}

fn router(state: AppState, offline: &OfflineStripe) -> Router {
    let routes = generate_route_list(App);
    let session_layer = SessionManagerLayer::new(session_store(&state))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.public_url_is_https())
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE));
    // Every page render gets the state and this response's script nonce.
    let page_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security_headers::provide_page_nonce();
        }
    };

    let leptos_options = state.leptos_options.clone();
    let mut app = Router::new()
        .nest(API_PREFIX, api_router())
        .route(
            "/billing/invoices/{id}",
            get(super::http::invoices::open_hosted),
        )
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready));
    app = offline.mount(app);
    app.leptos_routes_with_context(&state, routes, page_context.clone(), move || {
        shell(leptos_options.clone())
    })
    .fallback(leptos_axum::file_and_error_handler_with_context::<
        AppState,
        _,
    >(page_context, shell))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        origin_check::refuse_cross_origin,
    ))
    .layer(session_layer)
    // The wasm bundle shrinks to about a third with gzip; HTML and JSON compress well too.
    .layer(CompressionLayer::new())
    .layer(axum::middleware::from_fn_with_state(
        SecurityHeaders::new(&state.config),
        security_headers::add_security_headers,
    ))
    .layer(TraceLayer::new_for_http().make_span_with(request_span))
    // Outermost: the id exists before the request is traced, and goes back on the response.
    .layer(PropagateRequestIdLayer::x_request_id())
    .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
    .with_state(state)
}

/// The span every log line of a request is written in: its method, path (never the query) and
/// request id (the caller's `X-Request-Id`, else a new UUID).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
    )
}

/// Where the compiled site (wasm, js, css, public/) is. cargo-leptos sets these variables when
/// it runs the server; the defaults match its output for a plain `target/site` build.
fn leptos_options() -> LeptosOptions {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "octavia-billing"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .env(if var("LEPTOS_ENV", "DEV").eq_ignore_ascii_case("PROD") {
            Env::PROD
        } else {
            Env::DEV
        })
        .reload_port(
            var("LEPTOS_RELOAD_PORT", "3006")
                .parse::<u32>()
                .unwrap_or(3006),
        )
        .build()
}

async fn announce_mode(config: &Config, db: &Db) -> Result<(), StartupError> {
    tracing::info!(database = ?config.database_kind, "database ready");
    if !config.offline_test_mode() {
        tracing::info!(api_base = config.stripe_api_base, "Stripe keys configured");
        return Ok(());
    }
    tracing::warn!(
        "OFFLINE TEST MODE: no STRIPE_SECRET_KEY is set, so payments use the built-in Stripe \
         emulator (state in memory, lost at restart) and no real money moves. Set the Stripe \
         variables (see .env.example) for real Stripe."
    );
    // To the console only, like the demo sign-in: the emulator takes this key and no other,
    // for scripts and tests that call it (it is also at GET /_emulator/stripe/ from this host).
    println!(
        "\n  Stripe emulator key (offline test mode, new at each start):\n    {}\n",
        config.stripe.keys().secret_key.expose_secret()
    );
    if let Some((email, password)) = bootstrap::ensure_demo_admin(db)
        .await
        .map_err(StartupError::Demo)?
    {
        // Printed once, to the console only: the demo exists so a newcomer can sign in.
        println!(
            "\n  Demo sign-in (offline test mode, shown once):\n    email:    {email}\n    password: {password}\n"
        );
    }
    Ok(())
}

/// A customer made by another Stripe (the emulator, or test mode before live keys) does not
/// exist in this one: forget it now so the institution gets a new customer on its next
/// purchase, rather than every payment failing with "No such customer".
async fn forget_foreign_customers(config: &Config, db: &Db) -> Result<(), StartupError> {
    let origin = config.stripe_origin();
    let forgotten = institutions::forget_customers_not_from(db.pool(), origin)
        .await
        .map_err(StartupError::Database)?;
    for customer in forgotten {
        tracing::warn!(
            institution_id = %customer.id,
            customer_id = %customer.stripe_customer_id,
            made_by = %customer.stripe_customer_origin,
            now_using = origin,
            "the institution's Stripe customer was made by another Stripe; a new one will be made on its next purchase"
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
