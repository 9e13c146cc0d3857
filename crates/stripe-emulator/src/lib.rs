//! An embedded Stripe: REST API v1, signed webhooks and a Stripe.js stand-in, as an axum
//! [`Router`] to nest in any app (octavia-billing mounts it at `/_emulator/stripe` in offline test
//! mode only) or to run on its own with the `stripe-emulator` binary. See the README.
//!
//! It speaks Stripe's wire protocol (form-encoded bracket-notation requests, Bearer `sk_test_`
//! keys, JSON answers, Stripe's error envelope, `Idempotency-Key`), so the app's async-stripe
//! client talks to it over HTTP exactly as to api.stripe.com; only the base URL differs.
//!
//! All state is in memory ([`store::Store`]): customers, intents, invoices and events last as
//! long as the process. Liberties taken, so that tests see every event the app must handle:
//! every card confirmation passes through `processing` (and emits `payment_intent.processing`)
//! before it succeeds or fails; `capture_method=manual` is refused.

// serde_json's json! macro nests deeply for Stripe-shaped objects (charges, invoices).
#![recursion_limit = "256"]

mod bank_accounts;
pub mod cards;
mod charges;
mod credit_notes;
mod customer_balance;
mod customers;
mod disputes;
pub mod errors;
mod events;
pub mod faults;
pub mod form;
mod hosted_pages;
mod idempotency;
pub mod ids;
mod intents;
mod invoices;
mod keys;
mod outbox;
mod payment_intents;
mod payment_methods;
mod refunds;
mod setup_intents;
mod store;
mod stripe_js;
mod tax_ids;
pub mod test_client;
pub mod webhooks;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};
use axum::{Json, Router};
use secrecy::SecretString;
use serde_json::Value;

use errors::StripeError;
use faults::Faults;
use form::Params;
use idempotency::{Begin, Idempotency};
use payment_intents::PAYMENT;
use setup_intents::SETUP;
use store::Store;
use webhooks::Deliverer;

/// Request bodies larger than this are refused; Stripe's own API requests are a few KB.
const BODY_LIMIT: usize = 256 * 1024;

/// Where the emulator is reachable and where it sends webhooks.
#[derive(Debug, Clone)]
pub struct EmulatorSettings {
    /// Absolute URL of the emulator's mount point, as a browser reaches it, e.g.
    /// `http://127.0.0.1:3005/_emulator/stripe` (no trailing slash); hosted invoice pages and
    /// the Stripe.js stand-in are under it.
    pub public_base: String,
    /// The webhook endpoint events are POSTed to: the app's own `/api/stripe/webhook`.
    pub webhook_url: String,
    pub webhook_secret: SecretString,
    /// The one secret key the API and the fault endpoints accept; any other key is Stripe's
    /// 401, so nothing but its owner can call it (see [`generate_keys`]).
    pub secret_key: SecretString,
    /// The one publishable key accepted (what Stripe.js on the page is given).
    pub publishable_key: String,
}

/// A fresh key pair, `sk_test_emulator_<random>` and `pk_test_emulator_<another random>` (the
/// publishable key is public and must not reveal the secret one).
pub fn generate_keys() -> (SecretString, String) {
    let random = || uuid::Uuid::new_v4().simple();
    (
        SecretString::from(format!("sk_test_emulator_{}", random())),
        format!("pk_test_emulator_{}", random()),
    )
}

/// A handle on the emulator; cheap to clone. Tests use it to redirect and speed up webhooks.
#[derive(Clone)]
pub struct StripeEmulator {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Mutex<Store>>,
    idempotency: Idempotency,
    faults: Arc<Faults>,
    webhooks: Arc<Deliverer>,
    public_base: String,
    secret_key: SecretString,
    publishable_key: String,
    /// How long a bank debit stays `processing`, in milliseconds.
    bank_debit_delay_ms: AtomicU64,
}

/// A bank debit's answer comes this long after it was sent, unless set otherwise.
pub const BANK_DEBIT_DELAY: Duration = Duration::from_secs(10);

impl StripeEmulator {
    pub fn new(settings: EmulatorSettings) -> Self {
        let store = Arc::new(Mutex::new(Store::default()));
        let faults = Arc::new(Faults::default());
        let webhooks = Arc::new(Deliverer::new(
            settings.webhook_url,
            settings.webhook_secret,
            store.clone(),
            faults.clone(),
        ));
        StripeEmulator {
            inner: Arc::new(Inner {
                store,
                idempotency: Idempotency::default(),
                faults,
                webhooks,
                public_base: settings.public_base.trim_end_matches('/').to_owned(),
                secret_key: settings.secret_key,
                publishable_key: settings.publishable_key,
                bank_debit_delay_ms: AtomicU64::new(millis(BANK_DEBIT_DELAY)),
            }),
        }
    }

    pub fn public_base(&self) -> &str {
        &self.inner.public_base
    }

    pub fn publishable_key(&self) -> &str {
        &self.inner.publishable_key
    }

    pub fn secret_key(&self) -> &SecretString {
        &self.inner.secret_key
    }

    pub fn webhooks(&self) -> &Deliverer {
        &self.inner.webhooks
    }

    /// How long bank debits (ACH) stay `processing` before the bank's answer: days on Stripe,
    /// [`BANK_DEBIT_DELAY`] here unless set (tests shorten it, an app passes its setting).
    pub fn set_bank_debit_delay(&self, delay: Duration) {
        self.inner
            .bank_debit_delay_ms
            .store(millis(delay), Ordering::Relaxed);
    }

    fn bank_debit_delay(&self) -> Duration {
        Duration::from_millis(self.inner.bank_debit_delay_ms.load(Ordering::Relaxed))
    }

    /// The bank answers the debit of a processing intent after the delay. (Not generic, unlike
    /// `transact` which calls it: a closure inside `transact` calling `transact` would be a new
    /// type per instantiation, without end.)
    fn settle_later(&self, intent_id: String) {
        let emulator = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(emulator.bank_debit_delay()).await;
            let settled =
                emulator.transact(&Ctx::internal(), |tx| bank_accounts::settle(tx, &intent_id));
            if let Err(e) = settled {
                tracing::warn!(intent_id, error = ?e, "bank debit not settled");
            }
        });
    }

    /// Serves the emulator on a listener of its own until `shutdown` completes. The peer's
    /// address reaches the handlers, so `GET /` shows the keys to loopback clients only.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router::<()>()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Nests the emulator at `path` (e.g. `/_emulator/stripe`) in an app's router. Its key page
    /// answers at `path` and at `path/` (axum's nesting alone leaves `path/` unmatched).
    pub fn mount<S: Clone + Send + Sync + 'static>(
        &self,
        router: Router<S>,
        path: &str,
    ) -> Router<S> {
        router
            .route(
                &format!("{path}/"),
                get(keys::show).with_state(self.clone()),
            )
            .nest(path, self.router())
    }

    /// The routes, to serve on their own (the binary) or to [`StripeEmulator::mount`].
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let api = Router::new()
            .route("/customers", post(customers::create).get(customers::list))
            .route(
                "/customers/{id}",
                retrieve("customer", "customer").post(customers::update),
            )
            .route(
                "/customers/{id}/tax_ids",
                post(tax_ids::create).get(tax_ids::list),
            )
            .route(
                "/customers/{id}/tax_ids/{tax_id}",
                get(tax_ids::retrieve).delete(tax_ids::delete),
            )
            .route("/customers/{id}/cash_balance", get(customer_balance::show))
            .route(
                "/test_helpers/customers/{id}/fund_cash_balance",
                post(customer_balance::fund),
            )
            .route(
                "/customers/{id}/payment_methods",
                get(payment_methods::list_for_customer),
            )
            .route(
                "/payment_methods",
                post(payment_methods::create).get(payment_methods::list),
            )
            .route(
                "/payment_methods/{id}",
                retrieve("payment_method", "PaymentMethod"),
            )
            .route(
                "/payment_methods/{id}/attach",
                post(payment_methods::attach),
            )
            .route(
                "/payment_methods/{id}/detach",
                post(payment_methods::detach),
            )
            .route(
                "/payment_intents",
                PAYMENT.list_route().post(payment_intents::create),
            )
            .route(
                "/payment_intents/{id}",
                PAYMENT.retrieve_route().post(payment_intents::update),
            )
            .route("/payment_intents/{id}/confirm", PAYMENT.confirm_route())
            .route(
                "/payment_intents/{id}/cancel",
                post(payment_intents::cancel),
            )
            .route(
                "/payment_intents/{id}/authenticate",
                PAYMENT.authenticate_route(),
            )
            .route(
                "/payment_intents/{id}/verify_microdeposits",
                post(payment_intents::verify_microdeposits),
            )
            .route(
                "/setup_intents",
                SETUP.list_route().post(setup_intents::create),
            )
            .route("/setup_intents/{id}", SETUP.retrieve_route())
            .route("/setup_intents/{id}/confirm", SETUP.confirm_route())
            .route(
                "/setup_intents/{id}/authenticate",
                SETUP.authenticate_route(),
            )
            .route("/charges/{id}", retrieve("charge", "charge"))
            .route("/refunds", post(refunds::create).get(refunds::list))
            .route("/refunds/{id}", retrieve("refund", "refund"))
            .route(
                "/disputes/{id}",
                retrieve("dispute", "dispute").post(disputes::update),
            )
            .route(
                "/invoiceitems",
                post(invoices::create_item).get(invoices::list_items),
            )
            .route("/invoiceitems/{id}", retrieve("invoiceitem", "invoiceitem"))
            .route("/invoices", post(invoices::create).get(invoices::list))
            .route("/invoices/{id}", retrieve("invoice", "invoice"))
            .route("/invoices/{id}/finalize", post(invoices::finalize))
            .route("/invoices/{id}/pay", post(invoices::pay))
            .route(
                "/invoices/{id}/attach_payment",
                post(invoices::attach_payment),
            )
            .route("/invoices/{id}/void", post(invoices::void))
            .route("/invoices/{id}/send", post(invoices::send))
            .route(
                "/credit_notes",
                post(credit_notes::create).get(credit_notes::list),
            )
            .route("/credit_notes/{id}", get(credit_notes::retrieve))
            .route("/mandates/{id}", retrieve("mandate", "mandate"))
            .route(
                "/test_helpers/payment_intents/{id}/settle_bank_debit",
                post(settle_bank_debit),
            )
            .route("/events", get(events::list))
            .route("/events/{id}", get(events::retrieve))
            // Stripe answers unknown paths and methods alike with a 404 in its envelope.
            .route("/{*rest}", any(unknown_route))
            .method_not_allowed_fallback(unknown_route)
            .layer(axum::middleware::from_fn_with_state(self.clone(), api_gate));
        Router::new()
            .nest("/v1", api)
            .route("/", get(keys::show))
            .route("/outbox", get(outbox::show))
            .merge(stripe_js::routes())
            .merge(hosted_pages::routes())
            .merge(faults::routes(self))
            .with_state(self.clone())
    }

    /// Runs `work` on the store under its lock, then hands the events it emitted to webhook
    /// delivery, whether the work succeeded or not (a declined payment still emits its events).
    fn transact<T>(
        &self,
        ctx: &Ctx,
        work: impl FnOnce(&mut Tx) -> Result<T, StripeError>,
    ) -> Result<T, StripeError> {
        let (result, events, debits) = {
            let mut store = self.lock_store();
            let mut tx = Tx {
                store: &mut store,
                events: Vec::new(),
                debits: Vec::new(),
                ctx,
                public_base: &self.inner.public_base,
            };
            let result = work(&mut tx);
            (result, tx.events, tx.debits)
        };
        self.inner.webhooks.deliver(events);
        for intent_id in debits {
            self.settle_later(intent_id);
        }
        result
    }

    /// GET a page of objects of one type with the secret key; `keep` filters (by customer...).
    fn list(
        &self,
        ctx: &Ctx,
        params: &Params,
        object_type: &str,
        url: &str,
        keep: impl Fn(&Value) -> bool,
    ) -> ApiResult {
        ctx.require_secret_key()?;
        let store = self.lock_store();
        // Most lists are asked for one customer's objects: read only those.
        let objects = match params.non_empty_str("customer") {
            Some(customer) => store.naming(object_type, customer, keep),
            None => store.all(object_type, keep),
        };
        let list = store::page(objects, params, url)?;
        Ok(Json(store.expand(list, &params.expand())))
    }

    fn lock_store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves objects as they were written; keep serving.
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) type ApiResult = Result<Json<Value>, StripeError>;

/// `GET /v1/<resource>/{id}` of an object only the secret key may read, honouring `expand[]`.
fn retrieve(object_type: &'static str, resource: &'static str) -> MethodRouter<StripeEmulator> {
    get(
        move |Path(id): Path<String>, Call(emulator, ctx, params): Call| async move {
            ctx.require_secret_key()?;
            let store = emulator.lock_store();
            let object = store.find(object_type, resource, &id)?;
            ApiResult::Ok(Json(store.expand(object, &params.expand())))
        },
    )
}

/// `customer=cus_...` filter for lists: everything when absent.
fn customer_filter(params: &Params) -> impl Fn(&Value) -> bool + use<> {
    let customer = params.non_empty_str("customer").map(str::to_owned);
    move |object: &Value| customer.as_deref().is_none_or(|c| object["customer"] == c)
}

/// One API call's access to the store, collecting the events it emits.
pub(crate) struct Tx<'a> {
    pub store: &'a mut Store,
    events: Vec<Value>,
    /// Bank debits sent in this call, answered after the debit delay.
    debits: Vec<String>,
    pub ctx: &'a Ctx,
    pub public_base: &'a str,
}

impl Tx<'_> {
    /// Records an event about `object` (a snapshot of it now), to be delivered after the call.
    pub fn emit(&mut self, event_type: &str, object: &Value) {
        self.emit_with_previous(event_type, object, None);
    }

    /// Has the bank answer the debit of this (processing) payment intent after the delay.
    pub fn settle_later(&mut self, intent_id: &str) {
        self.debits.push(intent_id.to_owned());
    }

    /// As [`Tx::emit`], with `previous_attributes` for `*.updated` events.
    pub fn emit_with_previous(
        &mut self,
        event_type: &str,
        object: &Value,
        previous: Option<Value>,
    ) {
        let event = events::build(event_type, object, previous, self.ctx);
        self.events.push(self.store.insert(event));
    }
}

/// Who is calling: the secret key may do anything; a publishable key (Stripe.js) only what
/// Stripe lets it, mostly with an intent's client secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Secret,
    Publishable,
}

/// Per-request facts the API gate established.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Caller,
    pub request_id: String,
    pub idempotency_key: Option<String>,
}

impl Ctx {
    /// The emulator acting on its own (a bank answering), as the secret key may.
    fn internal() -> Self {
        Ctx {
            caller: Caller::Secret,
            request_id: ids::new_id("req"),
            idempotency_key: None,
        }
    }

    pub fn require_secret_key(&self) -> Result<(), StripeError> {
        match self.caller {
            Caller::Secret => Ok(()),
            Caller::Publishable => Err(StripeError::publishable_key_not_allowed()),
        }
    }

    /// Secret key, or publishable key with the intent's own client secret.
    pub fn require_secret_or_client_secret(
        &self,
        params: &Params,
        intent: &Value,
    ) -> Result<(), StripeError> {
        if self.caller == Caller::Secret {
            return Ok(());
        }
        match params.str("client_secret") {
            Some(given) if intent["client_secret"] == given => Ok(()),
            Some(_) => Err(StripeError::invalid_request(
                "The client_secret provided does not match the client_secret associated with this intent.",
                Some("client_secret"),
            )),
            None => Err(StripeError::publishable_key_not_allowed()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = StripeError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(StripeError::no_api_key)
    }
}

/// What an API handler works with: the emulator, the authenticated caller and the parameters
/// (last, as they may be the body).
pub(crate) struct Call(pub StripeEmulator, pub Ctx, pub Params);

impl FromRequest<StripeEmulator> for Call {
    type Rejection = StripeError;

    async fn from_request(
        request: Request,
        emulator: &StripeEmulator,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, emulator).await?;
        let params = Params::from_request(Request::from_parts(parts, body), emulator).await?;
        Ok(Call(emulator.clone(), ctx, params))
    }
}

/// Parameters from the query (GET) or the form body (POST), in Stripe's bracket notation.
impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = StripeError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        if request.method() == Method::GET || request.method() == Method::DELETE {
            let query = request.uri().query().unwrap_or_default();
            return form::decode(query.as_bytes()).map(Params);
        }
        let bytes = to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| StripeError::invalid_request("The request body is too large.", None))?;
        form::decode(&bytes).map(Params)
    }
}

/// Stripe's order of checks: the key first, then (injected) faults, then idempotency.
async fn api_gate(
    State(emulator): State<StripeEmulator>,
    request: Request,
    next: Next,
) -> Response {
    let caller = match keys::authenticate(request.headers(), &emulator) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    match emulator.inner.faults.take_api_fault(request.uri().path()) {
        Some(faults::ApiFault::Error) => StripeError::api_error().into_response(),
        // The call still happens, late, on a task of its own: the client has given up (and
        // gone) by then, which is the case an Idempotency-Key exists for.
        Some(faults::ApiFault::Hang(duration)) => {
            let late = tokio::spawn(async move {
                tokio::time::sleep(duration).await;
                serve(emulator, caller, request, next).await
            });
            late.await
                .unwrap_or_else(|_| StripeError::api_error().into_response())
        }
        None => serve(emulator, caller, request, next).await,
    }
}

async fn serve(emulator: StripeEmulator, caller: Caller, request: Request, next: Next) -> Response {
    let idempotency_key = (request.method() == Method::POST)
        .then(|| {
            request
                .headers()
                .get("idempotency-key")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .flatten();
    let ctx = Ctx {
        caller,
        request_id: ids::new_id("req"),
        idempotency_key: idempotency_key.clone(),
    };
    let request_id = ctx.request_id.clone();
    let mut response = match idempotency_key {
        Some(key) => idempotent(&emulator, key, ctx, request, next).await,
        None => {
            let mut request = request;
            request.extensions_mut().insert(ctx);
            next.run(request).await
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().entry("request-id").or_insert(value);
    }
    response
}

/// Same key and same parameters: the stored answer; same key, other parameters: a 400.
async fn idempotent(
    emulator: &StripeEmulator,
    key: String,
    ctx: Ctx,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return StripeError::invalid_request("The request body is too large.", None)
            .into_response();
    };
    let params = match form::decode(&bytes) {
        Ok(params) => params,
        Err(e) => return e.into_response(),
    };
    let fingerprint = idempotency::Fingerprint {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        params,
    };
    let guard = match emulator.inner.idempotency.begin(&key, fingerprint) {
        Begin::Replay(stored) => return stored,
        Begin::Refused(e) => return e.into_response(),
        Begin::Fresh(guard) => guard,
    };
    parts.extensions.insert(ctx);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    guard.complete(response).await
}

/// The emulator's `POST /v1/test_helpers/payment_intents/{id}/settle_bank_debit`: the bank
/// answers a processing debit now instead of after the delay (Stripe has no such call).
async fn settle_bank_debit(Path(id): Path<String>, Call(emulator, ctx, _): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| bank_accounts::settle(tx, &id).map(Json))
}

fn millis(delay: Duration) -> u64 {
    u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)
}

async fn unknown_route(request: Request) -> StripeError {
    StripeError::no_route(request.method().as_str(), request.uri().path())
}
