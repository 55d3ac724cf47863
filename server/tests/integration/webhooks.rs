//! Webhooks end to end, with a real HTTP receiver that checks every signature the way the
//! Standard Webhooks convention says a receiver should: events of customer changes arrive signed,
//! failures are retried and given up on, redelivery, secret rotation, private addresses refused,
//! the outbox surviving SIGKILL, and two deliverers on one database sending each event once.

use crate::common::process::ServerProcess;
use crate::common::TestApp;
use base64::Engine;
use hmac::{Hmac, Mac};
use http::StatusCode;
use serde_json::{json, Value};
use server::webhook_sender::Sender;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A local HTTP server standing in for a partner's receiver: it keeps what it gets and answers
/// with the statuses it is told (then 200).
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener)
    }

    fn serve(listener: tokio::net::TcpListener) -> Self {
        let url = format!("http://{}/hooks/clientele", listener.local_addr().unwrap());
        let receiver = Self { url, got: Arc::default(), answers: Arc::default() };
        let shared = receiver.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
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
                            let (id, timestamp, signature) =
                                (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                            let body = request.into_body().collect().await.unwrap().to_bytes();
                            shared.got.lock().unwrap().push(Received {
                                id,
                                timestamp: timestamp.parse().unwrap_or_default(),
                                signature,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            });
                            let status = shared.answers.lock().unwrap().pop_front().unwrap_or(200);
                            let response = http::Response::builder()
                                .status(status)
                                .body(http_body_util::Full::new(hyper::body::Bytes::from(format!("answer {status}"))))
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

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }
}

/// What a receiver does with `secret`: the signature must be one of those in the header.
fn verify(secret: &str, received: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    received.signature.split(' ').any(|s| s == expected)
}

/// An endpoint of Acme for `url` and `events`, made by its admin; (id, secret).
async fn endpoint(app: &TestApp, url: &str, events: &[&str]) -> (i64, String) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin
        .call_json("webhooks/create", json!({ "draft": { "url": url, "description": "CRM", "events": events } }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let body = res.json();
    (body["endpoint"]["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_string())
}

const ALL_EVENTS: &[&str] = &["customer.created", "customer.updated", "customer.status_changed", "customer.deleted"];

async fn customer_changes_arrive_signed_and_a_disabled_customer_goes_quiet(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    let (endpoint_id, secret) = endpoint(&app, &receiver.url, ALL_EVENTS).await;
    let sender = Sender::new(true, crate::common::test_mail());
    let mut admin = app.signed_in("admin@acme.test").await;

    let res = admin
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Hooked Ltd", "city": "Oslo" }, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let id = res.json().as_i64().unwrap();
    assert_eq!(sender.deliver_due(&app.db).await.unwrap(), 1);
    let created = receiver.received();
    assert_eq!(created.len(), 1);
    assert!(verify(&secret, &created[0]), "signed with the endpoint's secret: {:?}", created[0]);
    assert!(created[0].id.starts_with("msg_"));
    assert!((created[0].timestamp - app::backend::now()).abs() < 60);
    let event = created[0].json();
    assert_eq!(event["type"], "customer.created");
    assert_eq!(event["data"]["id"], id);
    assert_eq!(event["data"]["name"], "Hooked Ltd");
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'), "{event}");

    // An edit: the changed fields, before and after.
    let res = admin
        .call_json("customers/update", json!({ "id": id, "version": 1, "input": { "name": "Hooked Ltd", "city": "Bergen" }, "allow_duplicate_name": false }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    sender.deliver_due(&app.db).await.unwrap();
    let updated = receiver.received()[1].json();
    assert_eq!(updated["type"], "customer.updated");
    assert_eq!(updated["data"]["changes"]["city"], json!(["Oslo", "Bergen"]));

    // Disabled: its status change arrives, then nothing more about it.
    let res =
        admin.call_json("customers/set-status", json!({ "selection": { "Ids": [id] }, "status": "Disabled" })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let res = admin
        .call_json("customers/update", json!({ "id": id, "version": 3, "input": { "name": "Hooked Ltd", "city": "Tromsø" }, "allow_duplicate_name": false }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    sender.deliver_due(&app.db).await.unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 3, "{got:?}");
    let status = got[2].json();
    assert_eq!(status["type"], "customer.status_changed");
    assert_eq!(status["data"]["status"], "disabled");
    assert_eq!(status["data"]["previous_status"], "active");

    // The page shows each delivery: delivered, 200, its time and the answer.
    let res = admin.call_json("webhooks/deliveries", json!({ "endpoint_id": endpoint_id })).await;
    let deliveries = res.json();
    assert_eq!(deliveries.as_array().unwrap().len(), 3);
    assert_eq!(deliveries[0]["state"], "delivered");
    assert_eq!(deliveries[0]["last_status"], 200);
    assert_eq!(deliveries[0]["last_response"], "answer 200");
    assert!(deliveries[0]["last_latency_ms"].as_i64().is_some());

    // A change rolled back (invalid) writes no event.
    let before = app.scalar("SELECT COUNT(*) FROM webhook_events").await;
    let res =
        admin.call_json("customers/create", json!({ "input": { "name": "" }, "allow_duplicate_name": false })).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_events").await, before);

    // Another partner's changes never reach Acme's endpoint.
    let mut globex = app.signed_in("admin@globex.test").await;
    globex
        .call_json("customers/create", json!({ "input": { "name": "Globex Secret" }, "allow_duplicate_name": false }))
        .await;
    sender.deliver_due(&app.db).await.unwrap();
    assert!(receiver.received().iter().all(|r| !r.body.contains("Globex")));
}

async fn failures_are_retried_then_given_up_and_redelivery_sends_again(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    let (endpoint_id, secret) = endpoint(&app, &receiver.url, ALL_EVENTS).await;
    let sender = Sender::new(true, crate::common::test_mail());
    let mut admin = app.signed_in("admin@acme.test").await;
    receiver.answer_next(&[500]);
    let res = admin.call_json("webhooks/test", json!({ "id": endpoint_id })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let delivery = res.json()["id"].as_i64().unwrap();
    sender.deliver_due(&app.db).await.unwrap();
    let row = |column: &'static str| {
        let app = &app;
        async move { app.scalar(&format!("SELECT {column} FROM webhook_deliveries WHERE id = {delivery}")).await }
    };
    assert_eq!(row("attempts").await, 1);
    assert_eq!(row("last_status").await, 500);
    let wait = row("next_attempt_at").await - row("last_attempt_at").await;
    assert_eq!(wait, 5, "the first retry comes after 5 seconds");
    assert_eq!(sender.deliver_due(&app.db).await.unwrap(), 0, "not due yet");

    // Due again, and the receiver is back: delivered, the same webhook-id.
    app.execute(&format!("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE id = {delivery}")).await;
    sender.deliver_due(&app.db).await.unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id, "retries carry the same webhook-id");
    assert!(verify(&secret, &got[1]));
    assert_eq!(got[1].json()["type"], "webhook.test");
    let state: String = {
        use sqlx::Row;
        sqlx::query("SELECT state FROM webhook_deliveries WHERE id = $1")
            .bind(delivery)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .get("state")
    };
    assert_eq!(state, "delivered");

    // A day of failures: given up, and the endpoint is marked failing.
    receiver.answer_next(&[503]);
    let res = admin.call_json("webhooks/redeliver", json!({ "delivery_id": delivery })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    app.execute(&format!("UPDATE webhook_deliveries SET expires_at = 1 WHERE id = {delivery}")).await;
    sender.deliver_due(&app.db).await.unwrap();
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM webhook_deliveries WHERE id = {delivery} AND state = 'failed'"))
            .await,
        1
    );
    let settings = admin.call_json("webhooks/settings", json!({})).await.json();
    assert!(settings["endpoints"][0]["failing_since"].as_i64().is_some(), "{settings}");
    // Its partner's webhook managers are told, by email, once.
    let told = "SELECT COUNT(*) FROM outbound_emails WHERE subject = 'A webhook endpoint is failing' AND to_addr = 'admin@acme.test'";
    assert_eq!(app.scalar(told).await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbound_emails WHERE subject = 'A webhook endpoint is failing' AND to_addr <> 'admin@acme.test'").await, 0, "nobody else (not Globex, not the viewer)");

    // Redelivered by hand, it goes out again and the endpoint is well again.
    admin.call_json("webhooks/redeliver", json!({ "delivery_id": delivery })).await;
    sender.deliver_due(&app.db).await.unwrap();
    assert_eq!(receiver.received().len(), 4);
    let settings = admin.call_json("webhooks/settings", json!({})).await.json();
    assert!(settings["endpoints"][0]["failing_since"].is_null(), "{settings}");

    // Another partner's delivery is not Acme's to redeliver or list.
    let mut globex = app.signed_in("admin@globex.test").await;
    assert_eq!(
        globex.call_json("webhooks/redeliver", json!({ "delivery_id": delivery })).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        globex.call_json("webhooks/deliveries", json!({ "endpoint_id": endpoint_id })).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_rotated_secret_signs_beside_the_old_one_for_a_day(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    let (endpoint_id, old) = endpoint(&app, &receiver.url, ALL_EVENTS).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin.call_json("webhooks/rotate-secret", json!({ "id": endpoint_id })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let new = res.json()["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    admin.call_json("webhooks/test", json!({ "id": endpoint_id })).await;
    Sender::new(true, crate::common::test_mail()).deliver_due(&app.db).await.unwrap();
    let got = &receiver.received()[0];
    assert!(verify(&new, got) && verify(&old, got), "both secrets verify: {}", got.signature);
    app.execute("UPDATE webhook_endpoints SET previous_secret_until = 1").await;
    admin.call_json("webhooks/test", json!({ "id": endpoint_id })).await;
    Sender::new(true, crate::common::test_mail()).deliver_due(&app.db).await.unwrap();
    let got = &receiver.received()[1];
    assert!(verify(&new, got) && !verify(&old, got), "after the day, only the new one");
}

async fn private_addresses_are_refused_unless_the_instance_allows_them(app: TestApp) {
    let receiver = Receiver::start().await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let before = app.scalar("SELECT COUNT(*) FROM webhook_endpoints").await;
    for url in [
        receiver.url.as_str(),
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://intranet/hook",
        "http://hooks.example.com/plain-http",
        "ftp://hooks.example.com/",
    ] {
        let res = admin
            .call_json(
                "webhooks/create",
                json!({ "draft": { "url": url, "description": "", "events": ["customer.created"] } }),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {res:?}");
        assert!(res.json()["Invalid"]["url"].is_string(), "{url}: {res:?}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_endpoints").await, before, "none was saved");

    // And the deliverer refuses them too, whatever the table holds (a name resolving inside).
    let named = receiver.url.replace("127.0.0.1", "localhost");
    for url in [receiver.url.clone(), named] {
        app.execute(&format!(
            "INSERT INTO webhook_endpoints (tenant_id, url, description, events, secret, enabled, created_at)
             VALUES ({}, '{url}', '', 'customer.created', 'whsec_AAAA', 1, 0)",
            app.fixture.acme
        ))
        .await;
    }
    admin
        .call_json("customers/create", json!({ "input": { "name": "Probe Ltd" }, "allow_duplicate_name": false }))
        .await;
    assert_eq!(Sender::new(false, crate::common::test_mail()).deliver_due(&app.db).await.unwrap(), 2);
    assert!(receiver.received().is_empty(), "nothing reached the private address");
    let why: Vec<String> = {
        use sqlx::Row;
        sqlx::query("SELECT last_response FROM webhook_deliveries ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("last_response"))
            .collect()
    };
    assert!(why.iter().all(|w| w.contains("private, loopback or link-local")), "{why:?}");
}

async fn the_outbox_survives_sigkill_and_the_next_start_delivers(app: TestApp) {
    // The receiver's port is reserved but nobody answers yet.
    let parked = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = parked.local_addr().unwrap();
    drop(parked);
    let url = format!("http://{address}/hooks/clientele");
    let app = app.with_local_webhooks();
    let (_, secret) = endpoint(&app, &url, ALL_EVENTS).await;

    let first = ServerProcess::start_with(&app.database_url, &["--webhook-allow-private"]).await;
    let mut admin = first.signed_in(&app, "admin@acme.test").await;
    let res = admin
        .call_json("customers/create", json!({ "input": { "name": "Crash Test Ltd" }, "allow_duplicate_name": false }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    first.kill().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'").await,
        1,
        "the event outlived the process"
    );

    // The receiver comes up; the next instance delivers what the killed one could not.
    let receiver = Receiver::serve(tokio::net::TcpListener::bind(address).await.unwrap());
    app.execute("UPDATE webhook_deliveries SET next_attempt_at = 0, locked_until = NULL").await;
    let second = ServerProcess::start_with(&app.database_url, &["--webhook-allow-private"]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while receiver.received().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    second.terminate().await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(verify(&secret, &got[0]));
    assert_eq!(got[0].json()["data"]["name"], "Crash Test Ltd");
}

async fn two_deliverers_on_one_database_send_each_event_once(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, ALL_EVENTS).await;
    let ids = app.many_customers(app.fixture.acme, "Twice", 60).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let res =
        admin.call_json("customers/set-status", json!({ "selection": { "Ids": ids }, "status": "Disabled" })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 60);

    let other = app::backend::Db::connect(&app.database_url).await.unwrap();
    let (a, b) = (Sender::new(true, crate::common::test_mail()), Sender::new(true, crate::common::test_mail()));
    let mut rounds = 0;
    while app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'").await > 0 && rounds < 20 {
        let (x, y) = tokio::join!(a.deliver_due(&app.db), b.deliver_due(&other));
        x.unwrap();
        y.unwrap();
        rounds += 1;
    }
    let got = receiver.received();
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!((before, ids.len()), (60, 60), "each of the 60 events exactly once");
}

async fn joining_and_leaving_networks_sends_network_changed(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["network.changed"]).await;
    let sender = Sender::new(true, crate::common::test_mail());
    let mut admin = app.signed_in("admin@acme.test").await;
    let customer = app.customer(app.fixture.acme, "Lone Shop").await;
    let res =
        admin.call_json("customers/add-network", json!({ "customer_id": customer, "name": "Shops Network" })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let network = res.json()["id"].as_i64().unwrap();
    let res = admin
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Second Shop", "parent_id": network }, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let second = res.json().as_i64().unwrap();
    sender.deliver_due(&app.db).await.unwrap();
    let mut got: Vec<(i64, i64, String)> = receiver
        .received()
        .iter()
        .map(|r| {
            let data = r.json()["data"].clone();
            (
                data["network_id"].as_i64().unwrap(),
                data["customer_id"].as_i64().unwrap(),
                data["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, vec![(network, customer, "added".to_string()), (network, second, "added".to_string())]);
}

/// Deleting an endpoint takes its deliveries, and the events no other endpoint still gets.
async fn deleting_an_endpoint_keeps_the_events_another_endpoint_gets(app: TestApp) {
    let app = app.with_local_webhooks();
    let receiver = Receiver::start().await;
    let (both, _) = endpoint(&app, &receiver.url, ALL_EVENTS).await;
    let (created_only, _) = endpoint(&app, &receiver.url, &["customer.created"]).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    for name in ["Kept Ltd", "Also Kept Ltd"] {
        let res = admin
            .call_json("customers/create", json!({ "input": { "name": name }, "allow_duplicate_name": false }))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{res:?}");
    }
    let id = app.scalar("SELECT MAX(id) FROM customers WHERE name = 'Also Kept Ltd'").await;
    let res =
        admin.call_json("customers/set-status", json!({ "selection": { "Ids": [id] }, "status": "Disabled" })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    // Two creations for both endpoints, a status change for the first alone.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_events").await, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 5);

    // Another partner cannot delete it, and nothing goes.
    let mut globex = app.signed_in("admin@globex.test").await;
    let res = globex.call_json("webhooks/delete", json!({ "id": both })).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 5);

    let res = admin.call_json("webhooks/delete", json!({ "id": both })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_events").await,
        2,
        "the status change went, the creations stay"
    );
    let left = format!("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = {created_only}");
    assert_eq!(app.scalar(&left).await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 2);

    let res = admin.call_json("webhooks/delete", json!({ "id": created_only })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_events").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM webhook_endpoints").await, 0);
}

on_both_databases!(
    deleting_an_endpoint_keeps_the_events_another_endpoint_gets,
    joining_and_leaving_networks_sends_network_changed,
    customer_changes_arrive_signed_and_a_disabled_customer_goes_quiet,
    failures_are_retried_then_given_up_and_redelivery_sends_again,
    a_rotated_secret_signs_beside_the_old_one_for_a_day,
    private_addresses_are_refused_unless_the_instance_allows_them,
    the_outbox_survives_sigkill_and_the_next_start_delivers,
    two_deliverers_on_one_database_send_each_event_once,
);
