//! The benchmark's HTTP side: the real server binary as a child process, and keep-alive
//! HTTP/1.1 clients that carry a session cookie, as a browser tab would.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, http, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `target/release/server` (built by `cargo bench`) serving `database_url` on a free port.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    child: Child,
}

impl Server {
    pub(crate) async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// The server with further options (`--api-rate-limit`, `--webhook-allow-private`, …).
    pub(crate) async fn start_with(database_url: &str, options: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", &addr.to_string(), "--database-url", database_url])
            // The statistics are what each run sets up; the server must not change them.
            .args(["--statistics-minutes", "0"])
            .args(["--site-root", concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site")])
            .args(options)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server binary");
        let server = Self { addr, child };
        let started = Instant::now();
        loop {
            if let Ok(stream) = tokio::net::TcpStream::connect(addr).await {
                drop(stream);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the server did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The server's resident memory now and at its peak, in MiB (from /proc).
    pub(crate) fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kib = |key: &str| -> f64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0.0)
        };
        (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive connection with its own session cookie.
pub(crate) struct Client {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    cookie: Option<String>,
}

impl Client {
    pub(crate) async fn connect(addr: SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        Self { sender, host: addr.to_string(), cookie: None }
    }

    /// A connection signed in as `email`.
    pub(crate) async fn signed_in(addr: SocketAddr, email: &str, password: &str) -> Self {
        let mut client = Self::connect(addr).await;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .append_pair("password", password)
            .finish();
        let (status, body) = client.post("login", &form).await;
        assert!(status.is_success() || status.is_redirection(), "sign-in failed: {status} {body}");
        assert!(client.cookie.is_some(), "no session cookie");
        client
    }

    /// A copy of this session on a new connection.
    pub(crate) async fn another(&self, addr: SocketAddr) -> Self {
        let mut client = Self::connect(addr).await;
        client.cookie = self.cookie.clone();
        client
    }

    /// Calls a server function (`/api/<endpoint>`) with a form body.
    pub(crate) async fn post(&mut self, endpoint: &str, form: &str) -> (StatusCode, String) {
        let request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        self.send(request, Bytes::from(form.to_string())).await
    }

    /// Calls a server function that takes JSON.
    pub(crate) async fn post_json(&mut self, endpoint: &str, json: &str) -> (StatusCode, String) {
        let request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        self.send(request, Bytes::from(json.to_string())).await
    }

    /// A partner API call (`/api/v1/<path>`) with an API key and an optional JSON body.
    pub(crate) async fn api(
        &mut self,
        method: http::Method,
        path: &str,
        key: &str,
        json: Option<&str>,
    ) -> (StatusCode, String) {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1/{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::ACCEPT, "application/json");
        if json.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(request, Bytes::from(json.unwrap_or_default().to_string())).await
    }

    /// Opens a page as a browser would on a first visit or reload: the whole server-rendered HTML.
    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).header(header::ACCEPT, "text/html");
        self.send(request, Bytes::new()).await
    }

    /// A download, read as it streams: the status, the time to the response's head, and the
    /// body's bytes and lines, with `on_chunk` called as each part arrives.
    pub(crate) async fn download(
        &mut self,
        path: &str,
        mut on_chunk: impl FnMut(),
    ) -> (StatusCode, Duration, u64, u64) {
        use http_body_util::BodyExt;
        let mut request = Request::get(path).header(header::HOST, &self.host);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let started = Instant::now();
        self.sender.ready().await.expect("the server closed the connection");
        let response = self.sender.send_request(request.body(Full::new(Bytes::new())).unwrap()).await.unwrap();
        let first = started.elapsed();
        let status = response.status();
        let mut body = response.into_body();
        let (mut bytes, mut lines) = (0u64, 0u64);
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.expect("the download broke off").into_data() {
                bytes += data.len() as u64;
                lines += data.iter().filter(|b| **b == b'\n').count() as u64;
                on_chunk();
            }
        }
        (status, first, bytes, lines)
    }

    async fn send(&mut self, request: http::request::Builder, body: Bytes) -> (StatusCode, String) {
        let mut request = request.header(header::HOST, &self.host);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let request = request.body(Full::new(body)).unwrap();
        let target = format!("{} {}", request.method(), request.uri());
        self.sender.ready().await.expect("the server closed the connection");
        let response = self.sender.send_request(request).await.unwrap_or_else(|e| panic!("{target}: {e}"));
        let status = response.status();
        // A jar of one value per cookie name (the session's, the device's), as a browser keeps.
        for set in response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default();
            let name = pair.split('=').next().unwrap_or_default();
            let mut jar: Vec<&str> = self
                .cookie
                .as_deref()
                .unwrap_or_default()
                .split("; ")
                .filter(|c| !c.is_empty() && c.split('=').next() != Some(name))
                .collect();
            if !set.contains("Max-Age=0") {
                jar.push(pair);
            }
            self.cookie = (!jar.is_empty()).then(|| jar.join("; "));
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}
