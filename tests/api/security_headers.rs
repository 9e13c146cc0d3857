//! The headers every response carries, and the Content-Security-Policy's script sources.

use reqwest::Response;
use reqwest::header::HeaderMap;

use crate::helpers::{HTTPS_PUBLIC_URL, TestApp, spawn_app, spawn_app_configured};

fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

/// One of each kind of response: a page, JSON, an error page, a refused POST, the emulator.
async fn responses(app: &TestApp) -> Vec<(&'static str, Response)> {
    vec![
        ("page", app.get("/login").await),
        ("JSON", app.get("/api/me").await),
        ("not found", app.get("/no/such/page").await),
        ("bad sign-in", app.login("not-an-email", "x").await),
        ("emulator", app.get("/_emulator/stripe/js/v3/").await),
    ]
}

/// `script-src` of the policy, split into its sources.
fn script_sources(csp: &str) -> Vec<String> {
    csp.split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for (kind, response) in responses(&app).await {
        let h = response.headers();
        assert_eq!(header(h, "x-content-type-options"), "nosniff", "{kind}");
        assert_eq!(
            header(h, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{kind}"
        );
        assert_eq!(header(h, "x-frame-options"), "DENY", "{kind}");
        let csp = header(h, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{kind}: {csp}");
        assert!(
            csp.contains("frame-src ")
                && csp.contains("https://js.stripe.com https://hooks.stripe.com"),
            "{kind}: {csp}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "{kind}: no HSTS over plain http"
        );
    }
}

#[tokio::test]
async fn scripts_may_come_only_from_the_app_and_the_configured_stripe_js() {
    // Real Stripe keys: Stripe.js from js.stripe.com, no emulator.
    let app = spawn_app_configured(&[
        ("STRIPE_SECRET_KEY", "sk_test_headers"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_headers"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_headers"),
    ])
    .await;
    let page = app.get("/login").await;
    let csp = header(page.headers(), "content-security-policy").to_owned();
    let sources = script_sources(&csp);
    let nonce = sources
        .iter()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("no nonce in {csp}"))
        .to_owned();
    assert_eq!(
        sources,
        [
            "'self'".to_owned(),
            "https://js.stripe.com".to_owned(),
            format!("'nonce-{nonce}'"),
            "'wasm-unsafe-eval'".to_owned(),
        ],
        "{csp}"
    );

    // The page's own inline scripts carry this response's nonce, so they still run.
    let html = page.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "the page has its hydration script");
    for script in scripts {
        let tag = &script[..script.find('>').unwrap()];
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")) || tag.contains("src="),
            "inline script without the nonce: <script{tag}>"
        );
    }

    // A new nonce for every response.
    let again = app.get("/login").await;
    assert_ne!(header(again.headers(), "content-security-policy"), csp);
}

#[tokio::test]
async fn offline_the_emulators_stripe_js_origin_is_the_allowed_one() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    let sources = script_sources(header(response.headers(), "content-security-policy"));
    let own_origin = format!("http://{}", app.address);
    assert!(sources.contains(&own_origin), "{sources:?}");
    assert!(
        !sources.iter().any(|s| s.contains("js.stripe.com")),
        "{sources:?}"
    );
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = spawn_app_configured(HTTPS_PUBLIC_URL).await;
    for (kind, response) in responses(&app).await {
        let hsts = header(response.headers(), "strict-transport-security");
        assert!(hsts.starts_with("max-age="), "{kind}: {hsts}");
    }
}

/// Pages and API answers hold billing data: no browser or proxy may keep them.
#[tokio::test]
async fn pages_and_api_answers_are_never_stored() {
    let app = spawn_app().await;
    for (kind, response) in responses(&app).await {
        if kind != "emulator" {
            assert_eq!(
                header(response.headers(), "cache-control"),
                "no-store",
                "{kind}"
            );
        }
    }
}
