//! The real server binary (`target/debug/server`) as a child process on a test's database, for
//! what only a whole process shows: SIGKILL in the middle of a change, SIGTERM with requests in
//! flight, a restart under load, two instances on one database.

use super::{Client, TestApp, PASSWORD};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct ServerProcess {
    child: tokio::process::Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the server on `app`'s database, on a free port, and waits until it listens.
    pub async fn start(app: &TestApp) -> Self {
        Self::start_on(&app.database_url).await
    }

    pub async fn start_on(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// [`ServerProcess::start_on`] with further command-line flags.
    pub async fn start_with(database_url: &str, flags: &[&str]) -> Self {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", "127.0.0.1:0", "--database-url", database_url, "--statistics-minutes", "0"])
            .args(flags)
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("stdout");
        let (listening, address) = tokio::sync::oneshot::channel();
        // Reads the log until the end (a full pipe would stall the server), noting the address.
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut listening = Some(listening);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr: String =
                        rest.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ':')).collect();
                    if let (Some(listening), Ok(addr)) = (listening.take(), addr.parse::<SocketAddr>()) {
                        let _ = listening.send(addr);
                    }
                }
            }
        });
        let addr = tokio::time::timeout(Duration::from_secs(30), address)
            .await
            .expect("the server did not start listening within 30 s")
            .expect("the server exited before it listened");
        Self { child, addr }
    }

    /// A client of this process (each request on a new connection, so it survives restarts).
    pub fn client<'a>(&self, app: &'a TestApp) -> Client<'a> {
        let mut client = app.client();
        client.remote = Some(self.addr);
        client
    }

    /// A client of this process signed in as `email` (fixture password).
    pub async fn signed_in<'a>(&self, app: &'a TestApp, email: &str) -> Client<'a> {
        let mut client = self.client(app);
        let res = client.login(email, PASSWORD).await;
        assert!(res.status.is_success(), "sign-in of {email} failed: {res:?}");
        client
    }

    /// SIGKILL: the process gets no chance to finish anything, as in a crash.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL the server");
    }

    /// SIGTERM, then its exit status (it must exit within 30 s).
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("the server is running");
        let sent = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server did not exit within 30 s of SIGTERM")
            .expect("wait for the server")
    }
}

/// One request over a new TCP connection to `addr`.
pub async fn send(
    addr: SocketAddr,
    request: http::Request<axum::body::Body>,
) -> Result<http::Response<axum::body::Body>, String> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    Ok(response.map(axum::body::Body::new))
}
