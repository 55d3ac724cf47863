//! API keys: made under Settings → API by someone holding `api_keys.manage`, holding no more
//! than their creator, shown once, listed without their secret, revoked at once; and the line
//! between the two kinds of caller (a key opens only `/api/v1`, a cookie never does).

use super::{get, problem_code};
use crate::common::{permission_variant, TestApp};
use http::StatusCode;
use serde_json::json;

async fn a_key_is_shown_once_listed_without_its_secret_and_revoked_at_once(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin
        .call_json(
            "api-keys/create",
            json!({ "input": { "name": "CRM sync", "permissions": [permission_variant("customers.view")], "expires_in_days": 30 } }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let secret = res.json()["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("clt_live_") && secret.len() == 9 + 64, "{secret}");
    let id = res.json()["key"]["id"].as_i64().unwrap();
    let stored =
        app.scalar(&format!("SELECT COUNT(*) FROM api_keys WHERE secret_hash LIKE '%{}%'", &secret[9..])).await;
    assert_eq!(stored, 0, "only a hash of the secret is stored");

    let list = admin.call_json("api-keys/list", json!({})).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains(&secret[9..]), "the list never carries a secret: {}", list.body);
    let key = &list.json()[0];
    assert_eq!(key["name"], "CRM sync");
    assert_eq!(key["prefix"].as_str().unwrap(), &secret[..15]);
    assert!(key["expires_at"].as_i64().unwrap() > key["created_at"].as_i64().unwrap() + 29 * 86400);
    assert!(key["last_used_at"].is_null());

    let mut software = app.client_from("10.7.0.1");
    let res = get(&mut software, &secret, "/api/v1/customers").await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let list = admin.call_json("api-keys/list", json!({})).await;
    assert!(list.json()[0]["last_used_at"].as_i64().is_some(), "last use is recorded");

    let res = admin.call_json("api-keys/revoke", json!({ "id": id })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let res = get(&mut software, &secret, "/api/v1/customers").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "a revoked key is refused at its next request");
    assert_eq!(problem_code(&res), "unauthenticated");
    assert!(res.headers.contains_key(http::header::WWW_AUTHENTICATE));
    let again = admin.call_json("api-keys/revoke", json!({ "id": id })).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{again:?}");
    for action in ["api_key.create", "api_key.revoke"] {
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }

    // Another partner's admin neither sees nor revokes it.
    let mut globex = app.signed_in("admin@globex.test").await;
    assert_eq!(globex.call_json("api-keys/list", json!({})).await.json(), json!([]));
    assert_eq!(globex.call_json("api-keys/revoke", json!({ "id": id })).await.status, StatusCode::NOT_FOUND);
}

async fn nobody_gives_a_key_more_than_they_hold_and_bad_input_makes_none(app: TestApp) {
    let before = app.scalar("SELECT COUNT(*) FROM api_keys").await;
    // A viewer cannot manage keys at all.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let res = viewer
        .call_json(
            "api-keys/create",
            json!({ "input": { "name": "Mine", "permissions": [permission_variant("customers.view")] } }),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");

    // A custom role that may manage keys but only view customers cannot grant editing.
    app.execute(&format!(
        "INSERT INTO roles (tenant_id, key, name, builtin) VALUES ({}, 'integrator', 'Integrator', 0)",
        app.fixture.acme
    ))
    .await;
    let role = app.scalar("SELECT id FROM roles WHERE key = 'integrator'").await;
    app.execute(&format!(
        "INSERT INTO role_permissions (role_id, permission) VALUES ({role}, 'customers.view'), ({role}, 'api_keys.manage')"
    ))
    .await;
    app.person("integrator@acme.test").in_tenant(app.fixture.acme).create().await;
    app.execute(&format!(
        "UPDATE memberships SET role_id = {role} WHERE person_id = (SELECT id FROM persons WHERE email = 'integrator@acme.test')"
    ))
    .await;
    let mut integrator = app.signed_in("integrator@acme.test").await;
    for (input, field) in [
        (json!({ "name": "Editor", "permissions": [permission_variant("customers.edit")] }), "permissions"),
        (json!({ "name": "Keys", "permissions": [permission_variant("api_keys.manage")] }), "permissions"),
        (json!({ "name": "", "permissions": [permission_variant("customers.view")] }), "name"),
        (json!({ "name": "None", "permissions": [] }), "permissions"),
        (
            json!({ "name": "Forever", "permissions": [permission_variant("customers.view")], "expires_in_days": 0 }),
            "expires_in_days",
        ),
    ] {
        let res = integrator.call_json("api-keys/create", json!({ "input": input })).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{input}: {res:?}");
        assert!(res.json()["Invalid"][field].is_string(), "{input}: {res:?}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_keys").await, before, "no key was made");
    let res = integrator
        .call_json(
            "api-keys/create",
            json!({ "input": { "name": "Reader", "permissions": [permission_variant("customers.view")] } }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
}

async fn a_key_holds_no_more_than_its_creator_still_does(app: TestApp) {
    let secret = app.api_key("admin@acme.test", &["customers.view", "customers.edit"]).await;
    let mut software = app.client_from("10.7.0.2");
    let customer = app.fixture.acme_customer;
    let rename = |name: &str| Some(json!({ "name": name }));
    let path = format!("/api/v1/customers/{customer}");
    let res = software.api("PATCH", &path, Some(&secret), rename("Renamed by key"), &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");

    // The creator becomes a viewer: the key may still read, no longer edit.
    app.execute(
        "UPDATE memberships SET role_id = (SELECT id FROM roles WHERE key = 'viewer' AND tenant_id IS NULL)
         WHERE person_id = (SELECT id FROM persons WHERE email = 'admin@acme.test') AND kind = 'partner'",
    )
    .await;
    let res = software.api("PATCH", &path, Some(&secret), rename("Again"), &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    assert_eq!(problem_code(&res), "forbidden");
    assert!(res.json()["detail"].as_str().unwrap().contains("this API key does not hold customers.edit"), "{res:?}");
    assert_eq!(get(&mut software, &secret, &path).await.status, StatusCode::OK);

    // The creator leaves the partner: the key stops working.
    app.execute(
        "UPDATE memberships SET state = 'disabled'
         WHERE person_id = (SELECT id FROM persons WHERE email = 'admin@acme.test') AND kind = 'partner'",
    )
    .await;
    assert_eq!(get(&mut software, &secret, &path).await.status, StatusCode::UNAUTHORIZED);
}

async fn a_disabled_partner_or_an_expired_key_is_refused(app: TestApp) {
    let secret = app.api_key("admin@acme.test", &["customers.view"]).await;
    let mut software = app.client_from("10.7.0.3");
    assert_eq!(get(&mut software, &secret, "/api/v1/customers").await.status, StatusCode::OK);
    app.execute(&format!("UPDATE tenants SET status = 'disabled' WHERE id = {}", app.fixture.acme)).await;
    assert_eq!(get(&mut software, &secret, "/api/v1/customers").await.status, StatusCode::UNAUTHORIZED);
    app.execute(&format!("UPDATE tenants SET status = 'active' WHERE id = {}", app.fixture.acme)).await;
    app.execute("UPDATE api_keys SET expires_at = 1").await;
    assert_eq!(get(&mut software, &secret, "/api/v1/customers").await.status, StatusCode::UNAUTHORIZED);
    for bad in ["", "clt_live_", "not-a-key", &"x".repeat(5000)] {
        let res = software.api("GET", "/api/v1/customers", Some(bad), None, &[]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{bad:.20}: {res:?}");
    }
    let res = software.api("GET", "/api/v1/customers", None, None, &[]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

async fn a_cookie_never_opens_the_api_and_a_key_opens_nothing_else(app: TestApp) {
    let secret = app.api_key("admin@acme.test", &["customers.view"]).await;
    // A signed-in browser's cookie on the API: refused (it needs a key).
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin.api("GET", "/api/v1/customers", None, None, &[]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
    // A key on a server function: no session, so nobody.
    let mut software = app.client_from("10.7.0.4");
    let args = json!({ "id": app.fixture.acme_customer });
    let res = software.api("POST", "/api/customers/detail", Some(&secret), Some(args), &[]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
    // Nor does a key open a download.
    let res = software.api("GET", "/customers/export.csv", Some(&secret), None, &[]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
}

async fn a_key_is_rate_limited_per_minute_with_headers(app: TestApp) {
    let app = app.with_api_rate_limit(3);
    let secret = app.api_key("admin@acme.test", &["customers.view"]).await;
    let other = app.api_key("admin@acme.test", &["customers.view"]).await;
    let mut software = app.client_from("10.7.0.5");
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let res = get(&mut software, &secret, "/api/v1/customers?limit=1").await;
        assert_eq!(res.status, StatusCode::OK, "{res:?}");
        assert_eq!(res.headers["ratelimit-limit"], "3");
        remaining.push(res.headers["ratelimit-remaining"].to_str().unwrap().to_string());
    }
    // The window may roll over mid-test; then the count starts again.
    if remaining == ["2", "1", "0"] {
        let res = get(&mut software, &secret, "/api/v1/customers?limit=1").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{res:?}");
        assert_eq!(problem_code(&res), "rate_limited");
        let retry: u64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(res.headers["ratelimit-remaining"], "0");
        // Another key has its own count.
        assert_eq!(get(&mut software, &other, "/api/v1/customers?limit=1").await.status, StatusCode::OK);
    }
}

on_both_databases!(
    a_key_is_shown_once_listed_without_its_secret_and_revoked_at_once,
    nobody_gives_a_key_more_than_they_hold_and_bad_input_makes_none,
    a_key_holds_no_more_than_its_creator_still_does,
    a_disabled_partner_or_an_expired_key_is_refused,
    a_cookie_never_opens_the_api_and_a_key_opens_nothing_else,
    a_key_is_rate_limited_per_minute_with_headers,
);
