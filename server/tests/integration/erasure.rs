//! Erasing a person everywhere (issue 13, PRODUCT.md §9) on both databases: only the operator,
//! or the person themselves; everything of theirs goes in one transaction; the audit log keeps
//! its entries under a pseudonym and stays append-only otherwise.

use super::customer_users::{invite, ok, GOOD_PASSWORD};
use crate::common::{TestApp, PASSWORD};
use app::types::customer_users::AccountRole;
use http::StatusCode;
use serde_json::json;

/// Rows anywhere that still name `needle` (the audit log's labels and changes, the mailbox).
async fn mentions(app: &TestApp, needle: &str) -> i64 {
    let like = needle.replace('\'', "''");
    app.scalar(&format!(
        "SELECT (SELECT COUNT(*) FROM audit_log WHERE actor_label LIKE '%{like}%' OR target_label LIKE '%{like}%' OR changes LIKE '%{like}%')
              + (SELECT COUNT(*) FROM outbound_emails WHERE to_addr LIKE '%{like}%' OR body_text LIKE '%{like}%')"
    ))
    .await
}

async fn the_operator_erases_a_person_everywhere_and_the_log_keeps_a_pseudonym(app: TestApp) {
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let zoe = app
        .person("zoe@example.com")
        .named("Zoe Zimmer")
        .customer_user(app.fixture.acme_customer, AccountRole::Owner)
        .customer_user(app.fixture.globex_customer, AccountRole::Member)
        .create()
        .await;
    let mut zoe_client = app.client_from("10.7.0.1");
    ok(&zoe_client.login("zoe@example.com", PASSWORD).await);
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&invite(&mut admin, charlie, "Zoe From Acme", "zoe@example.com", "Member", false).await);
    assert!(mentions(&app, "zoe@example.com").await >= 3);

    let mut operator = app.signed_in("op@platform.test").await;
    let preview = ok(&operator.call_json("persons/erase-preview", json!({ "email": " ZOE@example.com " })).await);
    assert_eq!(preview["person_id"], zoe);
    assert_eq!(preview["partners"], json!(["Acme Partners", "Globex"]));
    assert_eq!(preview["memberships"], 3);
    let res = operator.call_json("persons/erase-preview", json!({ "email": "nobody@example.com" })).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The email must be typed to confirm; nothing happens otherwise.
    let res =
        operator.call_json("persons/erase", json!({ "person_id": zoe, "confirm_email": "zoe@example.org" })).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM persons WHERE id = {zoe}")).await, 1);

    ok(&operator.call_json("persons/erase", json!({ "person_id": zoe, "confirm_email": "zoe@example.com" })).await);
    for table in
        ["persons WHERE id", "memberships WHERE person_id", "sessions WHERE person_id", "person_tokens WHERE person_id"]
    {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table} = {zoe}")).await, 0, "{table}");
    }
    for needle in ["zoe@example.com", "Zoe Zimmer", "Zoe From Acme"] {
        assert_eq!(mentions(&app, needle).await, 0, "{needle} is still in the log or the mailbox");
    }
    let pseudonym = format!("erased person #{zoe}");
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE actor_label = '{pseudonym}'")).await >= 1);
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE target_label LIKE '%{pseudonym}%'")).await >= 2);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'person.erase' AND actor_label LIKE 'Olga Operator%'"
        )
        .await,
        1
    );
    // Her browser is signed out.
    assert_eq!(zoe_client.call("session", &[]).await.json(), json!(null));
    // The log is still append-only for anything else.
    assert!(sqlx::query("UPDATE audit_log SET action = 'forged'").execute(&app.db.pool).await.is_err());
    assert!(sqlx::query("UPDATE audit_log SET target_id = 1").execute(&app.db.pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&app.db.pool).await.is_err());
}

async fn only_the_operator_erases_and_never_an_operator_or_themselves(app: TestApp) {
    let zoe = app.person("zoe@example.com").customer_user(app.fixture.acme_customer, AccountRole::Owner).create().await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let held = admin.call("session", &[]).await.json()["permissions"].clone();
    assert!(!held.as_array().unwrap().contains(&json!("PersonsErase")), "no partner role holds persons.erase: {held}");
    let res = admin.call_json("persons/erase", json!({ "person_id": zoe, "confirm_email": "zoe@example.com" })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res = admin.call_json("persons/erase-preview", json!({ "email": "zoe@example.com" })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");

    let mut operator = app.signed_in("op@platform.test").await;
    let op = app.scalar("SELECT id FROM persons WHERE email = 'op@platform.test'").await;
    let res =
        operator.call_json("persons/erase", json!({ "person_id": op, "confirm_email": "op@platform.test" })).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    let other = app.person("op2@platform.test").create().await;
    app.execute(&format!(
        "INSERT INTO memberships (person_id, kind, state, created_at) VALUES ({other}, 'operator', 'active', 0)"
    ))
    .await;
    let res =
        operator.call_json("persons/erase", json!({ "person_id": other, "confirm_email": "op2@platform.test" })).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM persons WHERE email IN ('op@platform.test', 'op2@platform.test', 'zoe@example.com')"
        )
        .await,
        3
    );
}

async fn a_person_deletes_their_own_account_with_their_password(app: TestApp) {
    let mut dana =
        super::customer_users::active_user(&app, app.fixture.acme_customer, "dana@example.com", "Owner").await;
    let res = dana.call_json("account/delete", json!({ "password": "not my password" })).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'dana@example.com'").await, 1);
    ok(&dana.call_json("account/delete", json!({ "password": GOOD_PASSWORD })).await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'dana@example.com'").await, 0);
    assert_eq!(mentions(&app, "dana@example.com").await, 0);
    assert_eq!(mentions(&app, "Dana Diaz").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.delete_own_account' AND actor_label LIKE 'erased person #%'").await, 1);
    assert_eq!(dana.call("session", &[]).await.json(), json!(null));

    // Staff are refused: their access belongs to their organisation.
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin.call_json("account/delete", json!({ "password": PASSWORD })).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'admin@acme.test'").await, 1);
    let res = app.client().call_json("account/delete", json!({ "password": "x" })).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

/// Unsubscribing from all of a partner's accounts ends that partner's memberships and makes its
/// log name the person by pseudonym; the identity (and anything elsewhere) is not the partner's
/// to erase, whether or not the person uses another partner, and the answer is the same.
async fn unsubscribing_ends_this_partners_memberships_and_says_the_same_either_way(app: TestApp) {
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let only_acme =
        app.person("solo@example.com").named("Solo Sam").customer_user(charlie, AccountRole::Owner).create().await;
    let both = app
        .person("both@example.com")
        .named("Bo Both")
        .customer_user(charlie, AccountRole::Member)
        .customer_user(app.fixture.globex_customer, AccountRole::Owner)
        .create()
        .await;
    let mut globex_admin = app.signed_in("admin@globex.test").await;
    let globex_members = globex_admin
        .call_json("customer-users/list", json!({ "customer_id": app.fixture.globex_customer }))
        .await
        .json();
    // Something in Globex's log about Bo, which Acme's unsubscribe must leave alone.
    let bo_at_globex =
        globex_members["users"].as_array().unwrap().iter().find(|u| u["email"] == "both@example.com").unwrap()
            ["membership_id"]
            .as_i64()
            .unwrap();
    ok(&globex_admin.call_json("customer-users/reset-password", json!({ "membership_id": bo_at_globex })).await);

    let mut admin = app.signed_in("admin@acme.test").await;
    let listed = admin.call_json("customer-users/list", json!({ "customer_id": charlie })).await.json();
    let membership = |email: &str| {
        listed["users"].as_array().unwrap().iter().find(|u| u["email"] == email).unwrap()["membership_id"]
            .as_i64()
            .unwrap()
    };
    let (solo_m, both_m) = (membership("solo@example.com"), membership("both@example.com"));
    let first =
        admin.call_json("customer-users/remove", json!({ "membership_id": solo_m, "whole_tenant": true })).await;
    let second =
        admin.call_json("customer-users/remove", json!({ "membership_id": both_m, "whole_tenant": true })).await;
    assert_eq!((first.status, first.body.clone()), (second.status, second.body.clone()), "the same answer either way");

    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM persons WHERE id = {only_acme}")).await,
        1,
        "no other partner: still not Acme's to erase"
    );
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE person_id = {only_acme}")).await, 0);
    assert_eq!(mentions(&app, "solo@example.com").await, 0, "Acme's entries were the only ones");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM persons WHERE id = {both}")).await,
        1,
        "another partner: kept"
    );
    let acme = app.fixture.acme;
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE tenant_id = {acme} AND (target_label LIKE '%both@example.com%' OR target_label LIKE '%Bo Both%')")).await,
        0,
        "Acme's log names them by pseudonym"
    );
    assert!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE tenant_id = {} AND target_label LIKE '%both@example.com%'",
            app.fixture.globex
        ))
        .await
            >= 1,
        "Globex's log is Globex's"
    );
    let globex_still = globex_admin
        .call_json("customer-users/list", json!({ "customer_id": app.fixture.globex_customer }))
        .await
        .json();
    assert!(globex_still["users"].as_array().unwrap().iter().any(|u| u["email"] == "both@example.com"));
}

on_both_databases!(
    unsubscribing_ends_this_partners_memberships_and_says_the_same_either_way,
    the_operator_erases_a_person_everywhere_and_the_log_keeps_a_pseudonym,
    only_the_operator_erases_and_never_an_operator_or_themselves,
    a_person_deletes_their_own_account_with_their_password
);
