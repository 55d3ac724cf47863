//! The partner API and its webhooks at a million customers (`--api-only`, issue 28):
//! - `GET /api/v1/customers` with a key, for the list's questions, each without its total (the
//!   default) and with it (`include_total=true`, capped as the list's is), in both statistics
//!   states;
//! - what a write costs with its outbox entry: `PATCH /api/v1/customers/{id}` with no endpoint
//!   listening and with one subscribed to `customer.updated`, in alternating rounds so drift
//!   falls on both alike;
//! - a bulk disable (and re-activation) of about 8,700 customers with an endpoint subscribed to
//!   `customer.status_changed`: how long another writer waits meanwhile (SQLite has one writer);
//! - how fast the server's deliverer sends those events, signed, to a local receiver that
//!   checks every signature as a partner's would.

use crate::http::{Client, Server};
use crate::{percentiles, worst_write_wait, Report, Statistics, Timing, ADMIN, PASSWORD};
use app::backend::Db;
use base64::Engine;
use hmac::{Hmac, Mac};
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The bulk change timed: about 8,700 of a million customers, under the 10,000 a bulk change may
/// reach.
pub(crate) const BULK: &str = "q=müller&country=ES";
/// PATCHes per round and mode, and rounds.
const WRITES_PER_ROUND: usize = 25;
const ROUNDS: usize = 10;

/// The generated customers' phone numbers are not all valid ones, and a change is checked whole.
const PHONE: &str = "+49 30 90182000";

/// Options for the server: no rate limit worth the name, and deliveries to 127.0.0.1.
const SERVER_OPTIONS: [&str; 3] = ["--api-rate-limit", "100000", "--webhook-allow-private"];

pub(crate) async fn run(name: &'static str, url: &str, db: &Db, tenant: i64, samples: usize, report: &mut Report) {
    clear_endpoints(db, tenant).await;
    for statistics in [Statistics::Absent, Statistics::Present] {
        crate::set_statistics(db, statistics).await;
        let server = Server::start_with(url, &SERVER_OPTIONS).await;
        let mut admin = Client::signed_in(server.addr, ADMIN, PASSWORD).await;
        let key = create_key(&mut admin).await;
        let mut client = Client::connect(server.addr).await;
        // Each question as a program asks it by default (no total), then with its total counted.
        let questions = list_questions(db, tenant).await;
        let mut asked: Vec<(String, String)> = questions
            .iter()
            .map(|(label, query)| {
                (label.to_string(), if query.is_empty() { "customers".into() } else { format!("customers?{query}") })
            })
            .collect();
        asked.extend(questions.iter().map(|(label, query)| {
            let query =
                if query.is_empty() { "include_total=true".into() } else { format!("{query}&include_total=true") };
            (format!("{label}, with total"), format!("customers?{query}"))
        }));
        let plain = crate::data::plain_customer(db, tenant).await;
        let network = crate::data::timed_customer(db, tenant).await;
        asked.push(("One customer, in no network".into(), format!("customers/{plain}")));
        asked.push(("One customer, a network".into(), format!("customers/{network}")));
        for (label, path) in asked {
            let mut times = Vec::with_capacity(samples);
            for i in 0..samples + 10 {
                let started = Instant::now();
                let (status, body) = client.api(Method::GET, &path, &key.1, None).await;
                let elapsed = started.elapsed();
                assert_eq!(status, StatusCode::OK, "{path}: {body}");
                if i >= 10 {
                    times.push(elapsed);
                }
            }
            let (p50, p95, p99) = percentiles(times);
            eprintln!("{name} ({} statistics): API {label}: p50 {p50:.1} ms, p95 {p95:.1} ms", statistics.label());
            report.list.push(Timing {
                db: name,
                statistics,
                what: label,
                detail: format!("`GET /api/v1/{path}`"),
                p50,
                p95,
                p99,
            });
        }
        if statistics == Statistics::Present {
            let receiver = Receiver::start().await;
            report.api.push(writes(name, db, tenant, &mut admin, &mut client, &key.1, &receiver).await);
            report.api.extend(bulk(name, db, &server, &mut admin, &receiver).await);
        }
        revoke_key(&mut admin, key.0).await;
    }
    clear_endpoints(db, tenant).await;
}

/// A key of the bench admin that can read, edit and disable: (id, secret).
async fn create_key(admin: &mut Client) -> (i64, String) {
    let body = json!({ "input": {
        "name": format!("Bench {}", app::backend::now()),
        "permissions": ["CustomersView", "CustomersEdit", "CustomersDisable"],
        "expires_in_days": 30,
    }});
    let (status, answer) = admin.post_json("api-keys/create", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let created: Value = serde_json::from_str(&answer).unwrap();
    (created["key"]["id"].as_i64().unwrap(), created["secret"].as_str().unwrap().to_string())
}

async fn revoke_key(admin: &mut Client, id: i64) {
    let (status, answer) = admin.post_json("api-keys/revoke", &json!({ "id": id }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Endpoints an interrupted run left behind would make every later run's writes fill the outbox.
async fn clear_endpoints(db: &Db, tenant: i64) {
    for sql in [
        "DELETE FROM webhook_deliveries WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE tenant_id = $1)",
        "DELETE FROM webhook_endpoints WHERE tenant_id = $1",
        "DELETE FROM webhook_events WHERE tenant_id = $1",
    ] {
        sqlx::query(sql).bind(tenant).execute(&db.pool).await.unwrap();
    }
}

/// The list's questions as the API asks them (the same as `list_questions` in main.rs).
async fn list_questions(db: &Db, tenant: i64) -> Vec<(&'static str, String)> {
    let rows: i64 = sqlx::query("SELECT COUNT(*) AS n FROM customers WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("n");
    let middle = sqlx::query("SELECT id, name FROM customers WHERE tenant_id = $1 ORDER BY name, id LIMIT 1 OFFSET $2")
        .bind(tenant)
        .bind(rows / 2)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    // A `next_cursor` as the API gives it out: `a`, then the list's own key, hex-encoded.
    let token = format!("a{}~{}", middle.get::<String, _>("name"), middle.get::<i64, _>("id"));
    let cursor: String = token.bytes().map(|b| format!("{b:02x}")).collect();
    let common = &crate::data::SURNAMES[5].to_lowercase()[..5];
    let rare = &crate::data::SURNAMES[crate::data::SURNAMES.len() - 3].to_lowercase()[..5];
    vec![
        ("First page, by name", String::new()),
        ("First page, 100 rows", "limit=100".into()),
        ("Newest first", "sort=created&dir=desc".into()),
        ("Status + country filter", "status=active&country=DE".into()),
        ("City filter", "city=Lyon".into()),
        ("Search, common surname part", format!("q={common}")),
        ("Search, rarer surname part", format!("q={rare}")),
        ("Search, two letters, no match", "q=qx".into()),
        ("Deep cursor page (row n/2)", format!("cursor={cursor}")),
        ("Choice field filter (f.plan)", "f.plan=Premium".into()),
        ("Choice field + country", "f.plan=Premium&country=DE".into()),
        ("A network's sub-accounts", format!("network={}", crate::data::timed_customer(db, tenant).await)),
        ("Network filter, not a network", format!("network={}", crate::data::plain_customer(db, tenant).await)),
    ]
}

/// An endpoint for the receiver, subscribed to `events`: (id, secret).
async fn endpoint(admin: &mut Client, receiver: &Receiver, events: &[&str]) -> (i64, String) {
    let body = json!({ "draft": { "url": receiver.url, "description": "bench receiver", "events": events } });
    let (status, answer) = admin.post_json("webhooks/create", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let created: Value = serde_json::from_str(&answer).unwrap();
    (created["endpoint"]["id"].as_i64().unwrap(), created["secret"].as_str().unwrap().to_string())
}

async fn set_enabled(admin: &mut Client, id: i64, enabled: bool) {
    let (status, answer) =
        admin.post_json("webhooks/enable", &json!({ "id": id, "enabled": enabled }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn delete_endpoint(admin: &mut Client, id: i64) {
    let (status, answer) = admin.post_json("webhooks/delete", &json!({ "id": id }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// PATCHes of one field of active customers, without and with an endpoint listening (then
/// its deliveries are written in the same transaction, and sent meanwhile by the deliverer).
async fn writes(
    name: &str,
    db: &Db,
    tenant: i64,
    admin: &mut Client,
    client: &mut Client,
    key: &str,
    receiver: &Receiver,
) -> String {
    let ids: Vec<i64> = sqlx::query(
        "SELECT id FROM customers WHERE tenant_id = $1 AND status = 'active' ORDER BY id LIMIT $2 OFFSET 1000",
    )
    .bind(tenant)
    .bind((WRITES_PER_ROUND * ROUNDS * 2) as i64)
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("id"))
    .collect();
    let (endpoint_id, secret) = endpoint(admin, receiver, &["customer.updated"]).await;
    receiver.expect(&secret);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let mut next = ids.iter();
    let stamp = app::backend::now() % 10_000;
    // Warm-up, not timed.
    for id in ids.iter().take(10) {
        let body = json!({ "suite": format!("Bench suite {stamp}"), "phone_primary": PHONE }).to_string();
        let (status, answer) = client.api(Method::PATCH, &format!("customers/{id}"), key, Some(&body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    for round in 0..ROUNDS * 2 {
        let listening = round % 2 == 1;
        set_enabled(admin, endpoint_id, listening).await;
        for _ in 0..WRITES_PER_ROUND {
            let id = next.next().unwrap();
            let body = json!({ "suite": format!("Bench suite {stamp}-{round}"), "phone_primary": PHONE }).to_string();
            let started = Instant::now();
            let (status, answer) = client.api(Method::PATCH, &format!("customers/{id}"), key, Some(&body)).await;
            let took = started.elapsed();
            assert_eq!(status, StatusCode::OK, "{answer}");
            if listening {
                with.push(took)
            } else {
                without.push(took)
            }
        }
    }
    let sent = (WRITES_PER_ROUND * ROUNDS) as u64;
    receiver.wait_for(0, sent, Duration::from_secs(60)).await;
    assert_eq!(receiver.bad(), 0, "every signature checks out");
    delete_endpoint(admin, endpoint_id).await;
    let mean = |t: &[Duration]| t.iter().sum::<Duration>().as_secs_f64() * 1e3 / t.len() as f64;
    let (mean_without, mean_with) = (mean(&without), mean(&with));
    let ((p50a, p95a, _), (p50b, p95b, _)) = (percentiles(without), percentiles(with));
    let line = format!(
        "| {name} | `PATCH /api/v1/customers/{{id}}`, {} each | {p50a:.1} / {p95a:.1} / {mean_without:.2} | {p50b:.1} / {p95b:.1} / {mean_with:.2} | {:+.1}% |",
        sent,
        (mean_with / mean_without - 1.0) * 100.0
    );
    eprintln!("{line}");
    line
}

/// The bulk change with and without an endpoint subscribed, each disabling then re-activating
/// the same customers; with one, its events' delivery rate to the receiver.
async fn bulk(name: &str, db: &Db, server: &Server, admin: &mut Client, receiver: &Receiver) -> Vec<String> {
    let mut lines = Vec::new();
    let mut writer = admin.another(server.addr).await;
    let (endpoint_id, secret) = endpoint(admin, receiver, &["customer.status_changed"]).await;
    receiver.expect(&secret);
    for listening in [false, true] {
        set_enabled(admin, endpoint_id, listening).await;
        for status in ["Disabled", "Active"] {
            let before = receiver.good();
            let body = json!({ "selection": { "Matching": BULK }, "status": status }).to_string();
            let mut changer = admin.another(server.addr).await;
            let change = async {
                let started = Instant::now();
                let (code, answer) = changer.post_json("customers/set-status", &body).await;
                assert_eq!(code, StatusCode::OK, "{answer}");
                (started.elapsed(), Instant::now(), serde_json::from_str::<Value>(&answer).unwrap())
            };
            // When the change's answer came: its transaction had committed, so no delivery of
            // its events could have started before.
            let done = Arc::new(Mutex::new(None));
            let keep = done.clone();
            let (took, worst) = worst_write_wait(&mut writer, async move {
                let (took, at, answer) = change.await;
                *keep.lock().unwrap() = Some((at, answer));
                took
            })
            .await;
            let (committed, answer) = done.lock().unwrap().take().unwrap();
            let changed = answer["changed"].as_u64().unwrap();
            let mut delivery = "–".to_string();
            if listening {
                let (first, last) = receiver.wait_for(before, before + changed, Duration::from_secs(300)).await;
                // The rate once sending began; before it, the deliverer's poll (every 0.5 s
                // when it last found nothing).
                let seconds = last.duration_since(first).as_secs_f64();
                delivery = format!(
                    "first after {:.0} ms, all {changed} {:.1} s later: {:.0} events/s",
                    first.duration_since(committed).as_secs_f64() * 1e3,
                    seconds,
                    (changed - 1) as f64 / seconds
                );
                // Each attempt is recorded right after its answer; wait for the last records.
                let started = Instant::now();
                loop {
                    let undelivered: i64 = sqlx::query(
                        "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND state <> 'delivered'",
                    )
                    .bind(endpoint_id)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap()
                    .get("n");
                    if undelivered == 0 {
                        break;
                    }
                    assert!(started.elapsed() < Duration::from_secs(60), "{undelivered} deliveries never recorded");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            let line = format!(
                "| {name} | {status} {changed}, endpoint {} | {:.0} ms | {:.0} ms | {delivery} |",
                if listening { "subscribed" } else { "none" },
                took.as_secs_f64() * 1e3,
                worst.as_secs_f64() * 1e3,
            );
            eprintln!("{line}");
            lines.push(line);
        }
    }
    assert_eq!(receiver.bad(), 0, "every signature checks out");
    delete_endpoint(admin, endpoint_id).await;
    lines
}

/// A partner's receiver on 127.0.0.1: it checks each delivery's signature with the endpoint's
/// secret (Standard Webhooks) and counts the good and the bad, answering 204 at once.
#[derive(Clone)]
struct Receiver {
    url: String,
    secret: Arc<Mutex<Vec<u8>>>,
    good: Arc<AtomicU64>,
    bad: Arc<AtomicU64>,
    /// When each good delivery arrived.
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Self {
            url: format!("http://{}/hooks", listener.local_addr().unwrap()),
            secret: Arc::default(),
            good: Arc::default(),
            bad: Arc::default(),
            arrivals: Arc::default(),
        };
        let shared = receiver.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let shared = shared.clone();
                        async move {
                            use http_body_util::BodyExt;
                            let header = |name: &str| {
                                request
                                    .headers()
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            let signed = format!("{}.{}.", header("webhook-id"), header("webhook-timestamp"));
                            let signatures = header("webhook-signature");
                            let body = request.into_body().collect().await.unwrap().to_bytes();
                            shared.check(&signed, &body, &signatures);
                            let response = hyper::Response::builder()
                                .status(StatusCode::NO_CONTENT)
                                .body(http_body_util::Full::new(hyper::body::Bytes::new()))
                                .unwrap();
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        receiver
    }

    /// The secret the next deliveries are signed with (`whsec_…`).
    fn expect(&self, secret: &str) {
        let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
        *self.secret.lock().unwrap() = key;
    }

    fn check(&self, signed: &str, body: &[u8], signatures: &str) {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.secret.lock().unwrap()).unwrap();
        mac.update(signed.as_bytes());
        mac.update(body);
        let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
        if signatures.split(' ').any(|s| s == expected) {
            self.arrivals.lock().unwrap().push(Instant::now());
            self.good.fetch_add(1, Ordering::SeqCst);
        } else {
            self.bad.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn good(&self) -> u64 {
        self.good.load(Ordering::SeqCst)
    }

    fn bad(&self) -> u64 {
        self.bad.load(Ordering::SeqCst)
    }

    /// Waits until `count` good deliveries have arrived in all; when the first after `since`
    /// and the last of them did.
    async fn wait_for(&self, since: u64, count: u64, limit: Duration) -> (Instant, Instant) {
        let started = Instant::now();
        while self.good() < count {
            assert!(started.elapsed() < limit, "only {} of {count} deliveries arrived", self.good());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let arrivals = self.arrivals.lock().unwrap();
        (arrivals[since as usize], arrivals[count as usize - 1])
    }
}
