//! Account keys: a customer account's owner makes them in the portal; they open
//! `/api/v1/account` of that one account and nothing of the partner's, and stop the moment the
//! account is disabled or the owner is no longer one.

use super::{get, problem_code};
use crate::common::TestApp;
use app::types::customer_users::AccountRole;
use http::StatusCode;
use serde_json::json;

async fn an_owners_key_reaches_their_account_alone_and_dies_with_it(app: TestApp) {
    let customer = app.fixture.acme_customer;
    app.person("olga@acme-customer.test").customer_user(customer, AccountRole::Owner).create().await;
    app.person("mick@acme-customer.test").customer_user(customer, AccountRole::Member).create().await;
    let mut olga = app.signed_in("olga@acme-customer.test").await;
    let res = olga
        .call_json("portal/api-keys/create", json!({ "customer_id": customer, "input": { "name": "Our ERP" } }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let secret = res.json()["secret"].as_str().unwrap().to_string();
    let listed = olga.call_json("portal/api-keys", json!({ "customer_id": customer })).await;
    assert_eq!(listed.json()[0]["name"], "Our ERP");
    assert!(!listed.body.contains(&secret[9..]));

    // A member may not; bad input makes nothing.
    let mut mick = app.signed_in("mick@acme-customer.test").await;
    let res =
        mick.call_json("portal/api-keys/create", json!({ "customer_id": customer, "input": { "name": "Mine" } })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res =
        olga.call_json("portal/api-keys/create", json!({ "customer_id": customer, "input": { "name": " " } })).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");

    let mut software = app.client_from("10.7.5.1");
    let res = get(&mut software, &secret, "/api/v1/account").await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let account = res.json();
    assert_eq!(account["id"], customer);
    assert!(account["users"].as_array().unwrap().iter().any(|u| u["email"] == "mick@acme-customer.test"));
    // Nothing of the partner's.
    for path in ["/api/v1/customers", &format!("/api/v1/customers/{customer}"), "/api/v1/custom-fields"] {
        let res = get(&mut software, &secret, path).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {res:?}");
        assert_eq!(problem_code(&res), "forbidden");
    }
    // A partner's key does not open /account.
    let partner = app.api_key("admin@acme.test", &["customers.view"]).await;
    assert_eq!(get(&mut software, &partner, "/api/v1/account").await.status, StatusCode::FORBIDDEN);

    // Disabled: refused at once; active again: back.
    let mut admin = app.signed_in("admin@acme.test").await;
    let off = admin
        .call_json("customers/set-status", json!({ "selection": { "Ids": [customer] }, "status": "Disabled" }))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{off:?}");
    assert_eq!(get(&mut software, &secret, "/api/v1/account").await.status, StatusCode::UNAUTHORIZED);
    admin.call_json("customers/set-status", json!({ "selection": { "Ids": [customer] }, "status": "Active" })).await;
    assert_eq!(get(&mut software, &secret, "/api/v1/account").await.status, StatusCode::OK);

    // No longer an owner: refused.
    app.execute("UPDATE memberships SET customer_role = 'member' WHERE person_id = (SELECT id FROM persons WHERE email = 'olga@acme-customer.test')").await;
    assert_eq!(get(&mut software, &secret, "/api/v1/account").await.status, StatusCode::UNAUTHORIZED);
    app.execute("UPDATE memberships SET customer_role = 'owner' WHERE person_id = (SELECT id FROM persons WHERE email = 'olga@acme-customer.test')").await;

    // Revoked by the owner (signed in again: disabling the account ended her session).
    let mut olga = app.signed_in("olga@acme-customer.test").await;
    let id = listed.json()[0]["id"].as_i64().unwrap();
    let res = olga.call_json("portal/api-keys/revoke", json!({ "customer_id": customer, "id": id })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(get(&mut software, &secret, "/api/v1/account").await.status, StatusCode::UNAUTHORIZED);
    // The partner's Settings → API keys list shows only partner keys.
    let partner_list = admin.call_json("api-keys/list", json!({})).await;
    assert!(!partner_list.body.contains("Our ERP"), "{}", partner_list.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'api_key.create_account_key'").await, 1);
}

on_both_databases!(an_owners_key_reaches_their_account_alone_and_dies_with_it);
