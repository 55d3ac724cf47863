//! The customer portal (PRODUCT.md §8): a customer user sees their own accounts and nothing
//! else — on both databases.

use super::customer_users::{active_user, ok, token_of, GOOD_PASSWORD};
use crate::common::TestApp;
use http::StatusCode;
use serde_json::json;

async fn the_portal_shows_only_the_persons_own_accounts(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let bravo = app.scalar("SELECT id FROM customers WHERE name = 'Bravo Dental'").await;
    let mut dana = active_user(&app, alpha, "dana@example.com", "Owner").await;

    let account = ok(&dana.call_json("portal/account", json!({ "customer_id": alpha })).await);
    assert_eq!(account["name"], "Alpha Bakery");
    assert_eq!(account["sub_accounts"], json!([{ "id": charlie, "name": "Charlie Cafe" }]));
    assert_eq!(account["users"][0]["email"], "dana@example.com");
    let sub = ok(&dana.call_json("portal/account", json!({ "customer_id": charlie })).await);
    assert_eq!(sub["network"]["name"], "Alpha Bakery", "a network's user opens its sub-accounts");
    assert_eq!(sub["role"], "Owner");

    for other in [bravo, app.fixture.globex_customer, 999_999] {
        let res = dana.call_json("portal/account", json!({ "customer_id": other })).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{other}");
        let res = dana
            .call_json(
                "portal/invite",
                json!({ "customer_id": other, "input": { "full_name": "X", "email": "x@example.com" } }),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{other}");
    }
    // Nothing of the partner side answers a customer user.
    for (endpoint, body) in [
        ("customers/detail", json!({ "id": alpha })),
        ("customers/form", json!({ "id": alpha })),
        ("customer-users/list", json!({ "customer_id": alpha })),
        (
            "customer-users/invite",
            json!({ "customer_id": alpha, "input": { "full_name": "X", "email": "x@example.com" } }),
        ),
        ("customer-users/remove", json!({ "membership_id": 1, "whole_tenant": false })),
        ("settings/fields", json!({})),
        ("settings/emails", json!({})),
        ("mailbox", json!({})),
    ] {
        let res = dana.call_json(endpoint, body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}: {res:?}");
    }
    for (endpoint, form) in [
        ("customers/list", vec![("query", "")]),
        ("customers/sidebar", vec![("filter", "")]),
        ("partners/list", vec![]),
    ] {
        let res = dana.call(endpoint, &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}: {res:?}");
    }

    // An owner invites members (never owners); a member invites nobody.
    let outcome = ok(&dana
        .call_json("portal/invite", json!({ "customer_id": alpha, "input": { "full_name": "Mo Member", "email": "mo@example.com", "role": "Owner", "method": "DisplayLink" } }))
        .await);
    let mut mo = app.client_from("10.0.0.5");
    ok(&mo
        .call_json("account/activate", json!({ "token": token_of(&outcome["link"]), "password": GOOD_PASSWORD }))
        .await);
    assert_eq!(ok(&mo.call_json("portal/account", json!({ "customer_id": alpha })).await)["role"], "Member");
    let res = mo
        .call_json(
            "portal/invite",
            json!({ "customer_id": alpha, "input": { "full_name": "Y", "email": "y@example.com" } }),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

on_both_databases!(the_portal_shows_only_the_persons_own_accounts,);
