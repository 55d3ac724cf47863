//! Signed-out links (PRODUCT.md §7, §12): forgotten password and reset — on both databases.

use super::customer_users::{active_user, invite, ok, session, token_of, GOOD_PASSWORD};
use crate::common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};

async fn forgot_password_answers_alike_and_a_reset_ends_every_session(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut dana = active_user(&app, alpha, "dana@example.com", "Member").await;
    let mut anyone = app.client_from("10.0.0.7");
    let known = anyone.call_json("account/forgot-password", json!({ "email": "Dana@Example.com" })).await;
    let unknown = anyone.call_json("account/forgot-password", json!({ "email": "nobody@example.com" })).await;
    assert_eq!(
        (known.status, known.body.clone()),
        (unknown.status, unknown.body.clone()),
        "the same answer either way"
    );
    assert_eq!(known.status, StatusCode::OK);

    // The email goes out in the background; wait for it.
    let mut body = String::new();
    for _ in 0..50 {
        if let Ok(row) = sqlx::query(
            "SELECT body_text FROM outbound_emails WHERE to_addr = 'dana@example.com' AND subject LIKE 'Reset%'",
        )
        .fetch_one(&app.db.pool)
        .await
        {
            use sqlx::Row;
            body = row.get("body_text");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(body.contains("/reset-password?token="), "a reset email: {body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbound_emails WHERE to_addr = 'nobody@example.com'").await, 0);
    let token = body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let lifetime = app.scalar("SELECT expires_at - created_at FROM person_tokens WHERE purpose = 'reset'").await;
    assert_eq!(lifetime, 30 * 60);

    let mut other_device = app.client_from("10.0.0.8");
    other_device.login("dana@example.com", GOOD_PASSWORD).await;
    let mut resetter = app.client_from("10.0.0.7");
    let weak = resetter.call_json("account/reset-password", json!({ "token": token, "password": "12345678" })).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&resetter
        .call_json("account/reset-password", json!({ "token": token, "password": "marble otter sings quietly" }))
        .await);
    assert_eq!(session(&mut dana).await, Value::Null, "every earlier session ended");
    assert_eq!(session(&mut other_device).await, Value::Null);
    assert_eq!(session(&mut resetter).await["email"], "dana@example.com", "this browser is signed in afresh");
    let reused = app
        .client()
        .call_json("account/reset-password", json!({ "token": token, "password": "another fine long phrase" }))
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST, "single use");
    assert_eq!(app.client().login("dana@example.com", GOOD_PASSWORD).await.status, StatusCode::UNAUTHORIZED);

    // An address that keeps asking is slowed down; the answer stays the same for any email.
    let mut flooder = app.client_from("10.0.0.66");
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(
            flooder.call_json("account/forgot-password", json!({ "email": format!("x{i}@example.com") })).await.status,
        );
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 10);
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}

/// `--demo` never adds demo accounts (public password) to a database that holds other people.
async fn the_demo_refuses_a_database_with_other_people(app: TestApp) {
    use app::backend::seed::{demo, DemoSeed};
    let customers = app.scalar("SELECT COUNT(*) FROM customers").await;
    assert_eq!(demo(&app.db).await.unwrap(), DemoSeed::RefusedOtherData);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, customers);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'operator@clientele.test'").await, 0);
}

/// `server create-operator`: the first operator of a real instance, with no known password. The
/// printed link lets them choose one; then they are an operator.
async fn create_operator_prints_a_link_that_sets_the_password(app: TestApp) {
    use app::backend::account_links::create_operator;
    let bad = create_operator(&app.db, "http://clientele.test", "not-an-email", "Nora").await;
    assert!(bad.is_err());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE full_name = 'Nora'").await, 0);

    let (link, _) = create_operator(&app.db, "http://clientele.test", "Nora@Ops.test", "Nora Ops").await.unwrap();
    let token = link.strip_prefix("http://clientele.test/reset-password?token=").expect("a reset link");
    let mut client = app.client();
    assert_eq!(client.login("nora@ops.test", GOOD_PASSWORD).await.status, StatusCode::UNAUTHORIZED, "no password yet");
    let res = client.call_json("account/reset-password", json!({ "token": token, "password": GOOD_PASSWORD })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(ok(&client.call("session", &[]).await)["is_operator"], true);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'operator.create'").await, 1);
}

/// Single-use tokens never reach the log, at any level: not from the page's URL, not from a
/// server function's arguments, not from the email that carries them.
async fn tokens_never_reach_the_log(app: TestApp) {
    use std::sync::{Arc, Mutex};
    use tracing::instrument::WithSubscriber;
    let captured = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_ansi(false)
        .with_writer(move || CaptureWriter(sink.clone()))
        .finish();
    let mut admin = app.signed_in("admin@acme.test").await;
    let outcome = ok(&invite(&mut admin, app.fixture.acme_customer, "Lou", "lou@example.com", "Owner", true).await);
    let token = token_of(&outcome["link"]);
    async {
        let mut lou = app.client();
        assert_eq!(lou.get(&format!("/activate?token={token}")).await.status, StatusCode::OK);
        ok(&lou.call_json("account/link", json!({ "token": token, "reset": false })).await);
        ok(&lou.call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await);
        ok(&invite(&mut admin, app.fixture.acme_customer, "Mo", "mo@example.com", "Owner", false).await);
    }
    .with_subscriber(subscriber)
    .await;
    let log = String::from_utf8(captured.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/activate"), "the requests were logged: {log}");
    assert!(!log.contains(&token), "a token in the log");
    assert!(!log.contains("token="), "a link in the log: {log}");
}

struct CaptureWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

on_both_databases!(
    tokens_never_reach_the_log,
    forgot_password_answers_alike_and_a_reset_ends_every_session,
    the_demo_refuses_a_database_with_other_people,
    create_operator_prints_a_link_that_sets_the_password,
);
