//! The HTTP request and response around the server function being run: cookies, client
//! address, status. Everything that touches leptos_axum's request context lives here.

use crate::AppError;
use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "clientele_session";
/// The name over https: browsers accept a `__Host-` cookie only when Secure, for this host alone,
/// on path `/`, so no sibling domain or plain-http page can set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-clientele_session";

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        // The `__Host-` name first: only a secure page can have set it.
        .filter(|c| c.name() == SECURE_SESSION_COOKIE || c.name() == SESSION_COOKIE)
        .max_by_key(|c| c.name() == SECURE_SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when configured
/// to trust the proxy in front of us.
pub fn client_addr(trust_forwarded_for: bool) -> Option<String> {
    let parts = parts()?;
    if trust_forwarded_for {
        if let Some(first) =
            parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next())
        {
            let first = first.trim();
            if !first.is_empty() {
                return Some(first.to_string());
            }
        }
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string())
}

pub fn user_agent() -> Option<String> {
    let parts = parts()?;
    parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(300).collect())
}

/// Sets the session cookie: HttpOnly (no script can read it), SameSite=Lax (not sent on
/// cross-site POSTs), Secure when serving over https.
pub fn set_session_cookie(token: &str, secure: bool, max_age: std::time::Duration) {
    let cookie = cookie::Cookie::build((cookie_name(secure), token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(max_age.as_secs() as i64))
        .build();
    append_set_cookie(&cookie.to_string());
}

pub fn clear_session_cookie(secure: bool) {
    let cookie = cookie::Cookie::build((cookie_name(secure), ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::ZERO)
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
        set_error_status(error);
    }
    result
}

/// Gives the response the status of `error` (`AppError::status_code`, the one mapping).
pub fn set_error_status(error: &AppError) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
