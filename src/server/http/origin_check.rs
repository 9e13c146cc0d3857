//! Cross-site request forgery guard. The session cookie is SameSite=Lax, which already keeps it
//! off most cross-site POSTs; this adds the check OWASP recommends on top: a state-changing
//! request whose `Origin` (or, failing that, `Referer`) names another site is refused.
//! Requests with neither header (curl, server-to-server) carry no browser cookie risk and pass.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::server::state::AppState;

/// Stripe posts webhooks from its own servers; their authenticity is the signature's job.
const EXEMPT_PATHS: &[&str] = &["/api/stripe/webhook"];

pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if safe_method || EXEMPT_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match request_origin(request.headers()) {
        Some(origin)
            if !is_own_origin(
                &origin,
                request.headers(),
                state.config.public_url.as_deref(),
            ) =>
        {
            tracing::warn!(
                origin,
                path = request.uri().path(),
                "cross-origin request refused"
            );
            AppError::CrossOrigin.into_response()
        }
        _ => next.run(request).await,
    }
}

/// The origin the browser says the request came from: `Origin`, else the origin part of
/// `Referer`.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        return Some(origin.to_str().unwrap_or("null").to_owned());
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let (scheme, rest) = referer.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}"))
}

/// Ours when it names the host the request was sent to, or the configured public URL.
fn is_own_origin(origin: &str, headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if public_url.is_some_and(|url| url.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false; // "null" and other opaque origins
    };
    headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| host.eq_ignore_ascii_case(authority))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn origin_header_wins_over_referer() {
        let h = headers(&[
            (header::ORIGIN, "https://evil.example"),
            (header::REFERER, "http://127.0.0.1:3005/billing"),
        ]);
        assert_eq!(request_origin(&h).as_deref(), Some("https://evil.example"));
    }

    #[test]
    fn referer_is_cut_to_its_origin() {
        let h = headers(&[(header::REFERER, "http://127.0.0.1:3005/billing?x=1")]);
        assert_eq!(request_origin(&h).as_deref(), Some("http://127.0.0.1:3005"));
    }

    #[test]
    fn same_host_is_own_and_other_host_is_not() {
        let h = headers(&[(header::HOST, "127.0.0.1:3005")]);
        assert!(is_own_origin("http://127.0.0.1:3005", &h, None));
        assert!(!is_own_origin("http://127.0.0.1:4000", &h, None));
        assert!(!is_own_origin("null", &h, None));
    }

    #[test]
    fn public_url_counts_as_own_behind_a_proxy() {
        let h = headers(&[(header::HOST, "10.0.0.5:3005")]);
        assert!(is_own_origin(
            "https://billing.example.edu",
            &h,
            Some("https://billing.example.edu")
        ));
    }
}
