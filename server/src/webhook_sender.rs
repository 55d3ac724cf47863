//! This instance's webhook deliverer (`app::backend::webhooks::delivery`): it claims due
//! deliveries from the database, posts each one signed, and records what happened. Every
//! instance runs one; the claim keeps them from sending the same delivery twice, and nothing of
//! it lives in memory: a restart (or a crash) picks up where the database says.
//!
//! The boundaries of one attempt: a connection only to a public address (after DNS; private,
//! loopback and link-local ones only with `--webhook-allow-private`), 10 seconds in all, no
//! redirects followed, at most 64 KB of the answer read and its first characters kept.

use app::backend::now;
use app::backend::webhooks::delivery::{self, Attempt, Due};
use app::backend::webhooks::is_public_address;
use app::backend::{Db, MailConfig};
use futures::StreamExt;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// How long one attempt may take, connecting included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer that is read.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// How often the database is asked for due deliveries when there were none.
const POLL: Duration = Duration::from_millis(500);
/// Deliveries claimed at once, and sent side by side.
const BATCH: i64 = 100;
const CONCURRENCY: usize = 32;

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector<PublicOnly>>, Full<Bytes>>;

/// A resolver that keeps only the addresses webhooks may go to.
#[derive(Clone)]
struct PublicOnly {
    allow_private: bool,
}

impl tower::Service<Name> for PublicOnly {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                found.iter().copied().filter(|a| allow_private || is_public_address(a.ip())).collect();
            if allowed.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{} resolves only to private, loopback or link-local addresses", name.as_str()),
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}

fn client(allow_private: bool) -> HttpsClient {
    let mut http = HttpConnector::new_with_resolver(PublicOnly { allow_private });
    http.enforce_http(false);
    http.set_connect_timeout(Some(ATTEMPT_TIMEOUT));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new()).build(https)
}

/// A deliverer: the HTTP client and the instance's address rule.
pub struct Sender {
    client: HttpsClient,
    allow_private: bool,
    /// For telling a partner that one of its endpoints is failing.
    mail: MailConfig,
}

impl Sender {
    pub fn new(allow_private: bool, mail: MailConfig) -> Self {
        Self { client: client(allow_private), allow_private, mail }
    }

    /// Claims what is due now and delivers it, side by side; how many were attempted.
    pub async fn deliver_due(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let due = delivery::claim(db, BATCH).await?;
        let count = due.len();
        futures::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |due| async move {
                let attempt = attempt(&self.client, self.allow_private, &due).await;
                match delivery::record(db, &due, &attempt).await {
                    Ok(Some(failing)) => {
                        if let Err(error) = app::backend::webhooks::notify_failing(db, &self.mail, failing).await {
                            tracing::warn!(%error, endpoint = failing, "could not tell the partner its endpoint is failing");
                        }
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(%error, delivery = due.delivery_id, "could not record a webhook attempt; it will be retried")
                    }
                }
            })
            .await;
        Ok(count)
    }
}

/// Delivers forever (spawned at start). A database that is away is waited for.
pub async fn run(db: Db, allow_private: bool, mail: MailConfig) {
    let sender = Sender::new(allow_private, mail);
    loop {
        match sender.deliver_due(&db).await {
            // There may be more waiting.
            Ok(count) if count > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not read the webhook outbox; trying again"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// One signed POST of `due`, and what came of it.
async fn attempt(client: &HttpsClient, allow_private: bool, due: &Due) -> Attempt {
    let started = Instant::now();
    let failed =
        |why: String| Attempt { status: None, latency_ms: started.elapsed().as_millis() as i64, response: why };
    let uri: http::Uri = match due.url.parse() {
        Ok(uri) => uri,
        Err(error) => return failed(format!("the address is not valid: {error}")),
    };
    // An address given as a number is not looked up, so the resolver never sees it.
    let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        if !allow_private && !is_public_address(ip) {
            return failed(format!("{ip} is a private, loopback or link-local address"));
        }
    }
    let timestamp = now();
    let request = http::Request::post(uri)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "Clientele-Webhooks/1")
        .header("webhook-id", &due.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", delivery::signature(&due.secrets, &due.message_id, timestamp, &due.body))
        .body(Full::new(Bytes::from(due.body.clone())));
    let request = match request {
        Ok(request) => request,
        Err(error) => return failed(format!("the request could not be made: {error}")),
    };
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status().as_u16();
        let body = match Limited::new(response.into_body(), MAX_RESPONSE_BYTES).collect().await {
            Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
            Err(_) => format!("(the answer was longer than {} KB)", MAX_RESPONSE_BYTES / 1024),
        };
        Ok::<_, hyper_util::client::legacy::Error>((status, body))
    };
    match tokio::time::timeout(ATTEMPT_TIMEOUT, exchange).await {
        Ok(Ok((status, body))) => {
            Attempt { status: Some(status), latency_ms: started.elapsed().as_millis() as i64, response: body }
        }
        Ok(Err(error)) => failed(describe(&error)),
        Err(_) => failed(format!("no answer within {} seconds", ATTEMPT_TIMEOUT.as_secs())),
    }
}

/// An error with its causes: "client error (Connect): … refused".
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
