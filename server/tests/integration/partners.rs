//! The operator runs partners (Settings → Partners): search, create with a first Partner admin,
//! edit, disable and enable — on both databases.

use crate::common::{Role, TestApp, PASSWORD};
use crate::customer_users::{ok, session, GOOD_PASSWORD};
use app::types::customer_users::AccountRole;
use http::StatusCode;
use serde_json::json;
use sqlx::Row;

async fn an_operator_creates_a_partner_whose_invited_admin_takes_over(app: TestApp) {
    let mut operator = app.signed_in("op@platform.test").await;
    let partners_before = app.scalar("SELECT COUNT(*) FROM tenants").await;
    let bad = operator
        .call_json("partners/create", json!({ "draft": { "name": "  ", "admin_name": "", "admin_email": "x" } }))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.json()["Invalid"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["admin_email", "admin_name", "name"]
    );
    let taken = operator
        .call_json(
            "partners/create",
            json!({ "draft": { "name": "acme partners", "admin_name": "Ann", "admin_email": "ann@example.com" } }),
        )
        .await;
    assert_eq!(taken.json()["Invalid"]["name"], "Another partner already has this name.");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM tenants").await, partners_before, "nothing was created");

    let created = ok(&operator
        .call_json(
            "partners/create",
            json!({ "draft": {
            "name": "Initech Partners", "contact_name": "Peter Gibbons", "contact_email": "Peter@Initech.example",
            "support_level_confirmed": true, "admin_name": "Bill Lumbergh", "admin_email": "bill@initech.example" } }),
        )
        .await);
    assert_eq!(created[0]["name"], "Initech Partners");
    assert_eq!(created[0]["contact_email"], "peter@initech.example");
    assert_eq!(created[0]["support_level_confirmed"], true);
    assert_eq!(created[1]["email"], "bill@initech.example");
    assert_eq!(created[1]["link"], serde_json::Value::Null, "the link went by email");
    let found = ok(&operator.call("partners/list", &[("search", "initech")]).await);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        ok(&operator.call("partners/list", &[("search", "%")]).await).as_array().unwrap().len(),
        0,
        "wildcards are text"
    );

    let body: String = sqlx::query("SELECT body_text FROM outbound_emails WHERE to_addr = 'bill@initech.example'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get("body_text");
    let token = body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let mut bill = app.client_from("10.0.0.71");
    ok(&bill.call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await);
    let who = session(&mut bill).await;
    assert_eq!(
        (who["tenant"]["name"].as_str(), who["role_name"].as_str()),
        (Some("Initech Partners"), Some("Partner admin"))
    );

    ok(&operator
        .call_json(
            "partners/update",
            json!({ "draft": { "id": created[0]["id"], "name": "Initech", "contact_name": "", "contact_email": "" } }),
        )
        .await);
    let renamed = ok(&operator.call("partners/list", &[("search", "initech")]).await);
    assert_eq!((renamed[0]["name"].as_str(), &renamed[0]["contact_name"]), (Some("Initech"), &serde_json::Value::Null));
    let actions = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('partner.created', 'partner.updated', 'partner_user.invite') AND actor_label LIKE '%(platform operator)'").await;
    assert_eq!(actions, 3);
    // A partner admin cannot do any of it.
    let mut admin = app.signed_in("admin@acme.test").await;
    assert_eq!(
        admin
            .call_json("partners/update", json!({ "draft": { "id": app.fixture.globex, "name": "Mine" } }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn a_disabled_partner_locks_out_its_staff_and_pauses_its_customers(app: TestApp) {
    let (acme, globex) = (app.fixture.acme, app.fixture.globex);
    let mut viewer = app.signed_in("viewer@acme.test").await;
    // Someone who also works for Globex, and a customer user of Acme's.
    let both = app.person("both@example.com").with_role(Role::Support).create().await;
    app::backend::seed::add_partner_user(&app.db, both, globex, "viewer").await.unwrap();
    let mut both_browser = app.signed_in("both@example.com").await;
    app.person("cara@acme-customer.test").customer_user(app.fixture.acme_customer, AccountRole::Owner).create().await;
    let mut cara = app.client_from("10.0.0.72");
    assert!(cara.login("cara@acme-customer.test", PASSWORD).await.status.is_success());

    let mut operator = app.signed_in("op@platform.test").await;
    ok(&operator.call_json("partners/status", json!({ "tenant_id": acme, "active": false })).await);

    assert!(viewer.call("session", &[]).await.json().is_null(), "Acme was their only way in: signed out");
    let again = app.client_from("10.0.0.73").login("viewer@acme.test", PASSWORD).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(again.error_kind(), "AccountDisabled");
    let who = session(&mut both_browser).await;
    assert_eq!(who["tenant"]["name"], "Globex", "access elsewhere stays");
    assert!(cara.call("session", &[]).await.json().is_null(), "the customer user is signed out too");
    let res = app.client_from("10.0.0.74").login("cara@acme-customer.test", PASSWORD).await;
    assert_eq!(res.error_kind(), "AccountDisabled");
    // The operator still sees it, marked, and may enable it again.
    let listed = ok(&operator.call("partners/list", &[("search", "acme")]).await);
    assert_eq!(listed[0]["active"], false);
    ok(&operator.call_json("partners/status", json!({ "tenant_id": acme, "active": true })).await);
    assert!(app.client_from("10.0.0.75").login("viewer@acme.test", PASSWORD).await.status.is_success());
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_log WHERE action LIKE 'partner.%abled' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("action"))
            .collect();
    assert_eq!(actions, ["partner.disabled", "partner.enabled"]);
    assert_eq!(
        operator.call_json("partners/status", json!({ "tenant_id": 999_999, "active": false })).await.status,
        StatusCode::NOT_FOUND
    );
}

on_both_databases!(
    an_operator_creates_a_partner_whose_invited_admin_takes_over,
    a_disabled_partner_locks_out_its_staff_and_pauses_its_customers,
);
