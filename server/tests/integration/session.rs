//! Signing in and out, sessions, timeouts, throttling, CSRF, audit of sign-ins.

use crate::common;
use common::{TestApp, PASSWORD};
use http::StatusCode;

async fn sign_in_with_good_credentials_sets_a_hardened_session_cookie(app: TestApp) {
    let mut client = app.client();
    let res = client.login("Admin@Acme.test ", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let cookie = res.set_cookie().expect("a session cookie");
    assert!(cookie.starts_with("clientele_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not configured for https: {cookie}");
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap().to_string();
    assert_eq!(token.len(), 64, "256-bit token, hex encoded");
    // The browser is now one the person signs in from (issue 35): a year-long device cookie, as hardened.
    let device = res.set_cookie_named("clientele_device").expect("a device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Lax") && device.contains("Max-Age=31536000"),
        "{device}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM known_devices").await, 1);
    // Only a hash of the token is stored.
    let stored = app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'")).await;
    assert_eq!(stored, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1);

    let info = client.call("session", &[]).await.json();
    assert_eq!(info["email"], "admin@acme.test");
    assert_eq!(info["tenant"]["name"], "Acme Partners");
    assert_eq!(info["role_name"], "Partner admin");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in'").await, 1);
}

async fn bad_credentials_get_one_generic_answer_and_are_audited(app: TestApp) {
    let mut client = app.client();
    let wrong_password = client.login("admin@acme.test", "nope-nope").await;
    let unknown_email = client.login("nobody@acme.test", "nope-nope").await;
    for res in [&wrong_password, &unknown_email] {
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(res.error_kind(), "BadCredentials");
        assert!(res.set_cookie().is_none());
    }
    assert_eq!(wrong_password.body, unknown_email.body, "no account enumeration");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in_failed'").await, 2);
    let empty = client.login("", "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

async fn every_login_starts_a_new_session(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    let first = client.cookie.clone().unwrap();
    client.login("admin@acme.test", PASSWORD).await;
    let second = client.cookie.clone().unwrap();
    assert_ne!(first, second, "a fresh token at every sign-in");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1, "the earlier session ended");
}

async fn sign_out_ends_the_session_on_the_server(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    let stolen_cookie = client.cookie.clone();
    let res = client.call("logout", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert!(res.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    // Replaying the old cookie gets nothing.
    let mut replay = app.client();
    replay.cookie = stolen_cookie;
    let res = replay.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.call("session", &[]).await.json(), serde_json::Value::Null);
}

async fn idle_sessions_time_out(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    app.execute(&format!("UPDATE sessions SET last_seen_at = last_seen_at - {}", 31 * 60)).await;
    let res = client.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0, "the expired session is removed");
}

async fn busy_sessions_still_end_after_the_absolute_timeout(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    // Busy (seen just now) but signed in 12 hours ago.
    app.execute(&format!("UPDATE sessions SET created_at = created_at - {}", 12 * 3600)).await;
    let res = client.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

async fn recently_used_sessions_stay_alive(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    app.execute(&format!("UPDATE sessions SET last_seen_at = last_seen_at - {}", 29 * 60)).await;
    let res = client.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::OK);
    // ...and the use pushed the idle deadline forward (recorded beside the request, at once).
    let started = std::time::Instant::now();
    while app.scalar("SELECT MAX(last_seen_at) - MIN(created_at) FROM sessions").await < 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the use was not recorded");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn throttling_slows_the_guessing_address_but_never_locks_out_the_owner(app: TestApp) {
    let mut attacker = app.client_from("203.0.113.9");
    for _ in 0..5 {
        assert_eq!(attacker.login("admin@acme.test", "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = attacker.login("admin@acme.test", PASSWORD).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {throttled:?}");
    assert_eq!(throttled.error_kind(), "Throttled");
    // The real user, elsewhere, signs in at once.
    let mut owner = app.client_from("198.51.100.7");
    assert_eq!(owner.login("admin@acme.test", PASSWORD).await.status, StatusCode::OK);
}

/// Guessing spread over many addresses (issue 35): each address stays under its own limit, yet
/// past ten failures the account takes one try every few seconds from browsers it has not signed
/// in from, its owner is told once by email, and the owner's own browser signs in at once. The
/// counts are in the database, so a second instance on it sees them too.
async fn distributed_guessing_slows_the_account_but_not_its_owners_browser(app: TestApp) {
    let mut owner = app.client_from("198.51.100.7");
    assert_eq!(owner.login("admin@acme.test", PASSWORD).await.status, StatusCode::OK, "a browser the owner uses");
    assert!(owner.cookie.as_deref().unwrap_or_default().contains("clientele_device="), "{:?}", owner.cookie);
    let other = app.second_instance().await;
    for i in 0..10 {
        // Half through each instance: one shared count.
        let mut guesser = if i % 2 == 0 {
            app.client_from(&format!("203.0.113.{i}"))
        } else {
            app.client_via(&other, &format!("203.0.113.{i}"))
        };
        assert_eq!(guesser.login("admin@acme.test", "guess").await.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    for (i, via_other) in [(20, false), (21, true)] {
        let ip = format!("203.0.113.{i}");
        let mut stranger = if via_other { app.client_via(&other, &ip) } else { app.client_from(&ip) };
        let res = stranger.login("admin@acme.test", PASSWORD).await;
        assert_eq!(
            res.status,
            StatusCode::TOO_MANY_REQUESTS,
            "a new browser waits, even with the right password: {res:?}"
        );
        let wait: u64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=app::backend::throttle::ACCOUNT_MAX_SPACING_SECS as u64).contains(&wait), "{wait}");
    }
    owner.forget_cookie("clientele_session");
    assert_eq!(
        owner.login("admin@acme.test", PASSWORD).await.status,
        StatusCode::OK,
        "the owner's browser is not held back"
    );
    let warned =
        "SELECT COUNT(*) FROM outbound_emails WHERE to_addr = 'admin@acme.test' AND subject LIKE 'Someone is trying%'";
    for _ in 0..50 {
        if app.scalar(warned).await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(app.scalar(warned).await, 1, "told once");
    // An unknown email under the same guessing answers alike: nobody learns which emails exist.
    for i in 0..10 {
        app.client_from(&format!("203.0.114.{i}")).login("nobody@acme.test", "guess").await;
    }
    let res = app.client_from("203.0.114.99").login("nobody@acme.test", "guess").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

/// One address (an office, a proxy) guessing at other accounts and unknown emails: it is slowed
/// a little, never refused, so the right password of someone else there signs in (issue 35).
async fn an_address_guessing_at_others_never_locks_out_the_right_password(app: TestApp) {
    let office = "192.0.2.50";
    for i in 0..25 {
        let email = if i % 2 == 0 { format!("unknown{i}@acme.test") } else { "viewer@acme.test".to_string() };
        let status = app.client_from(office).login(&email, "guess").await.status;
        assert!(matches!(status, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "{status}");
    }
    let started = std::time::Instant::now();
    assert_eq!(app.client_from(office).login("admin@acme.test", PASSWORD).await.status, StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "paused at most briefly: {:?}", started.elapsed());
    // The account guessed at signs in from anywhere else at once.
    assert_eq!(app.client_from("192.0.2.51").login("viewer@acme.test", PASSWORD).await.status, StatusCode::OK);
}

/// Single-use links follow the same rule (issue 35): an address that tried many bad tokens gets
/// 429 for the next bad one, but a valid link from it works.
async fn bad_links_from_an_address_never_hold_back_a_valid_one(app: TestApp) {
    let office = "192.0.2.60";
    let mut guesser = app.client_from(office);
    for i in 0..6 {
        let token = format!("{i:064x}");
        guesser.call_json("account/activate", serde_json::json!({ "token": token, "password": "x" })).await;
        guesser.call_json("account/reset-password", serde_json::json!({ "token": token, "password": "x" })).await;
    }
    let bad = guesser
        .call_json("account/reset-password", serde_json::json!({ "token": "f".repeat(64), "password": "x" }))
        .await;
    assert_eq!(bad.status, StatusCode::TOO_MANY_REQUESTS, "{bad:?}");
    let mut admin = app.signed_in("admin@acme.test").await;
    let outcome = admin
        .call_json(
            "customer-users/invite",
            serde_json::json!({ "customer_id": app.fixture.acme_customer, "input": { "full_name": "Ola", "email": "ola@example.com", "role": "Member", "method": "DisplayLink" } }),
        )
        .await
        .json();
    let token = outcome["link"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let res = app
        .client_from(office)
        .call_json(
            "account/activate",
            serde_json::json!({ "token": token, "password": "violet tractor ninety lanterns" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
}

async fn cross_site_writes_are_refused(app: TestApp) {
    let mut client = app.client();
    client.origin = Some("https://evil.example".into());
    let res = client.login("admin@acme.test", PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0, "nothing happened");
    client.origin = None;
    client.fetch_site = Some("cross-site".into());
    assert_eq!(client.login("admin@acme.test", PASSWORD).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0, "nothing happened");
    client.fetch_site = Some("same-origin".into());
    client.origin = Some("http://clientele.test".into());
    assert_eq!(client.login("admin@acme.test", PASSWORD).await.status, StatusCode::OK);
}

/// Twenty wrong passwords for one account at the same moment from one address: the check and
/// the count are one step, so exactly the free five get a verdict and the rest are refused at
/// once (429); meanwhile a signed-in user's list keeps answering quickly, because password
/// hashing runs off the executor, a bounded number at a time, and nobody sleeps on a connection.
async fn a_burst_of_failed_sign_ins_is_throttled_and_does_not_stall_the_site(app: TestApp) {
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let router = app.router.clone();
        attempts.spawn(common::client::login_detached(router, "10.7.7.7", "admin@acme.test", "not the password"));
    }
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let res = viewer.call("customers/list", &[("query", "")]).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "the list took {:?}", started.elapsed());
    }
    let mut statuses = Vec::new();
    while let Some(status) = attempts.join_next().await {
        statuses.push(status.unwrap());
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let judged = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!((judged, refused), (5, 15), "{statuses:?}");
    // The owner, from their own address, is not locked out.
    assert!(app.client_from("10.8.8.8").login("admin@acme.test", PASSWORD).await.status.is_success());
}

on_both_databases!(
    a_burst_of_failed_sign_ins_is_throttled_and_does_not_stall_the_site,
    sign_in_with_good_credentials_sets_a_hardened_session_cookie,
    bad_credentials_get_one_generic_answer_and_are_audited,
    every_login_starts_a_new_session,
    sign_out_ends_the_session_on_the_server,
    idle_sessions_time_out,
    busy_sessions_still_end_after_the_absolute_timeout,
    recently_used_sessions_stay_alive,
    throttling_slows_the_guessing_address_but_never_locks_out_the_owner,
    distributed_guessing_slows_the_account_but_not_its_owners_browser,
    an_address_guessing_at_others_never_locks_out_the_right_password,
    bad_links_from_an_address_never_hold_back_a_valid_one,
    cross_site_writes_are_refused,
);
