//! The HTTP request and response around the server function being run: cookies, client
//! address, status. Everything that touches leptos_axum's request context lives here.

use crate::error::AppError;
use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "clientele_session";
/// The name over https: browsers accept a `__Host-` cookie only when Secure, for this host alone,
/// on path `/`, so no sibling domain or plain-http page can set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-clientele_session";

/// The "Log in as" view's own cookie (see `backend::impersonation`), named like the session's.
pub const IMPERSONATION_COOKIE: &str = "clientele_impersonation";
pub const SECURE_IMPERSONATION_COOKIE: &str = "__Host-clientele_impersonation";

/// A browser's device token (see `backend::throttle`): long-lived, so the browser stays known.
pub const DEVICE_COOKIE: &str = "clientele_device";
pub const SECURE_DEVICE_COOKIE: &str = "__Host-clientele_device";
/// How long a browser stays known without signing in again (browsers cap cookies at 400 days).
const DEVICE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 3600);

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

fn impersonation_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_IMPERSONATION_COOKIE
    } else {
        IMPERSONATION_COOKIE
    }
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The value of cookie `secure_name` or, failing that, `plain_name`: the `__Host-` name first,
/// since only a secure page can have set it.
fn cookie_value(secure_name: &str, plain_name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == secure_name || c.name() == plain_name)
        .max_by_key(|c| c.name() == secure_name)
        .map(|c| c.value().to_string())
}

/// Where the partner API lives: its requests authenticate by API key alone, never by cookie.
pub const API_PATH: &str = "/api/v1/";

/// On a partner API request, the API key's secret from `Authorization: Bearer …` (missing or
/// malformed: `Unauthenticated`); on any other request `None`, whatever headers it carries, so a
/// key opens the published API only and a session cookie never opens it.
pub fn api_secret() -> Option<Result<String, AppError>> {
    let parts = parts()?;
    // Inside a nested router the URI has lost its prefix; the original one has not.
    let path = match parts.extensions.get::<axum::extract::OriginalUri>() {
        Some(original) => original.0.path().to_string(),
        None => parts.uri.path().to_string(),
    };
    if !path.starts_with(API_PATH) {
        return None;
    }
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Some(bearer.ok_or(AppError::Unauthenticated))
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    cookie_value(SECURE_SESSION_COOKIE, SESSION_COOKIE)
}

/// The browser's device token, if it has one.
pub fn device_token() -> Option<String> {
    cookie_value(SECURE_DEVICE_COOKIE, DEVICE_COOKIE)
}

/// Keeps `token` as this browser's device token.
pub fn set_device_cookie(token: &str, secure: bool) {
    set_cookie(if secure { SECURE_DEVICE_COOKIE } else { DEVICE_COOKIE }, token, secure, DEVICE_LIFETIME);
}

/// The token of a "Log in as" view, if the browser has one.
pub fn impersonation_token() -> Option<String> {
    cookie_value(SECURE_IMPERSONATION_COOKIE, IMPERSONATION_COOKIE)
}

/// The client's address: the socket peer, unless the peer is a trusted proxy; then the
/// right-most `X-Forwarded-For` entry that is not a trusted proxy (entries further left were
/// written by the client and prove nothing).
pub fn client_addr(security: &super::SecurityConfig) -> Option<String> {
    let parts = parts()?;
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())?;
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    Some(forwarded_client(peer, &forwarded, &security.trusted_proxies).to_string())
}

/// See [`client_addr`]. Separate so it can be tested without a request.
pub fn forwarded_client(peer: IpAddr, forwarded_headers: &[&str], trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_headers.iter().flat_map(|h| h.split(',')).map(str::trim);
    let mut client = peer;
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // Garbage in the header: stop at the last address we could trust.
            Err(_) => return client,
        }
    }
    client
}

pub fn user_agent() -> Option<String> {
    let parts = parts()?;
    parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(300).collect())
}

/// Sets the session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on
/// cross-site POSTs), Secure when serving over https.
pub fn set_session_cookie(token: &str, security: &super::SecurityConfig) {
    set_cookie(cookie_name(security.secure_cookies), token, security.secure_cookies, security.absolute_timeout);
}

pub fn clear_session_cookie(secure: bool) {
    set_cookie(cookie_name(secure), "", secure, std::time::Duration::ZERO);
}

/// The "Log in as" cookie lives no longer than the view itself.
pub fn set_impersonation_cookie(token: &str, secure: bool, lifetime: std::time::Duration) {
    set_cookie(impersonation_cookie_name(secure), token, secure, lifetime);
}

pub fn clear_impersonation_cookie(secure: bool) {
    set_cookie(impersonation_cookie_name(secure), "", secure, std::time::Duration::ZERO);
}

fn set_cookie(name: &str, value: &str, secure: bool, max_age: std::time::Duration) {
    let cookie = cookie::Cookie::build((name, value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(max_age.as_secs() as i64))
        .build();
    append_set_cookie(&cookie.to_string());
}

fn append_set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// Runs a server function's body and gives a failure its HTTP status. Every server function
/// goes through this; arguments that fail to decode get theirs in `AppError::from_server_fn_error`.
pub async fn respond<T>(body: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        error.set_response_status();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_forwarded_address() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // Not from a trusted proxy: the header is the client's own word, ignored.
        assert_eq!(forwarded_client(ip("203.0.113.9"), &["1.2.3.4"], &proxies), ip("203.0.113.9"));
        // Through two of our proxies: the client spoofed a left-most entry, which is skipped.
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &["6.6.6.6, 198.51.100.7, 10.0.0.1"], &proxies),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(forwarded_client(ip("10.0.0.2"), &[], &proxies), ip("10.0.0.2"));
        assert_eq!(forwarded_client(ip("10.0.0.2"), &["nonsense"], &proxies), ip("10.0.0.2"));
        // Without trusted proxies, never the header.
        assert_eq!(forwarded_client(ip("10.0.0.2"), &["1.2.3.4"], &[]), ip("10.0.0.2"));
    }
}
