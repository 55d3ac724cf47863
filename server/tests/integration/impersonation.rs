//! "Log in as" (issue 12, PRODUCT.md §8) on both databases: who may start a view and into what,
//! that it is its own short-lived credential beside the partner's session, what it may not do,
//! how it ends (return, time, sign-out, a withdrawn right) and that the audit log names both
//! identities throughout.

use super::customer_users::ok;
use crate::common::{Client, Role, TestApp, TestResponse};
use http::StatusCode;
use serde_json::{json, Value};

async fn confirm_support(app: &TestApp, tenant: i64) {
    app.execute(&format!("UPDATE tenants SET support_level_confirmed = 1 WHERE id = {tenant}")).await;
}

async fn start(client: &mut Client<'_>, customer: i64, reason: &str) -> TestResponse {
    client
        .call_json(
            "impersonation/start",
            json!({ "customer_id": customer, "reason": reason, "return_to": "/customers?q=alpha" }),
        )
        .await
}

fn has_impersonation_cookie(client: &Client<'_>) -> bool {
    client.cookie.as_deref().unwrap_or_default().contains("clientele_impersonation=")
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    let rows = sqlx::query("SELECT action, actor_label, acting_as FROM audit_log WHERE action LIKE 'impersonation.%' OR acting_as IS NOT NULL ORDER BY id")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    use sqlx::Row;
    rows.iter().map(|r| (r.get("action"), r.get("actor_label"), r.get("acting_as"))).collect()
}

async fn a_partner_user_views_the_account_as_its_users_do_and_returns(app: TestApp) {
    confirm_support(&app, app.fixture.acme).await;
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let session_before = admin.cookie.clone().unwrap();

    let path = ok(&start(&mut admin, alpha, "Ticket 4711: checking their invoices").await);
    assert_eq!(path, json!(format!("/portal/{alpha}")));
    assert!(has_impersonation_cookie(&admin), "the view has a cookie of its own: {:?}", admin.cookie);
    assert!(admin.cookie.as_deref().unwrap().contains(&session_before), "the partner's session is kept as it was");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1, "no session was made for anyone");

    // The portal, exactly as the account's owners see it: the account and its sub-accounts.
    let session = ok(&admin.call("session", &[]).await);
    assert_eq!(session["impersonation"]["customer_name"], "Alpha Bakery");
    assert_eq!(session["impersonation"]["partner_user"], "User admin@acme.test");
    assert_eq!(session["impersonation"]["return_to"], "/customers?q=alpha");
    let left = session["impersonation"]["seconds_left"].as_i64().unwrap();
    assert!((29 * 60..=30 * 60).contains(&left), "{left}");
    assert_eq!(session["permissions"], json!([]), "no partner rights while impersonation");
    assert_eq!(session["accounts"].as_array().unwrap().len(), 1);
    let account = ok(&admin.call_json("portal/account", json!({ "customer_id": alpha })).await);
    assert_eq!(account["name"], "Alpha Bakery");
    assert_eq!(account["role"], "Owner");
    ok(&admin.call_json("portal/account", json!({ "customer_id": charlie })).await);
    // The page itself, as the browser first gets it: the portal under the banner.
    let page = admin.get(&format!("/portal/{alpha}")).await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    for text in ["Viewing ", "Alpha Bakery", "User admin@acme.test", "Return to Clientele", " left"] {
        assert!(page.body.contains(text), "{text:?} missing from the portal page");
    }
    for other in [app.fixture.globex_customer, app.scalar("SELECT id FROM customers WHERE name = 'Bravo Dental'").await]
    {
        let res = admin.call_json("portal/account", json!({ "customer_id": other })).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{other}: {res:?}");
    }

    // Never a staff or operator identity meanwhile: partner calls are refused.
    let res = admin.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res = admin.call_json("customers/detail", json!({ "id": alpha })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res = admin.call("switch-tenant", &[("tenant_id", &app.fixture.acme.to_string())]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res = start(&mut admin, charlie, "again").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no view inside a view: {res:?}");

    // A change made meanwhile carries both identities.
    let invited = admin
        .call_json(
            "portal/invite",
            json!({ "customer_id": alpha, "input": { "full_name": "Nia New", "email": "nia@example.com", "role": "Member", "method": "DisplayLink" } }),
        )
        .await;
    ok(&invited);

    // Return: back where they came from, still signed in as themselves.
    let back = ok(&admin.call_json("impersonation/end", json!({})).await);
    assert_eq!(back, json!("/customers?q=alpha"));
    assert!(!has_impersonation_cookie(&admin));
    let session = ok(&admin.call("session", &[]).await);
    assert_eq!(session["impersonation"], Value::Null);
    assert_eq!(session["email"], "admin@acme.test");
    ok(&admin.call("customers/list", &[("query", "")]).await);

    let entries = audit_actions(&app).await;
    let acting_as = format!("Alpha Bakery (customer #{alpha})");
    let admin_label = "User admin@acme.test <admin@acme.test>";
    let start_entry = entries.iter().find(|e| e.0 == "impersonation.start").expect("start audited");
    assert_eq!((start_entry.1.as_str(), start_entry.2.as_deref()), (admin_label, Some(acting_as.as_str())));
    let invite_entry = entries.iter().find(|e| e.0.starts_with("customer_user.")).expect("the invitation audited");
    assert_eq!((invite_entry.1.as_str(), invite_entry.2.as_deref()), (admin_label, Some(acting_as.as_str())));
    let end_entry = entries.iter().find(|e| e.0 == "impersonation.end").expect("end audited");
    assert_eq!(end_entry.2.as_deref(), Some(acting_as.as_str()));
    let reason: String = sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE action = 'impersonation.start' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(reason.contains("Ticket 4711"), "{reason}");
    let end: String = sqlx::query_scalar("SELECT changes FROM audit_log WHERE action = 'impersonation.end'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(end.contains("returned"), "{end}");
}

async fn nothing_about_passwords_emails_or_sessions_while_acting(app: TestApp) {
    confirm_support(&app, app.fixture.acme).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&start(&mut admin, app.fixture.acme_customer, "").await);
    let passwords_before = app.scalar("SELECT COUNT(DISTINCT password_hash) FROM persons").await;
    for (endpoint, body) in [
        ("account/reset-password", json!({ "token": "2".repeat(64), "password": "a new long password 123" })),
        ("account/activate", json!({ "token": "1".repeat(64), "password": "a new long password 123" })),
        ("account/forgot-password", json!({ "email": "admin@acme.test" })),
    ] {
        let res = admin.call_json(endpoint, body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}: {res:?}");
    }
    let res = admin.login("viewer@acme.test", crate::common::PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no signing in as someone else meanwhile: {res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM person_tokens").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(DISTINCT password_hash) FROM persons").await, passwords_before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1);

    // Signing out ends the view (audited) and the session.
    ok(&admin.call("logout", &[]).await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    let ended: String = sqlx::query_scalar("SELECT changes FROM audit_log WHERE action = 'impersonation.end'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(ended.contains("signed out"), "{ended}");
}

async fn refused_without_permission_support_level_or_an_active_customer_of_ones_own(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    // The support level is not confirmed yet.
    let res = start(&mut admin, alpha, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    assert!(res.body.contains("support level"), "{res:?}");
    let session = ok(&admin.call("session", &[]).await);
    assert_eq!(session["impersonation_availability"], json!("AwaitingSupportLevel"));

    confirm_support(&app, app.fixture.acme).await;
    let session = ok(&admin.call("session", &[]).await);
    assert_eq!(session["impersonation_availability"], json!({ "Available": { "reason": "Optional", "minutes": 30 } }));
    // Another tenant's customer: as if it did not exist. A disabled one: refused.
    let res = start(&mut admin, app.fixture.globex_customer, "").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let bravo = app.scalar("SELECT id FROM customers WHERE name = 'Bravo Dental'").await;
    let res = start(&mut admin, bravo, "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert!(res.body.contains("disabled"), "{res:?}");
    // A role without the permission.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let res = start(&mut viewer, alpha, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    // A required reason.
    app.execute(&format!("UPDATE tenants SET impersonation_reason = 'required' WHERE id = {}", app.fixture.acme)).await;
    let res = start(&mut admin, alpha, "   ").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let res = start(&mut admin, alpha, &"x".repeat(501)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM impersonations").await, 0, "nothing started");
    assert!(!has_impersonation_cookie(&admin));
    // A hostile return path becomes the list.
    let res = admin
        .call_json(
            "impersonation/start",
            json!({ "customer_id": alpha, "reason": "why", "return_to": "//evil.example/" }),
        )
        .await;
    ok(&res);
    assert_eq!(ok(&admin.call_json("impersonation/end", json!({})).await), json!("/customers"));
}

async fn the_instance_switch_forbids_it(app: TestApp) {
    let app = app.without_impersonation();
    confirm_support(&app, app.fixture.acme).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    assert_eq!(ok(&admin.call("session", &[]).await)["impersonation_availability"], json!("TurnedOff"));
    let res = start(&mut admin, app.fixture.acme_customer, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let mut operator = app.signed_in("op@platform.test").await;
    let res = start(&mut operator, app.fixture.acme_customer, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
}

/// Any withdrawn ground ends the view at its next request, audited; the person is themselves again.
async fn a_view_ends_when_time_runs_out_or_a_right_is_withdrawn(app: TestApp) {
    confirm_support(&app, app.fixture.acme).await;
    let alpha = app.fixture.acme_customer;
    app.person("manager@acme.test").with_role(Role::AccountManager).create().await;
    let acme = app.fixture.acme;
    let withdrawals: [(&str, String, String); 5] = [
        ("time ran out", "UPDATE impersonations SET expires_at = 1".into(), String::new()),
        (
            "support level withdrawn",
            format!("UPDATE tenants SET support_level_confirmed = 0 WHERE id = {acme}"),
            format!("UPDATE tenants SET support_level_confirmed = 1 WHERE id = {acme}"),
        ),
        (
            "permission withdrawn",
            "UPDATE memberships SET role_id = 4 WHERE person_id = (SELECT id FROM persons WHERE email = 'manager@acme.test')".into(),
            "UPDATE memberships SET role_id = 2 WHERE person_id = (SELECT id FROM persons WHERE email = 'manager@acme.test')".into(),
        ),
        (
            "customer disabled",
            format!("UPDATE customers SET status = 'disabled' WHERE id = {alpha}"),
            format!("UPDATE customers SET status = 'active' WHERE id = {alpha}"),
        ),
        (
            "partner disabled",
            format!("UPDATE tenants SET status = 'disabled' WHERE id = {acme}"),
            format!("UPDATE tenants SET status = 'active' WHERE id = {acme}"),
        ),
    ];
    for (why, withdraw, restore) in withdrawals {
        let mut manager = app.signed_in("manager@acme.test").await;
        ok(&start(&mut manager, alpha, "").await);
        ok(&manager.call_json("portal/account", json!({ "customer_id": alpha })).await);
        app.execute(&withdraw).await;
        let res = manager.call_json("portal/account", json!({ "customer_id": alpha })).await;
        assert_ne!(res.status, StatusCode::OK, "{why}: the view must have ended: {res:?}");
        assert!(!has_impersonation_cookie(&manager), "{why}: the browser is told to drop the view's cookie");
        let ended: String = sqlx::query_scalar(
            "SELECT changes FROM audit_log WHERE action = 'impersonation.end' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert!(ended.contains(why), "{why}: {ended}");
        if !restore.is_empty() {
            app.execute(&restore).await;
        }
        // Still signed in as themselves: returning leads back to where they were.
        assert_eq!(ok(&manager.call_json("impersonation/end", json!({})).await), json!("/customers"));
        assert_eq!(ok(&manager.call("session", &[]).await)["email"], "manager@acme.test");
    }
}

async fn a_stolen_view_cookie_is_worth_nothing_without_its_session(app: TestApp) {
    confirm_support(&app, app.fixture.acme).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&start(&mut admin, app.fixture.acme_customer, "").await);
    let impersonation = admin
        .cookie
        .clone()
        .unwrap()
        .split("; ")
        .find(|c| c.starts_with("clientele_impersonation="))
        .unwrap()
        .to_string();
    // Someone else, signed in as themselves, with the view's cookie added.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    viewer.cookie = Some(format!("{}; {impersonation}", viewer.cookie.clone().unwrap()));
    let res = viewer.call_json("portal/account", json!({ "customer_id": app.fixture.acme_customer })).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    assert_eq!(ok(&viewer.call("session", &[]).await)["impersonation"], Value::Null);
    // And alone, it is nobody.
    let mut thief = app.client_from("10.9.9.9");
    thief.cookie = Some(impersonation);
    let res = thief.call_json("portal/account", json!({ "customer_id": app.fixture.acme_customer })).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
}

async fn operators_confirm_and_withdraw_support_levels(app: TestApp) {
    let acme = app.fixture.acme.to_string();
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin.call("partners/support-level", &[("tenant_id", &acme), ("confirmed", "true")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let mut operator = app.signed_in("op@platform.test").await;
    ok(&operator.call("partners/support-level", &[("tenant_id", &acme), ("confirmed", "true")]).await);
    assert_eq!(app.scalar(&format!("SELECT support_level_confirmed FROM tenants WHERE id = {acme}")).await, 1);
    assert_eq!(ok(&admin.call("session", &[]).await)["impersonation_availability"]["Available"]["minutes"], 30);
    ok(&operator.call("partners/support-level", &[("tenant_id", &acme), ("confirmed", "false")]).await);
    assert_eq!(ok(&admin.call("session", &[]).await)["impersonation_availability"], json!("AwaitingSupportLevel"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'partner.support_level_%'").await, 2);
    let res = operator.call("partners/support-level", &[("tenant_id", "999999"), ("confirmed", "true")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
}

async fn partner_admins_set_the_length_and_the_reason_within_the_cap(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let settings = ok(&admin.call_json("settings/impersonation", json!({})).await);
    assert_eq!(settings, json!({ "minutes": 30, "reason": "Optional", "max_minutes": 120 }));
    for bad in [0, -5, 121] {
        let res = admin.call_json("settings/impersonation-save", json!({ "minutes": bad, "reason": "Required" })).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {res:?}");
    }
    let res = admin.call_json("settings/impersonation-save", json!({ "minutes": 15, "reason": "Sometimes" })).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    let saved =
        ok(&admin.call_json("settings/impersonation-save", json!({ "minutes": 15, "reason": "Required" })).await);
    assert_eq!(saved["minutes"], 15);
    confirm_support(&app, app.fixture.acme).await;
    assert_eq!(
        ok(&admin.call("session", &[]).await)["impersonation_availability"],
        json!({ "Available": { "reason": "Required", "minutes": 15 } })
    );
    ok(&start(&mut admin, app.fixture.acme_customer, "Checking the set-up").await);
    let left = ok(&admin.call("session", &[]).await)["impersonation"]["seconds_left"].as_i64().unwrap();
    assert!((14 * 60..=15 * 60).contains(&left), "{left}");
}

on_both_databases!(
    a_partner_user_views_the_account_as_its_users_do_and_returns,
    nothing_about_passwords_emails_or_sessions_while_acting,
    refused_without_permission_support_level_or_an_active_customer_of_ones_own,
    the_instance_switch_forbids_it,
    a_view_ends_when_time_runs_out_or_a_right_is_withdrawn,
    a_stolen_view_cookie_is_worth_nothing_without_its_session,
    operators_confirm_and_withdraw_support_levels,
    partner_admins_set_the_length_and_the_reason_within_the_cap
);
