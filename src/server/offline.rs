//! Offline test mode: with no Stripe key configured, the embedded Stripe emulator (crate
//! `stripe-emulator`, cargo feature `emulator`) answers on the app's own listener, and the app's
//! Stripe client and the browser's Stripe.js are pointed at it. A server built without the
//! feature cannot run offline and says so at start-up instead of guessing.

use std::net::SocketAddr;

use axum::Router;

use super::config::Config;
use super::startup::StartupError;

/// Where the emulator is mounted.
pub const STRIPE_EMULATOR_PATH: &str = "/_emulator/stripe";

/// The running emulator, present only in offline test mode of a build that has it.
#[derive(Clone, Default)]
pub struct OfflineStripe {
    #[cfg(feature = "emulator")]
    emulator: Option<stripe_emulator::StripeEmulator>,
}

impl OfflineStripe {
    /// With keys: nothing. Without: the emulator, or an error when this build has none.
    pub fn start(config: &mut Config, bound: SocketAddr) -> Result<Self, StartupError> {
        if !config.offline_test_mode() {
            return Ok(OfflineStripe::default());
        }
        #[cfg(feature = "emulator")]
        return Ok(OfflineStripe {
            emulator: Some(start_emulator(config, bound)),
        });
        #[cfg(not(feature = "emulator"))]
        {
            let _ = bound;
            Err(StartupError::OfflineUnavailable)
        }
    }

    /// Nests the emulator's routes at [`STRIPE_EMULATOR_PATH`] when it runs; else they are 404.
    pub fn mount<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        #[cfg(feature = "emulator")]
        if let Some(emulator) = &self.emulator {
            return emulator.mount(router, STRIPE_EMULATOR_PATH);
        }
        router
    }

    #[cfg(feature = "emulator")]
    pub fn emulator(&self) -> Option<&stripe_emulator::StripeEmulator> {
        self.emulator.as_ref()
    }
}

/// Builds the emulator and points the app's Stripe client and Stripe.js at it on this very
/// listener.
#[cfg(feature = "emulator")]
fn start_emulator(config: &mut Config, bound: SocketAddr) -> stripe_emulator::StripeEmulator {
    // Reachable from this host even when listening on every interface (0.0.0.0).
    let local = if bound.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), bound.port())
    } else {
        bound
    };
    let own_origin = format!("http://{local}");
    let public_origin = config
        .public_url
        .clone()
        .unwrap_or_else(|| own_origin.clone());
    config.stripe_api_base = format!("{own_origin}{STRIPE_EMULATOR_PATH}/");
    config.stripe_js_url = format!("{public_origin}{STRIPE_EMULATOR_PATH}/js/v3/");
    let emulator = stripe_emulator::StripeEmulator::new(stripe_emulator::EmulatorSettings {
        public_base: format!("{public_origin}{STRIPE_EMULATOR_PATH}"),
        webhook_url: format!("{own_origin}/api/stripe/webhook"),
        webhook_secret: config.webhook_secret().clone(),
        secret_key: config.stripe.keys().secret_key.clone(),
        publishable_key: config.stripe_client().publishable_key,
    });
    emulator.set_bank_debit_delay(config.emulator_bank_debit);
    emulator
}
