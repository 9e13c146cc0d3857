//! Headers every response carries, whatever produced it: no MIME sniffing, no framing by other
//! sites, a referrer cut to the origin off-site, HSTS when the public URL is https, and a
//! Content-Security-Policy that lets scripts come only from the app and the configured
//! Stripe.js origin, and frames only from Stripe's hosts.
//!
//! Leptos renders inline scripts (the hydration loader, streamed resources), so each response
//! gets a fresh nonce: the middleware puts it in the request's extensions, the page rendering
//! gives it to Leptos ([`provide_page_nonce`]), and the policy allows scripts carrying it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

use crate::server::config::Config;

/// Where Stripe.js puts its card fields and 3-D Secure pages.
const STRIPE_FRAME_ORIGINS: &[&str] = &["https://js.stripe.com", "https://hooks.stripe.com"];
/// A year; browsers then refuse plain http to this host.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// This response's script nonce.
#[derive(Debug, Clone)]
pub struct CspNonce(String);

/// What the middleware adds, worked out once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// The origin `STRIPE_JS_URL` loads from (the emulator's own, offline).
    stripe_js_origin: String,
    frame_origins: String,
    hsts: bool,
}

impl SecurityHeaders {
    pub fn new(config: &Config) -> Arc<Self> {
        let stripe_js_origin = origin_of(&config.stripe_js_url).to_owned();
        let mut frames = vec![stripe_js_origin.as_str()];
        frames.extend(
            STRIPE_FRAME_ORIGINS
                .iter()
                .filter(|o| **o != stripe_js_origin),
        );
        Arc::new(SecurityHeaders {
            frame_origins: frames.join(" "),
            stripe_js_origin,
            hsts: config.public_url_is_https(),
        })
    }

    fn content_security_policy(&self, nonce: &str) -> String {
        // 'wasm-unsafe-eval' lets the page compile its own WebAssembly, nothing more.
        format!(
            "script-src 'self' {} 'nonce-{nonce}' 'wasm-unsafe-eval'; frame-src {}; \
             frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
            self.stripe_js_origin, self.frame_origins
        )
    }
}

/// `https://js.stripe.com/v3/` → `https://js.stripe.com` (the config checked the scheme).
fn origin_of(url: &str) -> &str {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url, |end| &url[..authority_start + end])
}

pub async fn add_security_headers(
    State(policy): State<Arc<SecurityHeaders>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::CONTENT_SECURITY_POLICY,
        &policy.content_security_policy(&nonce),
    );
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    // Pages and API answers hold an institution's billing data: never stored by a browser or
    // proxy. The site's files set their own caching (see `assets`).
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// For the page being rendered: Leptos puts this response's nonce on its inline scripts.
/// Outside a request (static files) there is none, and no script to allow.
pub fn provide_page_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(Nonce::from_value(nonce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://js.stripe.com/v3/"),
            "https://js.stripe.com"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3005/_emulator/stripe/js/v3/"),
            "http://127.0.0.1:3005"
        );
        assert_eq!(
            origin_of("https://cdn.example.edu"),
            "https://cdn.example.edu"
        );
    }
}
