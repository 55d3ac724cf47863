//! A partner's own staff and roles (Settings → Team and Roles): inviting colleagues, the rules
//! that keep this from being a way up, and custom roles — on both databases.

use crate::common::{self, Client, Role, TestApp};
use crate::customer_users::{ok, session, GOOD_PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

async fn role_id(app: &TestApp, key: &str) -> i64 {
    app.scalar(&format!("SELECT id FROM roles WHERE key = '{key}' AND tenant_id IS NULL")).await
}

async fn membership_of(app: &TestApp, email: &str, tenant: i64) -> i64 {
    app.scalar(&format!(
        "SELECT m.id FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE p.email = '{email}' AND m.kind = 'partner' AND m.tenant_id = {tenant}"
    ))
    .await
}

async fn team(client: &mut Client<'_>) -> Value {
    ok(&client.call_json("team/list", json!({})).await)
}

async fn invite(client: &mut Client<'_>, name: &str, email: &str, role_id: i64, display: bool) -> common::TestResponse {
    let method = if display { "DisplayLink" } else { "SendEmail" };
    client
        .call_json(
            "team/invite",
            json!({ "input": { "full_name": name, "email": email, "role_id": role_id, "method": method } }),
        )
        .await
}

fn refused_with(res: &common::TestResponse, status: StatusCode, words: &str) {
    assert_eq!(res.status, status, "{res:?}");
    assert!(res.body.contains(words), "expected “{words}” in {res:?}");
}

async fn an_emailed_invitation_makes_a_colleague_with_that_role(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let support = role_id(&app, "support").await;
    let bad = invite(&mut admin, " ", "nope", 0, false).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.json()["Invalid"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["email", "full_name", "role_id"]
    );
    ok(&invite(&mut admin, "Sam Support", "Sam@Example.com", support, false).await);
    let again = invite(&mut admin, "Sam Support", "sam@example.com", support, false).await;
    refused_with(&again, StatusCode::UNPROCESSABLE_ENTITY, "already invited");

    let listed = team(&mut admin).await;
    let sam = listed["members"].as_array().unwrap().iter().find(|m| m["email"] == "sam@example.com").unwrap().clone();
    assert_eq!((sam["state"].as_str(), sam["role_name"].as_str()), (Some("Invited"), Some("Support")));
    let me = listed["members"].as_array().unwrap().iter().find(|m| m["email"] == "admin@acme.test").unwrap().clone();
    assert_eq!(me["is_self"], true);

    // The email has Clientele's own wording (never the partner's) and the link.
    let mail = sqlx::query("SELECT subject, body_text FROM outbound_emails WHERE to_addr = 'sam@example.com'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(mail.get::<String, _>("subject"), "Join the Acme Partners team on Clientele");
    let body: String = mail.get("body_text");
    assert!(body.contains("as Support"), "{body}");
    let token = body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let mut sam_browser = app.client_from("10.0.0.61");
    let info = ok(&sam_browser.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["customer_name"], "the Acme Partners team, as Support");
    assert_eq!(info["Activation"]["consents"]["terms_url"], Value::Null, "staff give no customer consents");
    ok(&sam_browser.call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await);
    let who = session(&mut sam_browser).await;
    assert_eq!(who["role_name"], "Support");
    assert_eq!(who["tenant"]["name"], "Acme Partners");
    assert!(who["permissions"].as_array().unwrap().contains(&json!("CustomersImpersonate")));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('partner_user.invite', 'partner_user.activate')")
            .await,
        2
    );
}

async fn nobody_climbs_by_managing_the_team(app: TestApp) {
    let acme = app.fixture.acme;
    let admin_role = role_id(&app, "partner_admin").await;
    let viewer_role = role_id(&app, "viewer").await;
    let manager_role = role_id(&app, "account_manager").await;
    // A team lead who may manage staff but holds less than a Partner admin.
    app.execute(&format!("INSERT INTO roles (tenant_id, key, name, builtin) VALUES ({acme}, 'lead', 'Team lead', 0)"))
        .await;
    let lead_role = app.scalar("SELECT id FROM roles WHERE key = 'lead'").await;
    for p in ["customers.view", "partner_users.manage"] {
        app.execute(&format!("INSERT INTO role_permissions (role_id, permission) VALUES ({lead_role}, '{p}')")).await;
    }
    app.execute(&format!(
        "UPDATE memberships SET role_id = {lead_role} WHERE id = {}",
        membership_of(&app, "viewer@acme.test", acme).await
    ))
    .await;
    let mut lead = app.signed_in("viewer@acme.test").await;
    let before = app.scalar("SELECT COUNT(*) FROM memberships").await;

    // Granting what one lacks: inviting an admin, or promoting anyone (oneself included).
    refused_with(
        &invite(&mut lead, "Eve", "eve@example.com", admin_role, true).await,
        StatusCode::FORBIDDEN,
        "customers.create",
    );
    let admin_membership = membership_of(&app, "admin@acme.test", acme).await;
    let own = membership_of(&app, "viewer@acme.test", acme).await;
    let res = lead.call_json("team/role", json!({ "membership_id": own, "role_id": admin_role })).await;
    refused_with(&res, StatusCode::FORBIDDEN, "your own role");
    // Touching someone who holds more: demoting or disabling the admin.
    let res = lead.call_json("team/role", json!({ "membership_id": admin_membership, "role_id": viewer_role })).await;
    refused_with(&res, StatusCode::FORBIDDEN, "holds permissions you do not");
    let res = lead.call_json("team/access", json!({ "membership_id": admin_membership, "active": false })).await;
    refused_with(&res, StatusCode::FORBIDDEN, "holds permissions you do not");
    // The list offers the lead only the roles it may hand out.
    let offered: Vec<String> = team(&mut lead).await["assignable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(offered, ["Viewer", "Team lead"]);

    // Another partner's role is not one of this partner's.
    app.execute(&format!(
        "INSERT INTO roles (tenant_id, key, name, builtin) VALUES ({}, 'spy', 'Spy', 0)",
        app.fixture.globex
    ))
    .await;
    let foreign_role = app.scalar("SELECT id FROM roles WHERE key = 'spy'").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = invite(&mut admin, "Eve", "eve@example.com", foreign_role, true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res.json()["Invalid"]["role_id"].as_str().unwrap().contains("this partner's roles"));
    // Nor may a membership that names one grant anything (authorization checks the role's partner).
    app.execute(&format!(
        "INSERT INTO role_permissions (role_id, permission) VALUES ({foreign_role}, 'customers.view')"
    ))
    .await;
    app.execute(&format!("UPDATE memberships SET role_id = {foreign_role} WHERE id = {own}")).await;
    assert_eq!(session(&mut lead).await["permissions"], json!([]));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, before, "nothing was added");

    // The last Partner admin stays one: not demoted, disabled or removed, even by an operator.
    let mut operator = app.signed_in("op@platform.test").await;
    assert_eq!(operator.call("switch-tenant", &[("tenant_id", &acme.to_string())]).await.status, StatusCode::OK);
    for (path, args) in [
        ("team/role", json!({ "membership_id": admin_membership, "role_id": manager_role })),
        ("team/access", json!({ "membership_id": admin_membership, "active": false })),
        ("team/remove", json!({ "membership_id": admin_membership })),
    ] {
        refused_with(&operator.call_json(path, args).await, StatusCode::BAD_REQUEST, "last Partner admin");
    }
    // With a second admin, the first may go; entries the operator made say so.
    let second = ok(&invite(&mut admin, "Second Admin", "second@example.com", admin_role, true).await);
    app.execute(&format!("UPDATE memberships SET state = 'active' WHERE id = {}", second["membership_id"])).await;
    ok(&operator.call_json("team/role", json!({ "membership_id": admin_membership, "role_id": manager_role })).await);
    let label: String = sqlx::query("SELECT actor_label FROM audit_log WHERE action = 'partner_user.role_changed'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get("actor_label");
    assert!(label.ends_with("(platform operator)"), "{label}");
}

async fn disabling_or_removing_a_colleague_ends_their_rights_here_only(app: TestApp) {
    let (acme, globex) = (app.fixture.acme, app.fixture.globex);
    // Dee works for both partners.
    let dee = app.person("dee@example.com").with_role(Role::AccountManager).create().await;
    app::backend::seed::add_partner_user(&app.db, dee, globex, "viewer").await.unwrap();
    let mut dee_browser = app.signed_in("dee@example.com").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let dee_at_acme = membership_of(&app, "dee@example.com", acme).await;

    ok(&admin.call_json("team/access", json!({ "membership_id": dee_at_acme, "active": false })).await);
    let res = dee_browser.call("customers/list", &[("query", "")]).await;
    assert_eq!(res.status, StatusCode::OK, "still signed in, now working for Globex: {res:?}");
    let who = session(&mut dee_browser).await;
    assert_eq!(who["tenant"]["name"], "Globex");
    assert!(who["tenants"].as_array().unwrap().iter().all(|t| t["name"] != "Acme Partners"));
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE person_id = {dee}")).await,
        1,
        "their session stays theirs"
    );

    ok(&admin.call_json("team/access", json!({ "membership_id": dee_at_acme, "active": true })).await);
    ok(&admin.call_json("team/remove", json!({ "membership_id": dee_at_acme })).await);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE person_id = {dee}")).await,
        1,
        "Globex's stays"
    );
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM persons WHERE id = {dee}")).await, 1, "the identity stays");
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_log WHERE action LIKE 'partner_user.%' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("action"))
            .collect();
    assert_eq!(actions, ["partner_user.disabled", "partner_user.enabled", "partner_user.removed"]);
    // Another partner's colleague is not found.
    let globex_admin = membership_of(&app, "admin@globex.test", globex).await;
    assert_eq!(
        admin.call_json("team/remove", json!({ "membership_id": globex_admin })).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn custom_roles_hold_what_their_maker_holds_and_go_only_when_unused(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let roles = ok(&admin.call_json("roles/list", json!({})).await);
    let names: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(&names[..4], ["Partner admin", "Account manager", "Support", "Viewer"]);
    let builtin = roles[0]["id"].as_i64().unwrap();

    let bad = admin.call_json("roles/save", json!({ "draft": { "name": "", "permissions": [] } })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let erase =
        admin.call_json("roles/save", json!({ "draft": { "name": "Eraser", "permissions": ["PersonsErase"] } })).await;
    assert_eq!(erase.status, StatusCode::UNPROCESSABLE_ENTITY, "{erase:?}");
    let taken =
        admin.call_json("roles/save", json!({ "draft": { "name": "viewer", "permissions": ["CustomersView"] } })).await;
    assert_eq!(taken.json()["Invalid"]["name"], "Another role already has this name.");
    let fixed = admin
        .call_json(
            "roles/save",
            json!({ "draft": { "id": builtin, "name": "Boss", "permissions": ["CustomersView"] } }),
        )
        .await;
    refused_with(&fixed, StatusCode::BAD_REQUEST, "built in");

    let billing = ok(&admin
        .call_json(
            "roles/save",
            json!({ "draft": { "name": "Billing", "permissions": ["CustomersView", "CustomersExport"] } }),
        )
        .await);
    let billing_id = billing["id"].as_i64().unwrap();
    let renamed = ok(&admin
        .call_json(
            "roles/save",
            json!({ "draft": { "id": billing_id, "name": "Billing desk", "permissions": ["CustomersView"] } }),
        )
        .await);
    assert_eq!(
        (renamed["name"].as_str(), renamed["permissions"].clone()),
        (Some("Billing desk"), json!(["CustomersView"]))
    );

    // Someone holding it: it cannot go, and the answer says who.
    let invited = ok(&invite(&mut admin, "Bill Payer", "bill@example.com", billing_id, true).await);
    refused_with(
        &admin.call_json("roles/delete", json!({ "id": billing_id })).await,
        StatusCode::BAD_REQUEST,
        "held by Bill Payer",
    );
    ok(&admin.call_json("team/remove", json!({ "membership_id": invited["membership_id"] })).await);
    ok(&admin.call_json("roles/delete", json!({ "id": billing_id })).await);

    // A configurer without every permission cannot make a role with more than they hold.
    let mut configurer = {
        app.execute(&format!(
            "INSERT INTO roles (tenant_id, key, name, builtin) VALUES ({}, 'cfg', 'Configurer', 0)",
            app.fixture.acme
        ))
        .await;
        let cfg = app.scalar("SELECT id FROM roles WHERE key = 'cfg'").await;
        app.execute(&format!("INSERT INTO role_permissions (role_id, permission) VALUES ({cfg}, 'tenant.configure')"))
            .await;
        let person = app.person("cfg@example.com").create().await;
        app.execute(&format!("INSERT INTO memberships (person_id, kind, tenant_id, role_id, state, created_at) VALUES ({person}, 'partner', {}, {cfg}, 'active', 0)", app.fixture.acme)).await;
        app.signed_in("cfg@example.com").await
    };
    let res = configurer
        .call_json("roles/save", json!({ "draft": { "name": "Auditor", "permissions": ["AuditView"] } }))
        .await;
    refused_with(&res, StatusCode::FORBIDDEN, "audit.view");
    // Another partner's role is not found; nothing of Globex's is listed.
    app.execute(&format!(
        "INSERT INTO roles (tenant_id, key, name, builtin) VALUES ({}, 'g', 'Globex Secret Role', 0)",
        app.fixture.globex
    ))
    .await;
    let globex_role = app.scalar("SELECT id FROM roles WHERE key = 'g'").await;
    assert_eq!(admin.call_json("roles/delete", json!({ "id": globex_role })).await.status, StatusCode::NOT_FOUND);
    assert!(!admin.call_json("roles/list", json!({})).await.body.contains("Globex Secret Role"));
    let actions = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('role.created', 'role.updated', 'role.deleted')")
        .await;
    assert_eq!(actions, 3);
}

on_both_databases!(
    an_emailed_invitation_makes_a_colleague_with_that_role,
    nobody_climbs_by_managing_the_team,
    disabling_or_removing_a_colleague_ends_their_rights_here_only,
    custom_roles_hold_what_their_maker_holds_and_go_only_when_unused,
);
