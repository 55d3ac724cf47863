//! Request-level protections that apply to every route.

use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, Method, StatusCode};

/// CSRF protection for every state-changing call (OWASP "verify origin with standard headers").
/// Browsers label every POST with `Sec-Fetch-Site` and/or `Origin`; a write whose labels say it
/// came from another site is refused before it reaches any handler. Requests with neither header
/// do not come from a browser, so they cannot carry a victim's cookies. SameSite=Lax on the
/// session cookie is the second line of defence.
pub async fn reject_cross_origin_writes(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return forbidden();
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if origin == "null" || origin_host != host {
            return forbidden();
        }
    }
    next.run(request).await
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
}

/// Security headers on every response. (The Content-Security-Policy of a page carries that
/// page's nonce, so the app sets it while rendering: `app::content_security_policy`.)
pub async fn add_security_headers(
    axum::extract::State(security): axum::extract::State<app::backend::SecurityConfig>,
    request: Request,
    next: Next,
) -> Response {
    // Pages and server-function answers show personal data: never kept by a browser or proxy.
    // Only the built bundle (`/pkg/…`) may be cached.
    let personal = !request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if personal {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if security.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}
