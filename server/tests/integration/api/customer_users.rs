//! `/api/v1/customers/{id}/users`: list, invite (emailed, never a link in the answer), remove;
//! with their `customer_user.*` webhook events.

use super::{get, problem_code};
use crate::common::TestApp;
use http::StatusCode;
use serde_json::json;

async fn users_are_listed_invited_by_email_and_removed(app: TestApp) {
    let secret = app.api_key("admin@acme.test", &["customers.view", "customer_users.manage"]).await;
    app.execute(&format!(
        "INSERT INTO webhook_endpoints (tenant_id, url, description, events, secret, enabled, created_at)
         VALUES ({}, 'https://hooks.example.com/u', '', 'customer_user.invited customer_user.activated customer_user.removed', 'whsec_AAAA', 1, 0)",
        app.fixture.acme
    ))
    .await;
    let mut software = app.client_from("10.7.4.1");
    let customer = app.fixture.acme_customer;
    let path = format!("/api/v1/customers/{customer}/users");
    let emails = app.scalar("SELECT COUNT(*) FROM outbound_emails").await;
    let body = json!({ "full_name": "Dana Api", "email": "Dana@Api-Customer.test", "role": "owner" });
    let res = software.api("POST", &path, Some(&secret), Some(body), &[]).await;
    assert_eq!(res.status, StatusCode::CREATED, "{res:?}");
    let invited = res.json();
    assert_eq!(invited["email"], "dana@api-customer.test");
    assert!(!res.body.contains("token"), "no activation link in the answer: {}", res.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbound_emails").await, emails + 1, "emailed");
    let id = invited["id"].as_i64().unwrap();

    let list = get(&mut software, &secret, &path).await;
    assert_eq!(list.status, StatusCode::OK, "{list:?}");
    let user = list.json()["data"].as_array().unwrap().iter().find(|u| u["id"] == id).cloned().unwrap();
    assert_eq!((user["state"].as_str(), user["role"].as_str()), (Some("invited"), Some("owner")));
    assert_eq!(user["consents"], json!([]), "no answers yet");

    // Asking for a link to be shown is not a thing the API does; bad input changes nothing.
    let before = app.scalar("SELECT COUNT(*) FROM memberships").await;
    for (body, status) in [
        (
            json!({ "full_name": "Eve", "email": "eve@example.com", "role": "member", "method": "DisplayLink" }),
            StatusCode::BAD_REQUEST,
        ),
        (json!({ "full_name": "", "email": "not an email", "role": "member" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "full_name": "Eve", "email": "eve@example.com", "role": "boss" }), StatusCode::BAD_REQUEST),
    ] {
        let res = software.api("POST", &path, Some(&secret), Some(body.clone()), &[]).await;
        assert_eq!(res.status, status, "{body}: {res:?}");
        problem_code(&res);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, before);

    // Removing withdraws the invitation; another customer's path does not reach it.
    let other = app.customer(app.fixture.acme, "Other Account").await;
    let res = software.api("DELETE", &format!("/api/v1/customers/{other}/users/{id}"), Some(&secret), None, &[]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = software.api("DELETE", &format!("{path}/{id}"), Some(&secret), None, &[]).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{res:?}");
    let list = get(&mut software, &secret, &path).await;
    assert!(list.json()["data"].as_array().unwrap().iter().all(|u| u["id"] != id));

    // Someone accepting an invitation is an event too.
    let mut admin = app.signed_in("admin@acme.test").await;
    let input = json!({ "full_name": "Lou", "email": "lou@example.com", "role": "Member", "method": "DisplayLink" });
    let res = admin.call_json("customer-users/invite", json!({ "customer_id": customer, "input": input })).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let link = res.json()["link"].as_str().unwrap().to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    let mut lou = app.client_from("10.7.4.2");
    let res = lou
        .call_json("account/activate", json!({ "token": token, "password": "violet tractor ninety lanterns" }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let activated =
        app.scalar("SELECT COUNT(*) FROM webhook_events WHERE event_type = 'customer_user.activated'").await;
    assert_eq!(activated, 1);

    // Each reached the outbox of the endpoint that wants them.
    for event in ["customer_user.invited", "customer_user.removed"] {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM webhook_events WHERE event_type = '{event}'")).await;
        assert_eq!(n, if event == "customer_user.invited" { 2 } else { 1 }, "{event}");
    }
}

on_both_databases!(users_are_listed_invited_by_email_and_removed);
