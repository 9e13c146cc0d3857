//! The yardstick for server rendering: a bare axum handler, in a process of its own as the
//! server is, doing the database work one `/billing` render does (the login session with its
//! renewal, the admin and institution, the pool, the last twelve months, the newest purchases,
//! the awaited bank transfers, the Stripe customer with its lists' version, the billing details,
//! the newest activity, the admins) and answering it as JSON: no page, no Leptos, no Stripe.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use octavia_billing::domain::monthly;
use octavia_billing::server::audit;
use octavia_billing::server::auth::session::current_account;
use octavia_billing::server::clock::now_unix;
use octavia_billing::server::config::{Config, DatabaseKind};
use octavia_billing::server::purchases::service;
use octavia_billing::server::startup::login_session_layer;
use octavia_billing::server::storage::session_store::DbSessionStore;
use octavia_billing::server::storage::{Db, admins, billing_details, institutions, ledger};
use secrecy::SecretString;
use serde_json::{Value, json};
use tower_sessions::Session;

/// The argument that makes the benchmark binary this server instead.
pub const MODE: &str = "bare-handler";
pub const PATH: &str = "/billing-reads";

/// Serves [`PATH`] on a free port of 127.0.0.1 and prints `listening on http://ADDR`.
pub async fn serve(database_url: &str) -> Result<(), String> {
    let config =
        Config::from_lookup(|name| (name == "DATABASE_URL").then(|| database_url.to_owned()))
            .map_err(|e| e.to_string())?;
    let db = Db::connect(
        &SecretString::from(database_url.to_owned()),
        DatabaseKind::Postgres,
    )
    .await
    .map_err(|e| e.to_string())?;
    let store = DbSessionStore::new(db.clone(), config.session_max_age);
    let app = Router::new()
        .route(PATH, get(billing_reads))
        .layer(login_session_layer(store, &config))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{address}");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

async fn billing_reads(State(db): State<Db>, session: Session) -> Result<Json<Value>, StatusCode> {
    let failed = |e: String| {
        eprintln!("bare handler: {e}");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let account = current_account(&db, &session)
        .await
        .map_err(|e| failed(e.to_string()))?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let institution_id = &account.institution.id;
    let pool = service::pool(&db, institution_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let movements =
        ledger::movements_since(db.pool(), institution_id, monthly::window_start(now_unix()))
            .await
            .map_err(|e| failed(e.to_string()))?;
    let purchases = service::list(&db, institution_id, Some(10), None)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let transfers = service::awaiting_transfers(&db, institution_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let customer = institutions::stripe_lists_key(db.pool(), institution_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let details = billing_details::find(db.pool(), institution_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let activity = audit::list(&db, institution_id, Some(10), None, None)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let admins = admins::list_for_institution(db.pool(), institution_id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(Json(json!({
        "activity": activity,
        "admins": admins,
        "account": account,
        "pool": pool,
        "movements": movements,
        "purchases": purchases,
        "transfers": transfers,
        "customer": customer,
        "billing_details": details,
    })))
}
