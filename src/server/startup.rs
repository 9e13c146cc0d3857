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
use tower_sessions::{Expiry, SessionManagerLayer};

use super::auth::hash_gate::HashGate;
use super::bootstrap;
use super::config::{Config, ConfigError};
use super::http::assets::{SiteAssets, SiteHashes};
use super::http::security_headers::{self, SecurityHeaders};
use super::http::{API_PREFIX, api_router, health, origin_check};
use super::offline::OfflineStripe;
use super::state::AppState;
use super::storage::session_store::DbSessionStore;
use super::storage::{Db, institutions};
use super::stripe::StripeGateway;
use super::{jobs, metrics};
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
    #[error(
        "could not listen on {addr} for metrics ({source}); is another server using that port? set METRICS_ADDR"
    )]
    BindMetrics {
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
    app_state(db, config, leptos_options(false))
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
        stripe_lists: Default::default(),
        invoice_queue: Default::default(),
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
    /// `METRICS_ADDR`'s listener, when set.
    metrics_listener: Option<TcpListener>,
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
        // Recording starts before the first request.
        metrics::handle();
        let listener = TcpListener::bind(config.site_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: config.site_addr,
                source,
            })?;
        let metrics_listener = match config.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::BindMetrics { addr, source })?,
            ),
            None => None,
        };
        let hashes = SiteHashes::of_this_build();
        let mut leptos_options = leptos_options(hashes.is_some());
        leptos_options.site_addr = listener.local_addr().unwrap_or(config.site_addr);
        // Before the database is touched (the demo admin): a server that cannot take payments
        // stops here.
        let offline = OfflineStripe::start(&mut config, leptos_options.site_addr)?;
        let db = open_database(&config).await?;
        announce_mode(&config, &db).await?;
        forget_foreign_customers(&config, &db).await?;

        let assets = SiteAssets::new(&leptos_options, hashes);
        let state = app_state(db, config, leptos_options)?;
        let router = router(state.clone(), &offline, &assets);
        Ok(Application {
            listener,
            metrics_listener,
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

    /// The `METRICS_ADDR` listener's address, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully (see [`Self::run_until`]).
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then stops accepting connections, lets requests in flight
    /// finish (at most `SHUTDOWN_TIMEOUT_SECS`), lets the background jobs finish the item they
    /// hold and the tasks requests started (invoices) end, and returns. Whatever is cut off at
    /// the deadline is a transaction never committed: nothing is half-applied.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let state = self.state.clone();
        let jobs = jobs::start(&state);
        let upkeep = tokio::spawn(metrics::run_upkeep());
        tracing::info!(addr = %self.local_addr(), "listening on http://{}", self.local_addr());
        if let Some(listener) = self.metrics_listener {
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "metrics on http://{addr}/metrics");
            let stopping = state.background.clone();
            let router = metrics::http::listener_router(state.clone());
            tokio::spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { stopping.stopped().await })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the metrics listener failed");
                }
            });
        }
        // The peer's address reaches handlers (ConnectInfo): the emulator shows its keys to
        // loopback clients only.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let stopping = state.background.clone();
        let server = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move { stopping.stopped().await })
            .into_future();
        let mut server = std::pin::pin!(server);
        let ended_early = tokio::select! {
            result = &mut server => Some(result),
            () = stop => None,
        };
        state.background.stop();
        if let Some(result) = ended_early {
            upkeep.abort();
            return result;
        }
        let grace = state.config.shutdown_timeout;
        tracing::info!(
            grace_secs = grace.as_secs(),
            "shutting down: no new connections; finishing requests in flight and the jobs' current items"
        );
        let deadline = tokio::time::Instant::now() + grace;
        let served = match tokio::time::timeout_at(deadline, &mut server).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    "requests still in flight at the shutdown deadline were cut off; their transactions were not committed"
                );
                Ok(())
            }
        };
        let finished = async {
            for job in jobs {
                let _ = job.await;
            }
            state.background.idle().await;
        };
        if tokio::time::timeout_at(deadline, finished).await.is_err() {
            tracing::warn!(
                "background work still running at the shutdown deadline was cut off; the next start's sweep takes it up"
            );
        }
        upkeep.abort();
        tracing::info!("stopped");
        served
    }
}

fn session_store(state: &AppState) -> DbSessionStore {
    DbSessionStore::new(state.db.clone(), state.config.session_max_age)
}

/// The login session on every request: the cookie, its lifetime and the store. Public for the
/// benchmark's bare handler, which must do the same database work per request as a page.
pub fn login_session_layer(
    store: DbSessionStore,
    config: &Config,
) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.public_url_is_https())
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE))
}

fn router(state: AppState, offline: &OfflineStripe, assets: &SiteAssets) -> Router {
    let routes = generate_route_list(App);
    let session_layer = login_session_layer(session_store(&state), &state.config);
    // Every page render gets the state and this response's script nonce.
    let page_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security_headers::provide_page_nonce();
        }
    };

    let shell = {
        let stylesheet = assets.stylesheet_href();
        move |options| shell(options, stylesheet.clone())
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
    if state.config.metrics_token.is_some() {
        app = app.route("/metrics", get(metrics::http::metrics));
    }
    app = offline.mount(app).merge(assets.router());
    app.leptos_routes_with_context(&state, routes, page_context.clone(), {
        let shell = shell.clone();
        move || shell(leptos_options.clone())
    })
    .route_layer(axum::middleware::from_fn(metrics::http::tag_route))
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
    .layer(axum::middleware::from_fn(metrics::http::record_request))
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
/// `hashed`: the site's files are named by their content (see [`SiteAssets`]).
fn leptos_options(hashed: bool) -> LeptosOptions {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "octavia-billing"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .hash_files(hashed)
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
