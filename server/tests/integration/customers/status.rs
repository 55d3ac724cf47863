//! Activating and disabling customers: one, a selection, or everything matching a filter.

use crate::common;
use app::types::customer_users::AccountRole;
use common::TestApp;
use http::StatusCode;
use serde_json::json;

async fn status_of(app: &TestApp, id: i64) -> String {
    use sqlx::Row;
    sqlx::query("SELECT status FROM customers WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get("status")
}

async fn id_of(app: &TestApp, name: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM customers WHERE name = '{name}'")).await
}

async fn disabling_a_selection_changes_audits_and_leaves_the_sidebar(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let alpha = app.fixture.acme_customer;
    let bravo = id_of(&app, "Bravo Dental").await; // already disabled
    let selection = json!({ "Ids": [alpha, bravo] });

    let preview =
        admin.call_json("customers/preview-status", json!({ "selection": selection, "status": "Disabled" })).await;
    assert_eq!(preview.status, StatusCode::OK, "{preview:?}");
    assert_eq!(preview.json(), json!({ "status": "Disabled", "changed": 1, "unchanged": 1, "sub_accounts": 1 }));
    assert_eq!(status_of(&app, alpha).await, "active", "a preview changes nothing");

    let res = admin.call_json("customers/set-status", json!({ "selection": selection, "status": "Disabled" })).await;
    assert_eq!(res.json(), preview.json());
    assert_eq!(status_of(&app, alpha).await, "disabled");
    assert_eq!(app.scalar(&format!("SELECT version FROM customers WHERE id = {alpha}")).await, 2);
    assert!(app.scalar(&format!("SELECT status_changed_by FROM customers WHERE id = {alpha}")).await > 0);
    use sqlx::Row;
    let entry =
        sqlx::query("SELECT action, target_id, changes, tenant_id FROM audit_log WHERE action LIKE 'customer.%'")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(entry.len(), 1, "one entry per customer changed");
    assert_eq!(entry[0].get::<String, _>("action"), "customer.disable");
    assert_eq!(entry[0].get::<Option<i64>, _>("target_id"), Some(alpha));
    assert_eq!(entry[0].get::<Option<String>, _>("changes").as_deref(), Some(r#"{"status":["active","disabled"]}"#));
    let sidebar = admin.call("customers/sidebar", &[("filter", "")]).await.json();
    assert_eq!(sidebar["total"], json!({ "Exact": 1 }));

    let back =
        admin.call_json("customers/set-status", json!({ "selection": { "Ids": [alpha] }, "status": "Active" })).await;
    assert_eq!(back.json()["changed"], 1);
    assert_eq!(status_of(&app, alpha).await, "active");
}

async fn a_viewer_cannot_change_status(app: TestApp) {
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let body = json!({ "selection": { "Ids": [app.fixture.acme_customer] }, "status": "Disabled" });
    for endpoint in ["customers/preview-status", "customers/set-status"] {
        let res = viewer.call_json(endpoint, body.clone()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}");
        assert_eq!(res.json()["Forbidden"], "your role does not include customers.disable");
    }
    assert_eq!(status_of(&app, app.fixture.acme_customer).await, "active");
}

async fn another_tenants_customer_refuses_the_whole_change(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let body = json!({ "selection": { "Ids": [app.fixture.acme_customer, app.fixture.globex_customer] }, "status": "Disabled" });
    let res = admin.call_json("customers/set-status", body).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    assert_eq!(status_of(&app, app.fixture.acme_customer).await, "active", "all or nothing");
    assert_eq!(status_of(&app, app.fixture.globex_customer).await, "active");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'customer.%'").await, 0);
}

async fn all_matching_is_evaluated_on_the_server_within_the_tenant(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    // Every fixture customer is in Berlin, Globex's too; only Acme's may change.
    let body = json!({ "selection": { "Matching": "city=Berlin&status=active" }, "status": "Disabled" });
    let preview = admin.call_json("customers/preview-status", body.clone()).await.json();
    assert_eq!(preview, json!({ "status": "Disabled", "changed": 2, "unchanged": 0, "sub_accounts": 1 }));
    let res = admin.call_json("customers/set-status", body).await.json();
    assert_eq!(res, preview);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM customers WHERE tenant_id = {} AND status = 'active'",
            app.fixture.acme
        ))
        .await,
        0
    );
    assert_eq!(status_of(&app, app.fixture.globex_customer).await, "active");
}

async fn disabling_ends_the_sessions_of_the_customers_users(app: TestApp) {
    let person = app
        .person("user@alpha.test")
        .named("Alpha User")
        .customer_user(app.fixture.acme_customer, AccountRole::Owner)
        .create()
        .await;
    app.signed_in("user@alpha.test").await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE person_id = {person}")).await, 1);
    let mut admin = app.signed_in("admin@acme.test").await;
    let body = json!({ "selection": { "Ids": [app.fixture.acme_customer] }, "status": "Disabled" });
    assert_eq!(admin.call_json("customers/set-status", body).await.status, StatusCode::OK);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE person_id = {person}")).await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1, "the admin's own session stays");
}

/// Disabling (or deleting, `customer_records`) a customer ends the sessions of the people whose
/// accepted access is that customer alone. Someone merely invited there — another partner's staff,
/// the operator — or who can still work elsewhere keeps theirs: a tenant must not be able to
/// sign out people it does not own.
async fn disabling_leaves_invited_people_and_people_with_other_access_signed_in(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    for email in ["admin@globex.test", "op@platform.test"] {
        let invite = json!({ "customer_id": alpha, "input": { "full_name": "X", "email": email, "role": "Owner", "method": "DisplayLink" } });
        assert_eq!(admin.call_json("customer-users/invite", invite).await.status, StatusCode::OK, "{email}");
    }
    // An accepted user of Alpha who also uses another (active) customer account.
    let other = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let both = app
        .person("both@example.test")
        .customer_user(alpha, AccountRole::Member)
        .customer_user(other, AccountRole::Member)
        .create()
        .await;
    let mut globex = app.signed_in("admin@globex.test").await;
    let mut operator = app.signed_in("op@platform.test").await;
    app.signed_in("both@example.test").await;

    let body = json!({ "selection": { "Ids": [alpha] }, "status": "Disabled" });
    assert_eq!(admin.call_json("customers/set-status", body).await.status, StatusCode::OK);
    assert_eq!(globex.call("session", &[]).await.json()["email"], "admin@globex.test");
    assert_eq!(operator.call("session", &[]).await.json()["email"], "op@platform.test");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE person_id = {both}")).await, 1);
}

/// Another writer disables the customer between our read and our write: we change nothing, so we
/// audit nothing and say so.
async fn a_status_change_racing_another_writer_audits_only_what_it_changed(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    let body = json!({ "selection": { "Ids": [alpha] }, "status": "Disabled" });
    let res = app
        .racing(
            &[&format!("UPDATE customers SET status = 'disabled' WHERE id = {alpha}")],
            admin.call_json("customers/set-status", body),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.json()["changed"], 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.disable'").await, 0);
}

async fn bad_selections_get_clear_errors_and_change_nothing(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let empty =
        admin.call_json("customers/set-status", json!({ "selection": { "Ids": [] }, "status": "Disabled" })).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.json()["BadRequest"], "Select at least one customer.");
    let nonsense =
        admin.call_json("customers/set-status", json!({ "selection": "everything", "status": "Gone" })).await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST, "{nonsense:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE status = 'disabled'").await, 1);
}

on_both_databases!(
    disabling_a_selection_changes_audits_and_leaves_the_sidebar,
    a_viewer_cannot_change_status,
    another_tenants_customer_refuses_the_whole_change,
    all_matching_is_evaluated_on_the_server_within_the_tenant,
    disabling_ends_the_sessions_of_the_customers_users,
    disabling_leaves_invited_people_and_people_with_other_access_signed_in,
    a_status_change_racing_another_writer_audits_only_what_it_changed,
    bad_selections_get_clear_errors_and_change_nothing,
);
