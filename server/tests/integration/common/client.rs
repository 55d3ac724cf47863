//! A browser-like client of the in-process router: cookies kept like a jar, server functions
//! called the way the hydrated app calls them.

use super::TestApp;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, Request, StatusCode};
use std::net::SocketAddr;
use tower::ServiceExt;

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The `AppError` variant name of a failed server function, e.g. "Forbidden".
    pub fn error_kind(&self) -> String {
        match self.json() {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
            other => panic!("not an AppError: {other}"),
        }
    }
    /// The Set-Cookie header of the session cookie (see [`Client`] for the jar that keeps them all).
    pub fn set_cookie(&self) -> Option<String> {
        self.set_cookie_named("clientele_session")
    }

    /// The Set-Cookie header of the cookie `name` (plain, or with its `__Host-` prefix).
    pub fn set_cookie_named(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{name}=")) || c.starts_with(&format!("__Host-{name}=")))
    }
}

pub struct Client<'a> {
    pub(super) app: &'a TestApp,
    pub cookie: Option<String>,
    pub(super) addr: SocketAddr,
    /// The Origin header to send (None: a same-origin call without one).
    pub origin: Option<String>,
    /// The Sec-Fetch-Site header to send, as browsers do.
    pub fetch_site: Option<String>,
    /// A server process to talk to over TCP instead of the in-process router (see
    /// [`super::process::ServerProcess::client`]).
    pub(super) remote: Option<SocketAddr>,
    /// Another instance's router on the same database (see [`super::TestApp::second_instance`]).
    pub(super) instance: Option<axum::Router>,
}

impl Client<'_> {
    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = Request::get(path).header(header::ACCEPT, "text/html");
        self.send(req, Body::empty()).await
    }

    /// A GET with one more request header (e.g. Accept-Encoding).
    pub async fn get_with(&mut self, path: &str, name: &str, value: &str) -> TestResponse {
        let req = Request::get(path).header(header::ACCEPT, "text/html").header(name, value);
        self.send(req, Body::empty()).await
    }

    /// Calls a server function the way the hydrated app does (form-encoded POST).
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> TestResponse {
        let body = form.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        if let Some(origin) = &self.origin {
            req = req.header(header::ORIGIN, origin.as_str());
        }
        if let Some(site) = &self.fetch_site {
            req = req.header("sec-fetch-site", site.as_str());
        }
        self.send(req, Body::from(body)).await
    }

    /// Calls a JSON-encoded server function.
    pub async fn call_json(&mut self, endpoint: &str, body: serde_json::Value) -> TestResponse {
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        self.send(req, Body::from(body.to_string())).await
    }

    /// Posts `body` as is to a server function, whatever it holds (malformed input on purpose).
    pub async fn call_raw(&mut self, endpoint: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        self.send(req, Body::from(body)).await
    }

    /// Calls the partner API as software does: the key as `Authorization: Bearer`, a JSON body
    /// if any, and any further headers (`Idempotency-Key`, `If-Match`).
    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        secret: Option<&str>,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        if let Some(secret) = secret {
            req = req.header(header::AUTHORIZATION, format!("Bearer {secret}"));
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(req, body).await
    }

    /// Forgets one cookie, as if the browser had dropped it.
    pub fn forget_cookie(&mut self, name: &str) {
        let jar: Vec<String> = self
            .cookie
            .as_deref()
            .unwrap_or_default()
            .split("; ")
            .filter(|c| !c.is_empty() && c.split('=').next() != Some(name))
            .map(str::to_string)
            .collect();
        self.cookie = (!jar.is_empty()).then(|| jar.join("; "));
    }

    pub async fn login(&mut self, email: &str, password: &str) -> TestResponse {
        self.call("login", &[("email", email), ("password", password)]).await
    }

    async fn send(&mut self, mut req: http::request::Builder, body: Body) -> TestResponse {
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie.as_str());
        }
        let mut request = req.body(body).unwrap();
        request.extensions_mut().insert(ConnectInfo(self.addr));
        let response = match self.remote {
            Some(addr) => match super::process::send(addr, request).await {
                Ok(response) => response,
                // No server there (stopped, restarting): what a browser would call a network error.
                Err(error) => {
                    return TestResponse {
                        status: StatusCode::BAD_GATEWAY,
                        headers: http::HeaderMap::new(),
                        body: format!("no answer: {error}"),
                    }
                }
            },
            None => self.instance.clone().unwrap_or_else(|| self.app.router.clone()).oneshot(request).await.unwrap(),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20).await.unwrap();
        // Keep the jar up to date, as a browser would: one value per cookie name.
        for set in headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            let mut jar: Vec<String> = self
                .cookie
                .as_deref()
                .unwrap_or_default()
                .split("; ")
                .filter(|c| !c.is_empty() && c.split('=').next() != Some(name.as_str()))
                .map(str::to_string)
                .collect();
            if !set.contains("Max-Age=0") {
                jar.push(pair);
            }
            self.cookie = (!jar.is_empty()).then(|| jar.join("; "));
        }
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A request that can run on its own task (it owns what it needs), for tests that fire many at
/// once.
pub async fn login_detached(router: axum::Router, ip: &str, email: &str, password: &str) -> StatusCode {
    let body = format!("email={}&password={}", urlencode(email), urlencode(password));
    let mut request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip.parse().expect("ip"), 40000)));
    router.oneshot(request).await.unwrap().status()
}
