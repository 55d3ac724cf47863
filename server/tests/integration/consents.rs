//! Consents (issue 13, PRODUCT.md §9) on both databases: the partner's settings, the activation
//! that asks for them, the portal that shows and changes marketing consent, and where they show.

use super::customer_users::{invite, ok, token_of, GOOD_PASSWORD};
use crate::common::TestApp;
use http::StatusCode;
use serde_json::json;

async fn activation_asks_for_the_partners_consents_and_keeps_them_with_dates(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    // Settings: a required consent needs a web address.
    let res = admin
        .call_json("settings/consents-save", json!({ "policy": { "terms_url": "ftp://x", "privacy_url": null, "terms_required": true, "privacy_required": false } }))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    ok(&admin
        .call_json("settings/consents-save", json!({ "policy": { "terms_url": " https://acme.example/terms ", "privacy_url": "https://acme.example/privacy", "terms_required": true, "privacy_required": false } }))
        .await);
    assert_eq!(ok(&admin.call_json("settings/consents", json!({})).await)["terms_url"], "https://acme.example/terms");

    let outcome = ok(&invite(&mut admin, alpha, "Nora New", "nora@example.com", "Owner", true).await);
    let token = token_of(&outcome["link"]);
    let mut nora = app.client_from("10.6.0.1");
    let info = ok(&nora.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["consents"]["terms_required"], true);

    // Without the required terms: refused, nothing changes, the link still works.
    let res = nora
        .call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD, "consents": { "terms": false, "privacy": true, "marketing": true } }))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res.body.contains("terms"), "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM consents").await, 0);
    ok(&nora
        .call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD, "consents": { "terms": true, "privacy": false, "marketing": true } }))
        .await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM consents WHERE accepted = 1").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM consents WHERE kind = 'privacy' AND accepted = 0").await, 1);

    // The portal: her answers; marketing withdrawn, dated, audited.
    let mine = ok(&nora.call_json("portal/consents", json!({})).await);
    assert_eq!(mine[0]["partner"], "Acme Partners");
    assert_eq!(mine[0]["consents"].as_array().unwrap().len(), 3);
    ok(&nora.call_json("portal/marketing", json!({ "tenant_id": app.fixture.acme, "accepted": false })).await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM consents WHERE kind = 'marketing' AND accepted = 0").await, 1);
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'consent.set'").await >= 4);
    // Not for a partner she does not belong to.
    let res = nora.call_json("portal/marketing", json!({ "tenant_id": app.fixture.globex, "accepted": true })).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");

    // The partner sees them on the users page and in the export.
    let users = ok(&admin.call_json("customer-users/list", json!({ "customer_id": alpha })).await);
    let nora_row =
        users["users"].as_array().unwrap().iter().find(|u| u["email"] == "nora@example.com").unwrap().clone();
    assert_eq!(nora_row["consents"].as_array().unwrap().len(), 3);
    let csv = admin.get("/customers/users-export.csv").await;
    let line = csv.body.lines().find(|l| l.starts_with("nora@example.com")).unwrap().to_string();
    let cells: Vec<&str> = line.split(',').collect();
    assert!(cells[9].starts_with("20"), "terms accepted with a date: {line}");
    assert_eq!((cells[10], cells[11]), ("", "no"), "{line}");
    // Another owner of the account sees no one's consents in the portal.
    let portal = ok(&nora.call_json("portal/account", json!({ "customer_id": alpha })).await);
    assert!(portal["users"].as_array().unwrap().iter().all(|u| u["consents"] == json!([])));
}

on_both_databases!(activation_asks_for_the_partners_consents_and_keeps_them_with_dates);
