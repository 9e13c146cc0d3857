//! Start-up configuration from environment variables (and `.env`).
//!
//! Every variable is read and validated here, once, so that a mistake stops the server with one
//! line naming the variable and the fix, instead of surfacing later as a failed payment. Secrets
//! are wrapped in `SecretString`, whose `Debug` prints `[REDACTED]`, so they cannot reach a log
//! line by accident.

use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};

use crate::domain::money::{Currency, UnitPrice};
use crate::domain::payment_method_types::{PaymentMethodType, parse_list};
use crate::domain::pricing::{DEFAULT_MAX_QUANTITY, MIN_QUANTITY, Pricing};

pub const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3005";
pub const DEFAULT_SQLITE_URL: &str = "sqlite://data/octavia-billing.db?mode=rwc";
pub const DEFAULT_STRIPE_API_BASE: &str = "https://api.stripe.com/";
pub const DEFAULT_STRIPE_JS_URL: &str = "https://js.stripe.com/v3/";
/// $20.00 and $25.00 per session: annual is the cheaper plan, as the seed's dashboard shows.
pub const DEFAULT_PRICE_ANNUAL: &str = "2000";
pub const DEFAULT_PRICE_QUARTERLY: &str = "2500";
/// Stripe answers in well under a second; a hung connection must not hold an admin's request.
pub const DEFAULT_STRIPE_TIMEOUT_SECS: u64 = 15;
/// Beyond this the admin's browser or a proxy gives up first.
pub const MAX_STRIPE_TIMEOUT_SECS: u64 = 120;
/// How often the background jobs run: the reconciliation sweep, the missed-event catch-up and
/// the cancelling of abandoned checkouts.
pub const DEFAULT_RECONCILE_INTERVAL_SECS: u64 = 5 * 60;
pub const DEFAULT_PAYMENT_METHODS: &str = "card,us_bank_account,customer_balance";
/// How long the embedded emulator's bank debits (ACH) stay processing; days on Stripe.
pub const DEFAULT_EMULATOR_BANK_DEBIT_SECS: u64 = 10;
/// A checkout nobody paid within this long is canceled at Stripe.
pub const DEFAULT_ABANDONED_CHECKOUT_HOURS: u64 = 24;
/// The sweep stops asking Stripe about purchases older than a week, so abandonment must come
/// before that.
pub const MAX_ABANDONED_CHECKOUT_HOURS: u64 = 6 * 24;
/// A login ends this long after sign-in however active it is (7 days).
pub const DEFAULT_SESSION_MAX_AGE_SECS: u64 = 7 * 24 * 60 * 60;
/// Password checks one client address may run at once.
pub const DEFAULT_LOGIN_HASH_CONCURRENCY_PER_CLIENT: usize = 2;
/// Orchestrators wait about this long between SIGTERM and SIGKILL (Kubernetes: 30 s).
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;
const MAX_SHUTDOWN_TIMEOUT_SECS: u64 = 15 * 60;
/// Each password check holds about 19 MiB (Argon2id's memory cost); this bounds what a setting
/// may ask for.
const MAX_LOGIN_HASH_CONCURRENCY: u64 = 1024;

/// Which database the app talks to; chosen by the scheme of `DATABASE_URL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// How the app reaches Stripe.
#[derive(Debug, Clone)]
pub enum StripeMode {
    /// No key configured: the embedded emulator answers (offline test mode), and accepts only
    /// the keys generated here at start-up ([`StripeKeys::generate_offline`]).
    Offline(StripeKeys),
    /// Real Stripe (or any Stripe-compatible server at `STRIPE_API_BASE`).
    Keys(StripeKeys),
}

impl StripeMode {
    pub fn keys(&self) -> &StripeKeys {
        match self {
            StripeMode::Offline(keys) | StripeMode::Keys(keys) => keys,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StripeKeys {
    pub secret_key: SecretString,
    pub publishable_key: String,
    /// `STRIPE_WEBHOOK_SECRET`, which may list several secrets separated by commas while one
    /// is rotated: an event signed with any of them is accepted. Never empty; the first one
    /// signs the emulator's events.
    pub webhook_secrets: Vec<SecretString>,
}

impl StripeKeys {
    /// A fresh pair for the emulator, `sk_test_emulator_<random>` and a `pk_test_emulator_`
    /// key of its own random (the page shows the publishable key, which must not reveal the
    /// secret one), so only this process and whoever it shows the key to can call it. Webhooks are signed with
    /// `STRIPE_WEBHOOK_SECRET`, or a fresh secret when unset: the emulator signs, the app
    /// verifies, and any secret both share will do.
    fn generate_offline(webhook_secrets: Option<Vec<SecretString>>) -> Self {
        let random = || uuid::Uuid::new_v4().simple().to_string();
        StripeKeys {
            secret_key: SecretString::from(format!("sk_test_emulator_{}", random())),
            publishable_key: format!("pk_test_emulator_{}", random()),
            webhook_secrets: webhook_secrets.unwrap_or_else(|| {
                vec![SecretString::from(format!(
                    "whsec_{}",
                    uuid::Uuid::new_v4().simple()
                ))]
            }),
        }
    }

    pub fn is_live(&self) -> bool {
        let key = self.secret_key.expose_secret();
        key.starts_with("sk_live_") || key.starts_with("rk_live_")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub site_addr: SocketAddr,
    /// The public origin browsers use, e.g. `https://billing.example.edu`; decides the cookie's
    /// `Secure` flag and which `Origin` counts as our own behind a proxy.
    pub public_url: Option<String>,
    pub database_url: SecretString,
    pub database_kind: DatabaseKind,
    pub stripe: StripeMode,
    pub stripe_api_base: String,
    pub stripe_js_url: String,
    /// How long one call to Stripe may take before the admin is told Stripe is not answering.
    pub stripe_timeout: Duration,
    /// `RECONCILE_INTERVAL_SECS`: how often the reconciliation jobs run.
    pub reconcile_interval: Duration,
    /// `ABANDONED_CHECKOUT_HOURS`: an unpaid checkout older than this is canceled.
    pub abandoned_checkout: Duration,
    /// `EMULATOR_BANK_DEBIT_SECS`: offline test mode only, how long the embedded emulator's
    /// bank debits are processing before the bank's answer.
    pub emulator_bank_debit: Duration,
    pub price_annual: UnitPrice,
    pub price_quarterly: UnitPrice,
    pub currency: Currency,
    /// `PAYMENT_METHODS`: what institutions may pay with, those the currency allows.
    pub payment_methods: Vec<PaymentMethodType>,
    pub max_sessions_per_purchase: i64,
    /// `OFFLINE_TEST_MODE=1`: run the emulator even where offline mode is not local (end-to-end
    /// and demo deployments); see [`Config::check_offline_is_local`].
    pub offline_anywhere: bool,
    /// How long a login lasts after sign-in, whatever the activity (the idle limit is separate).
    pub session_max_age: Duration,
    /// Password checks (Argon2id, memory-hard) running at once, over all clients.
    pub login_hash_concurrency: usize,
    /// Password checks one client address may run at once.
    pub login_hash_concurrency_per_client: usize,
    /// Proxies whose `X-Forwarded-For` names the client; any other peer is the client itself.
    pub trusted_proxies: Vec<IpNet>,
    /// `METRICS_ADDR`: a listener of its own for `GET /metrics` (off when unset).
    pub metrics_addr: Option<SocketAddr>,
    /// `METRICS_TOKEN`: the bearer token `/metrics` asks for; with it, the main listener serves
    /// `/metrics` too.
    pub metrics_token: Option<SecretString>,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long requests in flight may take to finish after SIGTERM.
    pub shutdown_timeout: Duration,
}

/// A configuration mistake, rendered as one line: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "configuration error: {} {}; {}",
            self.variable, self.problem, self.fix
        )
    }
}

impl std::error::Error for ConfigError {}

fn error(
    variable: &'static str,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
        fix: fix.into(),
    }
}

impl Config {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is a mistake worth stopping for.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => {
                return Err(error(
                    ".env",
                    format!("could not be read ({e})"),
                    "fix the line it names or remove the file",
                ));
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any lookup; tests pass a map instead of the environment.
    /// Empty values count as unset, as in most `.env` tooling.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let site_addr = parse_socket_addr(
            "LEPTOS_SITE_ADDR",
            &get("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_SITE_ADDR.into()),
        )?;

        let public_url = get("PUBLIC_URL")
            .map(|url| parse_public_url(&url))
            .transpose()?;

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_SQLITE_URL.into());
        let database_kind = parse_database_kind(&database_url)?;

        let stripe = parse_stripe_mode(&get)?;
        let stripe_api_base = normalise_base_url(
            "STRIPE_API_BASE",
            get("STRIPE_API_BASE").unwrap_or_else(|| DEFAULT_STRIPE_API_BASE.into()),
        )?;
        let stripe_js_url = get("STRIPE_JS_URL").unwrap_or_else(|| DEFAULT_STRIPE_JS_URL.into());
        if !is_http_url(&stripe_js_url) {
            return Err(error(
                "STRIPE_JS_URL",
                format!("is not an http(s) URL: {stripe_js_url:?}"),
                format!("unset it to use {DEFAULT_STRIPE_JS_URL}"),
            ));
        }

        if let StripeMode::Keys(keys) = &stripe
            && keys.is_live()
        {
            require_stripe_host("STRIPE_API_BASE", &stripe_api_base, "api.stripe.com")?;
            require_stripe_host("STRIPE_JS_URL", &stripe_js_url, "js.stripe.com")?;
        }

        let secs =
            |name: &'static str, default: u64, range| parse_secs(name, get(name), default, range);
        let stripe_timeout = secs(
            "STRIPE_TIMEOUT_SECS",
            DEFAULT_STRIPE_TIMEOUT_SECS,
            1..=MAX_STRIPE_TIMEOUT_SECS,
        )?;
        let day = 24 * 60 * 60;
        let reconcile_interval = secs(
            "RECONCILE_INTERVAL_SECS",
            DEFAULT_RECONCILE_INTERVAL_SECS,
            1..=day,
        )?;
        let emulator_bank_debit = secs(
            "EMULATOR_BANK_DEBIT_SECS",
            DEFAULT_EMULATOR_BANK_DEBIT_SECS,
            0..=day,
        )?;
        let abandoned_checkout_hours = parse_whole(
            "ABANDONED_CHECKOUT_HOURS",
            get("ABANDONED_CHECKOUT_HOURS"),
            DEFAULT_ABANDONED_CHECKOUT_HOURS,
            1..=MAX_ABANDONED_CHECKOUT_HOURS,
            "hours",
        )?;

        let price_annual = parse_price(
            "PRICE_PER_SESSION_ANNUAL",
            get("PRICE_PER_SESSION_ANNUAL").unwrap_or_else(|| DEFAULT_PRICE_ANNUAL.into()),
        )?;
        let price_quarterly = parse_price(
            "PRICE_PER_SESSION_QUARTERLY",
            get("PRICE_PER_SESSION_QUARTERLY").unwrap_or_else(|| DEFAULT_PRICE_QUARTERLY.into()),
        )?;
        if price_annual.cents() > price_quarterly.cents() {
            return Err(error(
                "PRICE_PER_SESSION_ANNUAL",
                format!(
                    "({}) is higher than PRICE_PER_SESSION_QUARTERLY ({})",
                    price_annual.cents(),
                    price_quarterly.cents()
                ),
                "the annual plan is the discounted one: make it the lower price",
            ));
        }

        let currency_raw = get("CURRENCY").unwrap_or_else(|| "usd".into());
        let currency = Currency::parse(&currency_raw).map_err(|problem| {
            error(
                "CURRENCY",
                problem,
                "use a three-letter ISO code that Stripe supports, like usd, eur or gbp",
            )
        })?;

        let payment_methods = payment_methods(get("PAYMENT_METHODS"), currency.code())?;

        let max_raw =
            get("MAX_SESSIONS_PER_PURCHASE").unwrap_or_else(|| DEFAULT_MAX_QUANTITY.to_string());
        let max_sessions_per_purchase = match max_raw.parse::<i64>() {
            Ok(n) if n >= MIN_QUANTITY => n,
            _ => {
                return Err(error(
                    "MAX_SESSIONS_PER_PURCHASE",
                    format!("must be a whole number of at least {MIN_QUANTITY}, got {max_raw:?}"),
                    format!("unset it for the default of {DEFAULT_MAX_QUANTITY}"),
                ));
            }
        };

        let offline_anywhere = parse_flag("OFFLINE_TEST_MODE", get("OFFLINE_TEST_MODE"))?;

        let session_max_age = parse_secs(
            "SESSION_MAX_AGE_SECS",
            get("SESSION_MAX_AGE_SECS"),
            DEFAULT_SESSION_MAX_AGE_SECS,
            1..=365 * 24 * 60 * 60,
        )?;
        let login_hash_concurrency = parse_whole(
            "LOGIN_HASH_CONCURRENCY",
            get("LOGIN_HASH_CONCURRENCY"),
            default_login_hash_concurrency(),
            1..=MAX_LOGIN_HASH_CONCURRENCY,
            "password checks",
        )? as usize;
        let login_hash_concurrency_per_client = parse_whole(
            "LOGIN_HASH_CONCURRENCY_PER_CLIENT",
            get("LOGIN_HASH_CONCURRENCY_PER_CLIENT"),
            DEFAULT_LOGIN_HASH_CONCURRENCY_PER_CLIENT as u64,
            1..=MAX_LOGIN_HASH_CONCURRENCY,
            "password checks",
        )? as usize;
        let trusted_proxies = get("TRUSTED_PROXIES")
            .map(|raw| parse_trusted_proxies(&raw))
            .transpose()?
            .unwrap_or_default();
        let metrics_addr = get("METRICS_ADDR")
            .map(|raw| parse_socket_addr("METRICS_ADDR", &raw))
            .transpose()?;
        let metrics_token = get("METRICS_TOKEN").map(SecretString::from);
        let shutdown_timeout = parse_secs(
            "SHUTDOWN_TIMEOUT_SECS",
            get("SHUTDOWN_TIMEOUT_SECS"),
            DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            0..=MAX_SHUTDOWN_TIMEOUT_SECS,
        )?;

        Ok(Config {
            site_addr,
            public_url,
            database_url: SecretString::from(database_url),
            database_kind,
            stripe,
            stripe_api_base,
            stripe_js_url,
            stripe_timeout,
            reconcile_interval,
            abandoned_checkout: Duration::from_secs(abandoned_checkout_hours * 60 * 60),
            emulator_bank_debit,
            price_annual,
            price_quarterly,
            currency,
            payment_methods,
            max_sessions_per_purchase,
            offline_anywhere,
            session_max_age,
            login_hash_concurrency,
            login_hash_concurrency_per_client,
            trusted_proxies,
            metrics_addr,
            metrics_token,
            shutdown_timeout,
        })
    }

    /// A server other machines can reach must know the origin browsers use: it decides the
    /// cookie's `Secure` flag and HSTS, and guessing plain http there would send the session
    /// cookie over any unencrypted hop.
    pub fn check_public_url_when_exposed(&self) -> Result<(), ConfigError> {
        if self.public_url.is_some() || self.site_addr.ip().is_loopback() {
            return Ok(());
        }
        Err(error(
            "PUBLIC_URL",
            format!(
                "is missing while LEPTOS_SITE_ADDR ({}) is reachable from other machines",
                self.site_addr
            ),
            "set it to the origin browsers use, like https://billing.example.edu, or listen on 127.0.0.1",
        ))
    }

    /// Offline test mode takes payments nobody pays, so it runs only where it cannot face real
    /// customers: a SQLite file, a loopback listener, and no public URL other than localhost.
    /// A deployment that merely forgot its Stripe variables stops here instead of giving
    /// sessions away.
    pub fn check_offline_is_local(&self) -> Result<(), ConfigError> {
        let local = self.database_kind == DatabaseKind::Sqlite
            && self.site_addr.ip().is_loopback()
            && self.public_url.as_deref().is_none_or(is_local_origin);
        if !self.offline_test_mode() || self.offline_anywhere || local {
            return Ok(());
        }
        Err(error(
            "STRIPE_SECRET_KEY",
            "is missing",
            "offline test mode runs only on a local SQLite database (set the keys, or OFFLINE_TEST_MODE=1 to run the emulator anyway)",
        ))
    }

    pub fn offline_test_mode(&self) -> bool {
        matches!(self.stripe, StripeMode::Offline { .. })
    }

    /// Which Stripe objects are made in: the emulator's, or Stripe's test or live mode. Objects
    /// of one do not exist in another.
    pub fn stripe_origin(&self) -> &'static str {
        match &self.stripe {
            StripeMode::Offline(_) => "emulator",
            StripeMode::Keys(keys) if keys.is_live() => "live",
            StripeMode::Keys(_) => "test",
        }
    }

    /// What the browser's Stripe.js is given: public values only.
    pub fn stripe_client(&self) -> crate::api_types::StripeClientConfig {
        crate::api_types::StripeClientConfig {
            publishable_key: self.publishable_key().to_owned(),
            js_url: self.stripe_js_url.clone(),
            currency: self.currency.code().to_owned(),
            payment_method_types: self.payment_methods.clone(),
        }
    }

    /// The key the browser's Stripe.js is given (public by design).
    fn publishable_key(&self) -> &str {
        &self.stripe.keys().publishable_key
    }

    /// The secret webhooks are signed with: the endpoint's (keys) or the emulator's (offline).
    pub fn webhook_secret(&self) -> &SecretString {
        &self.stripe.keys().webhook_secrets[0]
    }

    /// Every secret a webhook may be signed with (see [`StripeKeys::webhook_secrets`]).
    pub fn webhook_secrets(&self) -> &[SecretString] {
        &self.stripe.keys().webhook_secrets
    }

    pub fn pricing(&self) -> Pricing {
        Pricing {
            currency: self.currency.clone(),
            annual: self.price_annual,
            quarterly: self.price_quarterly,
            max_quantity: self.max_sessions_per_purchase,
        }
    }

    /// Browsers reach the app over https: cookies carry `Secure` and responses HSTS. Plain-http
    /// development keeps working.
    pub fn public_url_is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains('/') => Ok(trimmed.to_owned()),
        _ => Err(error(
            "PUBLIC_URL",
            format!("is not an origin: {url:?}"),
            "set scheme and host only, like https://billing.example.edu",
        )),
    }
}

/// `http://localhost[:port]` or `http://127.0.0.1[:port]`.
fn is_local_origin(origin: &str) -> bool {
    let Some(host_port) = origin.strip_prefix("http://") else {
        return false;
    };
    let host = host_port
        .rsplit_once(':')
        .filter(|(_, port)| port.parse::<u16>().is_ok())
        .map_or(host_port, |(host, _)| host);
    host == "localhost" || host == "127.0.0.1"
}

/// An on/off variable: `1`/`true` or `0`/`false`, unset is off.
fn parse_flag(variable: &'static str, raw: Option<String>) -> Result<bool, ConfigError> {
    match raw.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(other) => Err(error(
            variable,
            format!("must be 1 or 0, got {other:?}"),
            "set it to 1 to turn it on, or unset it",
        )),
    }
}

fn parse_database_kind(url: &str) -> Result<DatabaseKind, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DatabaseKind::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(DatabaseKind::Sqlite)
    } else {
        // Never echo the value: a database URL usually carries a password.
        Err(error(
            "DATABASE_URL",
            "has an unsupported scheme",
            format!(
                "use postgres://user:password@host/db, or unset it for the embedded {DEFAULT_SQLITE_URL}"
            ),
        ))
    }
}

fn parse_stripe_mode(get: &impl Fn(&str) -> Option<String>) -> Result<StripeMode, ConfigError> {
    let publishable = get("STRIPE_PUBLISHABLE_KEY").or_else(|| get("VITE_STRIPE_PUBLISHABLE_KEY"));
    let Some(secret) = get("STRIPE_SECRET_KEY") else {
        if publishable.is_some() {
            return Err(error(
                "STRIPE_SECRET_KEY",
                "is missing while a publishable key is set",
                "set both keys from the same Stripe dashboard, or neither for offline test mode",
            ));
        }
        let webhook_secrets = get("STRIPE_WEBHOOK_SECRET")
            .map(parse_webhook_secrets)
            .transpose()?;
        return Ok(StripeMode::Offline(StripeKeys::generate_offline(
            webhook_secrets,
        )));
    };
    let live = if secret.starts_with("sk_live_") || secret.starts_with("rk_live_") {
        true
    } else if secret.starts_with("sk_test_") || secret.starts_with("rk_test_") {
        false
    } else {
        return Err(error(
            "STRIPE_SECRET_KEY",
            "does not look like a Stripe secret key (sk_test_... or sk_live_...)",
            "copy it from Stripe Dashboard > Developers > API keys",
        ));
    };
    let Some(publishable_key) = publishable else {
        return Err(error(
            "STRIPE_PUBLISHABLE_KEY",
            "is missing",
            "copy the publishable key (pk_...) from the same Stripe dashboard page as the secret key",
        ));
    };
    let expected_prefix = if live { "pk_live_" } else { "pk_test_" };
    if !publishable_key.starts_with(expected_prefix) {
        return Err(error(
            "STRIPE_PUBLISHABLE_KEY",
            format!("must start with {expected_prefix} to match STRIPE_SECRET_KEY"),
            "use the test or live key pair from one dashboard, not a mix",
        ));
    }
    let Some(webhook_secret) = get("STRIPE_WEBHOOK_SECRET") else {
        return Err(error(
            "STRIPE_WEBHOOK_SECRET",
            "is missing",
            "copy the signing secret (whsec_...) of your webhook endpoint, or the one `stripe listen` prints",
        ));
    };
    Ok(StripeMode::Keys(StripeKeys {
        secret_key: SecretString::from(secret),
        publishable_key,
        webhook_secrets: parse_webhook_secrets(webhook_secret)?,
    }))
}

/// `whsec_a` or, while rotating, `whsec_new,whsec_old`.
fn parse_webhook_secrets(raw: String) -> Result<Vec<SecretString>, ConfigError> {
    let secrets: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() || secrets.iter().any(|s| !s.starts_with("whsec_")) {
        return Err(error(
            "STRIPE_WEBHOOK_SECRET",
            "does not start with whsec_ (or one of its comma-separated secrets does not)",
            "copy the endpoint's signing secret, not an API key; separate several with commas",
        ));
    }
    Ok(secrets
        .into_iter()
        .map(|s| SecretString::from(s.to_owned()))
        .collect())
}

/// With live keys, real money and the secret key go only to Stripe itself: a stray test
/// server or proxy in these variables would see both.
fn require_stripe_host(variable: &'static str, url: &str, host: &str) -> Result<(), ConfigError> {
    let actual = url
        .strip_prefix("https://")
        .and_then(|rest| rest.split(['/', '?', '#']).next());
    if actual == Some(host) {
        return Ok(());
    }
    Err(error(
        variable,
        format!("must be an https URL on {host} with live keys, got {url:?}"),
        "unset it to use Stripe's own, or use test keys (sk_test_) with another server",
    ))
}

fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// async-stripe joins paths onto the base, so a base with a path must end in `/`
/// (`.../_emulator/stripe` would otherwise become `.../_emulator/stripev1/...`).
fn normalise_base_url(variable: &'static str, url: String) -> Result<String, ConfigError> {
    if !is_http_url(&url) {
        return Err(error(
            variable,
            format!("is not an http(s) URL: {url:?}"),
            format!("unset it to use {DEFAULT_STRIPE_API_BASE}"),
        ));
    }
    Ok(if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    })
}

/// A whole number of `unit` within `range`, or `default` when unset.
fn parse_whole(
    variable: &'static str,
    raw: Option<String>,
    default: u64,
    range: RangeInclusive<u64>,
    unit: &str,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    match raw.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(error(
            variable,
            format!(
                "must be a whole number of {unit} from {} to {}, got {raw:?}",
                range.start(),
                range.end()
            ),
            format!("unset it for the default of {default}"),
        )),
    }
}

/// `PAYMENT_METHODS` (all of them by default), less those the currency does not allow.
fn payment_methods(
    raw: Option<String>,
    currency: &str,
) -> Result<Vec<PaymentMethodType>, ConfigError> {
    let raw = raw.unwrap_or_else(|| DEFAULT_PAYMENT_METHODS.to_owned());
    let fix = format!("list some of {DEFAULT_PAYMENT_METHODS}, separated by commas");
    let listed =
        parse_list(&raw).map_err(|problem| error("PAYMENT_METHODS", problem, fix.clone()))?;
    let offered: Vec<_> = listed
        .into_iter()
        .filter(|m| m.available_in(currency))
        .collect();
    if offered.is_empty() {
        return Err(error(
            "PAYMENT_METHODS",
            format!("offers nothing in {currency}: bank debits and transfers are in usd only"),
            "add card",
        ));
    }
    Ok(offered)
}

/// A whole number of seconds within `range`, or `default` when unset.
fn parse_secs(
    variable: &'static str,
    raw: Option<String>,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    parse_whole(variable, raw, default, range, "seconds").map(Duration::from_secs)
}

/// Two password checks per core: enough to keep every core busy while a check waits for its
/// turn on the blocking pool, and no more memory than that.
fn default_login_hash_concurrency() -> u64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    2 * cores as u64
}

fn parse_socket_addr(variable: &'static str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.parse().map_err(|_| {
        error(
            variable,
            format!("is not an address and port: {raw:?}"),
            "set it like 127.0.0.1:3005 or 0.0.0.0:8080",
        )
    })
}

/// `10.0.0.7, 10.1.0.0/16, ::1`: addresses or CIDR ranges, separated by commas.
fn parse_trusted_proxies(raw: &str) -> Result<Vec<IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    error(
                        "TRUSTED_PROXIES",
                        format!("has {entry:?}, which is not an IP address or CIDR range"),
                        "list your proxies' addresses separated by commas, like 10.0.0.7, 10.1.0.0/16",
                    )
                })
        })
        .collect()
}

fn parse_price(variable: &'static str, raw: String) -> Result<UnitPrice, ConfigError> {
    let cents: i64 = raw.parse().map_err(|_| {
        error(
            variable,
            format!("must be a whole number of cents, got {raw:?}"),
            "write 1999 for $19.99",
        )
    })?;
    UnitPrice::new(cents).map_err(|problem| error(variable, problem, "write 1999 for $19.99"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_offline_sqlite_on_port_3005() {
        let c = config(&[]).unwrap();
        assert!(c.offline_test_mode());
        assert_eq!(c.database_kind, DatabaseKind::Sqlite);
        assert_eq!(c.site_addr.port(), 3005);
        assert_eq!(c.price_annual.cents(), 2000);
        assert_eq!(c.price_quarterly.cents(), 2500);
        assert_eq!(c.currency.code(), "usd");
        assert!(!c.public_url_is_https());
    }

    #[test]
    fn postgres_url_selects_postgres() {
        let c = config(&[("DATABASE_URL", "postgres://u@localhost/db")]).unwrap();
        assert_eq!(c.database_kind, DatabaseKind::Postgres);
    }

    #[test]
    fn unsupported_database_scheme_is_named_without_echoing_the_url() {
        let e = config(&[("DATABASE_URL", "mysql://root:hunter2@x/db")]).unwrap_err();
        assert_eq!(e.variable, "DATABASE_URL");
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn fractional_price_is_rejected_with_the_variable_name() {
        let e = config(&[("PRICE_PER_SESSION_ANNUAL", "19.99")]).unwrap_err();
        assert_eq!(e.variable, "PRICE_PER_SESSION_ANNUAL");
        assert!(e.to_string().contains("whole number of cents"));
    }

    #[test]
    fn annual_must_not_cost_more_than_quarterly() {
        let e = config(&[
            ("PRICE_PER_SESSION_ANNUAL", "3000"),
            ("PRICE_PER_SESSION_QUARTERLY", "2500"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "PRICE_PER_SESSION_ANNUAL");
    }

    #[test]
    fn keys_switch_to_stripe_and_seed_publishable_name_is_accepted() {
        let c = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("VITE_STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ])
        .unwrap();
        match c.stripe {
            StripeMode::Keys(keys) => {
                assert_eq!(keys.publishable_key, "pk_test_abc");
                assert!(!keys.is_live());
            }
            StripeMode::Offline(_) => panic!("keys were given"),
        }
    }

    #[test]
    fn mixed_test_and_live_keys_are_refused() {
        let e = config(&[
            ("STRIPE_SECRET_KEY", "sk_live_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "STRIPE_PUBLISHABLE_KEY");
    }

    #[test]
    fn secret_key_needs_a_webhook_secret() {
        let e = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
        ])
        .unwrap_err();
        assert_eq!(e.variable, "STRIPE_WEBHOOK_SECRET");
    }

    #[test]
    fn secrets_do_not_appear_in_debug_output() {
        let c = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_supersecretvalue"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_supersecretvalue"),
            ("DATABASE_URL", "postgres://u:dbpassword@localhost/db"),
            ("METRICS_TOKEN", "metrics_supersecretvalue"),
        ])
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("supersecretvalue"));
        assert!(!debug.contains("dbpassword"));
    }

    #[test]
    fn stripe_api_base_gains_a_trailing_slash() {
        let c = config(&[("STRIPE_API_BASE", "http://127.0.0.1:3005/_emulator/stripe")]).unwrap();
        assert_eq!(c.stripe_api_base, "http://127.0.0.1:3005/_emulator/stripe/");
    }

    #[test]
    fn offline_mode_generates_a_webhook_secret_when_unset() {
        let a = config(&[]).unwrap();
        let b = config(&[]).unwrap();
        let secret = a.webhook_secret().expose_secret();
        assert!(
            secret.starts_with("whsec_") && secret.len() > "whsec_".len() + 16,
            "{secret}"
        );
        assert_ne!(
            secret,
            b.webhook_secret().expose_secret(),
            "a fresh secret per start"
        );
    }

    #[test]
    fn offline_mode_generates_a_key_pair_per_start() {
        let a = config(&[]).unwrap();
        let keys = a.stripe.keys();
        let secret = keys.secret_key.expose_secret();
        let random = secret.strip_prefix("sk_test_emulator_").expect(secret);
        assert!(random.len() >= 32, "{secret}");
        assert!(keys.publishable_key.starts_with("pk_test_emulator_"));
        assert!(
            !keys.publishable_key.contains(random),
            "the public key does not reveal the secret one"
        );
        assert_ne!(
            config(&[])
                .unwrap()
                .stripe
                .keys()
                .secret_key
                .expose_secret(),
            secret
        );
        assert!(!format!("{a:?}").contains(random), "secret key redacted");
    }

    #[test]
    fn offline_mode_keeps_a_given_webhook_secret_and_checks_it() {
        let c = config(&[("STRIPE_WEBHOOK_SECRET", "whsec_given")]).unwrap();
        assert!(c.offline_test_mode());
        assert_eq!(c.webhook_secret().expose_secret(), "whsec_given");
        let e = config(&[("STRIPE_WEBHOOK_SECRET", "sk_test_oops")]).unwrap_err();
        assert_eq!(e.variable, "STRIPE_WEBHOOK_SECRET");
        assert!(
            !format!("{:?}", config(&[]).unwrap()).contains("whsec_"),
            "secret redacted in Debug"
        );
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let c = config(&[("PUBLIC_URL", "https://billing.example.edu/")]).unwrap();
        assert!(c.public_url_is_https());
        assert_eq!(c.public_url.as_deref(), Some("https://billing.example.edu"));
    }

    #[test]
    fn max_sessions_defaults_to_ten_thousand_and_rejects_zero() {
        assert_eq!(config(&[]).unwrap().pricing().max_quantity, 10_000);
        let e = config(&[("MAX_SESSIONS_PER_PURCHASE", "0")]).unwrap_err();
        assert_eq!(e.variable, "MAX_SESSIONS_PER_PURCHASE");
    }

    #[test]
    fn reconcile_interval_and_abandonment_have_defaults_and_bounds() {
        let c = config(&[]).unwrap();
        assert_eq!(c.reconcile_interval, Duration::from_secs(300));
        assert_eq!(c.abandoned_checkout, Duration::from_secs(24 * 3600));
        let c = config(&[
            ("RECONCILE_INTERVAL_SECS", "1"),
            ("ABANDONED_CHECKOUT_HOURS", "2"),
        ])
        .unwrap();
        assert_eq!(c.reconcile_interval, Duration::from_secs(1));
        assert_eq!(c.abandoned_checkout, Duration::from_secs(2 * 3600));
        for (variable, bad) in [
            ("RECONCILE_INTERVAL_SECS", "0"),
            ("RECONCILE_INTERVAL_SECS", "often"),
            ("ABANDONED_CHECKOUT_HOURS", "0"),
            ("ABANDONED_CHECKOUT_HOURS", "145"),
        ] {
            let e = config(&[(variable, bad)]).unwrap_err();
            assert_eq!(e.variable, variable, "{bad}");
        }
    }

    #[test]
    fn payment_methods_default_to_all_three_and_the_currency_limits_them() {
        use PaymentMethodType::*;
        assert_eq!(
            config(&[]).unwrap().payment_methods,
            [Card, UsBankAccount, CustomerBalance]
        );
        let c = config(&[("PAYMENT_METHODS", "card, us_bank_account")]).unwrap();
        assert_eq!(c.payment_methods, [Card, UsBankAccount]);
        let euros = config(&[("CURRENCY", "eur")]).unwrap();
        assert_eq!(euros.payment_methods, [Card]);
        for bad in [
            ("PAYMENT_METHODS", "card,paypal"),
            ("PAYMENT_METHODS", " , "),
        ] {
            let e = config(&[bad]).unwrap_err();
            assert_eq!(e.variable, "PAYMENT_METHODS", "{bad:?}");
        }
        let e = config(&[("CURRENCY", "eur"), ("PAYMENT_METHODS", "us_bank_account")]).unwrap_err();
        assert!(e.to_string().contains("usd only"), "{e}");
    }

    #[test]
    fn the_emulators_bank_debits_take_ten_seconds_unless_set() {
        assert_eq!(
            config(&[]).unwrap().emulator_bank_debit,
            Duration::from_secs(10)
        );
        let c = config(&[("EMULATOR_BANK_DEBIT_SECS", "0")]).unwrap();
        assert_eq!(c.emulator_bank_debit, Duration::ZERO);
        for bad in ["-1", "soon", "86401"] {
            let e = config(&[("EMULATOR_BANK_DEBIT_SECS", bad)]).unwrap_err();
            assert_eq!(e.variable, "EMULATOR_BANK_DEBIT_SECS", "{bad}");
        }
    }

    #[test]
    fn stripe_timeout_defaults_to_fifteen_seconds_and_takes_whole_seconds() {
        assert_eq!(config(&[]).unwrap().stripe_timeout, Duration::from_secs(15));
        let c = config(&[("STRIPE_TIMEOUT_SECS", "3")]).unwrap();
        assert_eq!(c.stripe_timeout, Duration::from_secs(3));
        for bad in ["0", "1.5", "-2", "121", "soon"] {
            let e = config(&[("STRIPE_TIMEOUT_SECS", bad)]).unwrap_err();
            assert_eq!(e.variable, "STRIPE_TIMEOUT_SECS", "{bad}");
            assert!(e.to_string().contains("from 1 to 120"), "{e}");
        }
    }

    /// Offline test mode with no keys, and whether the server may start with it.
    fn offline_allowed(vars: &[(&str, &str)]) -> Result<(), ConfigError> {
        config(vars).unwrap().check_offline_is_local()
    }

    #[test]
    fn offline_mode_is_allowed_on_local_sqlite_only() {
        assert_eq!(offline_allowed(&[]), Ok(()));
        for public_url in [
            "http://localhost:3005",
            "http://127.0.0.1",
            "http://localhost",
        ] {
            assert_eq!(offline_allowed(&[("PUBLIC_URL", public_url)]), Ok(()));
        }
        let refusals: [&[(&str, &str)]; 5] = [
            &[("DATABASE_URL", "postgres://u@localhost/db")],
            &[("LEPTOS_SITE_ADDR", "0.0.0.0:3005")],
            &[("LEPTOS_SITE_ADDR", "10.0.0.5:3005")],
            &[("PUBLIC_URL", "https://billing.example.edu")],
            &[("PUBLIC_URL", "http://localhost.example.edu")],
        ];
        for vars in refusals {
            let e = offline_allowed(vars).unwrap_err();
            assert_eq!(
                e.to_string(),
                "configuration error: STRIPE_SECRET_KEY is missing; offline test mode runs only on a local SQLite database (set the keys, or OFFLINE_TEST_MODE=1 to run the emulator anyway)",
                "{vars:?}"
            );
        }
    }

    #[test]
    fn offline_test_mode_1_runs_the_emulator_anywhere_and_keys_need_no_check() {
        let anywhere = [
            ("DATABASE_URL", "postgres://u@localhost/db"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:3005"),
            ("PUBLIC_URL", "https://demo.example.edu"),
        ];
        assert!(offline_allowed(&anywhere).is_err());
        let mut overridden = anywhere.to_vec();
        overridden.push(("OFFLINE_TEST_MODE", "1"));
        assert_eq!(offline_allowed(&overridden), Ok(()));

        let mut with_keys = anywhere.to_vec();
        with_keys.extend([
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ]);
        assert_eq!(offline_allowed(&with_keys), Ok(()));

        let e = config(&[("OFFLINE_TEST_MODE", "yes please")]).unwrap_err();
        assert_eq!(e.variable, "OFFLINE_TEST_MODE");
    }

    #[test]
    fn live_keys_talk_only_to_stripes_own_hosts_over_https() {
        let live = [
            ("STRIPE_SECRET_KEY", "sk_live_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ];
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = live.to_vec();
            vars.push(extra);
            config(&vars)
        };
        assert!(config(&live).is_ok(), "the defaults are Stripe's own");
        assert!(with(("STRIPE_API_BASE", "https://api.stripe.com")).is_ok());
        for (variable, url) in [
            ("STRIPE_API_BASE", "http://api.stripe.com/"),
            ("STRIPE_API_BASE", "https://api.stripe.com.evil.test/"),
            ("STRIPE_API_BASE", "http://127.0.0.1:3005/_emulator/stripe/"),
            ("STRIPE_JS_URL", "https://cdn.example.edu/stripe/v3/"),
            ("STRIPE_JS_URL", "http://js.stripe.com/v3/"),
        ] {
            let e = with((variable, url)).unwrap_err();
            assert_eq!(e.variable, variable, "{url}");
            assert!(e.to_string().contains("https URL on"), "{e}");
        }
        let mut test_keys = vec![
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ];
        test_keys.push(("STRIPE_API_BASE", "http://127.0.0.1:12111/"));
        assert!(config(&test_keys).is_ok(), "test keys may use any server");
    }

    #[test]
    fn several_webhook_secrets_may_be_given_while_one_is_rotated() {
        let c = config(&[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_new, whsec_old,"),
        ])
        .unwrap();
        let secrets: Vec<&str> = c
            .webhook_secrets()
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(secrets, ["whsec_new", "whsec_old"]);
        assert_eq!(c.webhook_secret().expose_secret(), "whsec_new");
        for bad in ["whsec_new,sk_test_oops", ",", "whsec_a,,nope"] {
            let e = config(&[("STRIPE_WEBHOOK_SECRET", bad)]).unwrap_err();
            assert_eq!(e.variable, "STRIPE_WEBHOOK_SECRET", "{bad}");
        }
    }

    #[test]
    fn sign_in_limits_default_and_refuse_nonsense_naming_the_variable() {
        let c = config(&[]).unwrap();
        assert_eq!(c.session_max_age, Duration::from_secs(7 * 24 * 60 * 60));
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(c.login_hash_concurrency, 2 * cores);
        assert_eq!(c.login_hash_concurrency_per_client, 2);
        assert!(c.trusted_proxies.is_empty());
        for variable in [
            "SESSION_MAX_AGE_SECS",
            "LOGIN_HASH_CONCURRENCY",
            "LOGIN_HASH_CONCURRENCY_PER_CLIENT",
        ] {
            for bad in ["0", "-1", "lots", "2.5"] {
                let e = config(&[(variable, bad)]).unwrap_err();
                assert_eq!(e.variable, variable, "{bad}");
                assert!(e.to_string().contains("whole number"), "{e}");
            }
        }
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let c = config(&[("TRUSTED_PROXIES", "10.0.0.7, 10.1.0.0/16,::1")]).unwrap();
        let listed: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(listed, ["10.0.0.7/32", "10.1.0.0/16", "::1/128"]);
        let e = config(&[("TRUSTED_PROXIES", "10.0.0.7, proxy.internal")]).unwrap_err();
        assert_eq!(e.variable, "TRUSTED_PROXIES");
        assert!(e.to_string().contains("proxy.internal"), "{e}");
    }

    #[test]
    fn listening_beyond_loopback_needs_a_public_url() {
        let exposed = |vars: &[(&str, &str)]| config(vars).unwrap().check_public_url_when_exposed();
        assert_eq!(exposed(&[]), Ok(()));
        assert_eq!(exposed(&[("LEPTOS_SITE_ADDR", "[::1]:3005")]), Ok(()));
        assert_eq!(
            exposed(&[
                ("LEPTOS_SITE_ADDR", "0.0.0.0:3005"),
                ("PUBLIC_URL", "https://billing.example.edu"),
            ]),
            Ok(())
        );
        let e = exposed(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3005")]).unwrap_err();
        assert_eq!(e.variable, "PUBLIC_URL");
    }

    #[test]
    fn operations_settings_default_off_and_name_the_variable_when_wrong() {
        let c = config(&[]).unwrap();
        assert_eq!(c.metrics_addr, None);
        assert!(c.metrics_token.is_none());
        assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
        let c = config(&[
            ("METRICS_ADDR", "127.0.0.1:9464"),
            ("METRICS_TOKEN", "scrape-me"),
            ("SHUTDOWN_TIMEOUT_SECS", "5"),
        ])
        .unwrap();
        assert_eq!(c.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(c.metrics_token.unwrap().expose_secret(), "scrape-me");
        assert_eq!(c.shutdown_timeout, Duration::from_secs(5));
        let e = config(&[("METRICS_ADDR", "9464")]).unwrap_err();
        assert_eq!(e.variable, "METRICS_ADDR");
        let e = config(&[("SHUTDOWN_TIMEOUT_SECS", "soon")]).unwrap_err();
        assert_eq!(e.variable, "SHUTDOWN_TIMEOUT_SECS");
    }

    #[test]
    fn bad_currency_is_named() {
        let e = config(&[("CURRENCY", "dollars")]).unwrap_err();
        assert_eq!(e.variable, "CURRENCY");
    }
}
