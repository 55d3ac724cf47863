//! Customer users (PRODUCT.md §7): invitations and their single-use links, activation, password
//! reset, removal, the customer portal and its isolation, email over SMTP and the development
//! mailbox — on both databases.

use crate::common;
use common::{Client, TestApp, TestResponse};
use http::StatusCode;
use serde_json::{json, Value};

pub(crate) const GOOD_PASSWORD: &str = "violet tractor ninety lanterns";

pub(crate) fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    res.json()
}

pub(crate) fn token_of(link: &Value) -> String {
    link.as_str().expect("a displayed link").split("token=").nth(1).expect("token in the link").to_string()
}

pub(crate) async fn invite(
    client: &mut Client<'_>,
    customer: i64,
    name: &str,
    email: &str,
    role: &str,
    display: bool,
) -> TestResponse {
    let method = if display { "DisplayLink" } else { "SendEmail" };
    client
        .call_json(
            "customer-users/invite",
            json!({ "customer_id": customer, "input": { "full_name": name, "email": email, "role": role, "method": method } }),
        )
        .await
}

/// Invites `email` to `customer` as admin@acme.test with a displayed link and activates it in
/// a fresh client, which is returned signed in.
pub(crate) async fn active_user<'a>(app: &'a TestApp, customer: i64, email: &str, role: &str) -> Client<'a> {
    let mut admin = app.signed_in("admin@acme.test").await;
    let outcome = ok(&invite(&mut admin, customer, "Dana Diaz", email, role, true).await);
    let mut person = app.client_from("10.0.0.9");
    let res = person
        .call_json("account/activate", json!({ "token": token_of(&outcome["link"]), "password": GOOD_PASSWORD }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    person
}

/// The link token in the newest email to `to`.
pub(crate) async fn emailed_token(app: &TestApp, to: &str) -> String {
    use sqlx::Row;
    let body: String = sqlx::query("SELECT body_text FROM outbound_emails WHERE to_addr = $1 ORDER BY id DESC LIMIT 1")
        .bind(to)
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or_else(|e| panic!("no email to {to}: {e}"))
        .get("body_text");
    body.split("token=").nth(1).expect("a link in the email").split_whitespace().next().unwrap().to_string()
}

pub(crate) async fn session(client: &mut Client<'_>) -> Value {
    ok(&client.call("session", &[]).await)
}

async fn users(client: &mut Client<'_>, customer: i64) -> Value {
    ok(&client.call_json("customer-users/list", json!({ "customer_id": customer })).await)["users"].clone()
}

async fn an_invitation_with_a_displayed_link_activates_once(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    let bad = invite(&mut admin, alpha, " ", "dana@", "Member", true).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["Invalid"].as_object().unwrap().keys().collect::<Vec<_>>(), ["email", "full_name"]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships WHERE kind = 'customer'").await, 0, "nothing written");

    let outcome = ok(&invite(&mut admin, alpha, "Dana Diaz", "Dana@Example.com", "Owner", true).await);
    assert!(outcome["link"].as_str().unwrap().starts_with("http://clientele.test/activate?token="));
    let token = token_of(&outcome["link"]);
    assert_eq!(token.len(), 64, "256 bits, hex");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM person_tokens WHERE token_hash = '{token}'")).await,
        0,
        "stored only as a hash"
    );
    let expires = outcome["expires_at"].as_i64().unwrap() - app::backend::now();
    assert!((72 * 3600 - 60..=72 * 3600).contains(&expires), "the default lifetime is 72 h: {expires}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbound_emails").await, 0, "a displayed link sends nothing");

    let listed = users(&mut admin, alpha).await;
    assert_eq!(listed[0]["email"], "dana@example.com");
    assert_eq!(listed[0]["state"], "Invited");
    assert_eq!(listed[0]["role"], "Owner");
    assert_eq!(listed[0]["link_expires_at"], outcome["expires_at"]);
    let again = invite(&mut admin, alpha, "Dana Diaz", "dana@example.com", "Member", true).await;
    assert!(again.json()["Invalid"]["email"].as_str().unwrap().contains("already invited"));

    let mut dana = app.client_from("10.0.0.9");
    let info = ok(&dana.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["customer_name"], "Alpha Bakery");
    assert_eq!(info["Activation"]["accept"], "ChoosePassword");
    for (weak, why) in [("short", "at least 8"), ("password1", "too easy"), ("dana@example.com", "too easy")] {
        let res = dana.call_json("account/activate", json!({ "token": token, "password": weak })).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert!(res.json()["Invalid"]["password"].as_str().unwrap().contains(why), "{weak}: {res:?}");
    }
    assert_eq!(users(&mut admin, alpha).await[0]["state"], "Invited", "not active until a password is set");

    ok(&dana.call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await);
    let signed_in = session(&mut dana).await;
    assert_eq!(signed_in["accounts"][0]["name"], "Alpha Bakery");
    assert_eq!(signed_in["tenant"], Value::Null, "a customer user has no partner workspace");
    let listed = users(&mut admin, alpha).await;
    assert_eq!(listed[0]["state"], "Active");
    assert!(listed[0]["activated_at"].is_i64() && listed[0]["last_login_at"].is_i64());

    let reused = app.client().call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert!(reused.json()["BadRequest"].as_str().unwrap().contains("already been used"));
    let mut fresh = app.client();
    assert_eq!(
        fresh.login("dana@example.com", GOOD_PASSWORD).await.status,
        StatusCode::OK,
        "the password works for sign-in"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('customer_user.invite', 'customer_user.activate')")
            .await,
        2
    );
}

async fn links_expire_are_replaced_by_a_resend_and_die_with_a_revoke(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    let first = ok(&invite(&mut admin, alpha, "Erin Ek", "erin@example.com", "Member", true).await);
    let membership = first["membership_id"].as_i64().unwrap();
    let link = |token: &str, reset: bool| json!({ "token": token, "reset": reset });

    let second = ok(&admin
        .call_json("customer-users/resend", json!({ "membership_id": membership, "method": "DisplayLink" }))
        .await);
    let (old, new) = (token_of(&first["link"]), token_of(&second["link"]));
    assert_ne!(old, new);
    let mut anyone = app.client();
    assert_eq!(
        ok(&anyone.call_json("account/link", link(&old, false)).await),
        json!({ "Unusable": "Expired" }),
        "a resend retires the old link"
    );
    assert_eq!(
        ok(&anyone.call_json("account/link", link(&new, true)).await),
        json!({ "Unusable": "Unknown" }),
        "an invitation is no reset link"
    );
    assert_eq!(
        ok(&anyone.call_json("account/link", link("not-a-token", false)).await),
        json!({ "Unusable": "Unknown" })
    );

    app.execute("UPDATE person_tokens SET expires_at = 1").await;
    assert_eq!(ok(&anyone.call_json("account/link", link(&new, false)).await), json!({ "Unusable": "Expired" }));
    let late = anyone.call_json("account/activate", json!({ "token": new, "password": GOOD_PASSWORD })).await;
    assert!(late.json()["BadRequest"].as_str().unwrap().contains("expired"));

    // Sending by email: the development mailbox has it, with the tenant's default wording.
    ok(&admin.call_json("customer-users/resend", json!({ "membership_id": membership, "method": "SendEmail" })).await);
    use sqlx::Row;
    let mail = sqlx::query("SELECT to_addr, subject, body_text, transport FROM outbound_emails")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(mail.get::<String, _>("to_addr"), "erin@example.com");
    assert_eq!(mail.get::<String, _>("subject"), "You are invited to Alpha Bakery on Acme Partners");
    assert_eq!(mail.get::<String, _>("transport"), "mailbox");
    let emailed = mail.get::<String, _>("body_text");
    let emailed_token = emailed.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert_eq!(
        ok(&anyone.call_json("account/link", link(&emailed_token, false)).await)["Activation"]["full_name"],
        "Erin Ek"
    );

    ok(&admin.call_json("customer-users/revoke", json!({ "membership_id": membership })).await);
    assert_eq!(
        ok(&anyone.call_json("account/link", link(&emailed_token, false)).await),
        json!({ "Unusable": "Unknown" })
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'erin@example.com'").await,
        0,
        "an identity that was never used goes too"
    );
}

/// Inviting an address that already has an account (here another partner's admin) tells the
/// inviter nothing about it, and no link is handed over for it: the invitation goes to the
/// address's own inbox even when the inviter asked to display it. A link the inviter was shown
/// earlier, for an identity that has since become someone's, never asks for (or checks) that
/// account's password: only the person, signed in as themselves, accepts it.
async fn a_known_person_gets_a_membership_only_they_can_accept(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let persons = app.scalar("SELECT COUNT(*) FROM persons").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let outcome = ok(&invite(&mut admin, alpha, "Somebody Else", "ADMIN@globex.test", "Member", true).await);
    let keys: Vec<_> = outcome.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["email", "emailed_instead", "expires_at", "link", "membership_id"], "nothing about the person");
    assert_eq!(outcome["link"], Value::Null, "no link for an existing account");
    assert_eq!(outcome["emailed_instead"], true);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons").await, persons, "not a second identity");
    let listed = users(&mut admin, alpha).await;
    assert_eq!(listed[0]["full_name"], "Somebody Else", "the name Acme gave, not theirs");
    assert_eq!(listed[0]["last_login_at"], Value::Null, "no activity from elsewhere");

    // A link shown while the address was new, before it became an account: whoever holds it,
    // signed out, is asked for no password and none is checked.
    let shown = ok(&invite(&mut admin, alpha, "Wen", "wen@example.com", "Member", true).await);
    let token = token_of(&shown["link"]);
    let mut globex = app.signed_in("admin@globex.test").await;
    ok(&invite(&mut globex, app.fixture.globex_customer, "Wen", "wen@example.com", "Member", false).await);
    let mut wen = app.client_from("10.0.0.67");
    let emailed = emailed_token(&app, "wen@example.com").await;
    ok(&wen.call_json("account/activate", json!({ "token": emailed, "password": GOOD_PASSWORD })).await);
    let mut holder = app.client_from("10.0.0.66");
    let info = ok(&holder.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "SignInFirst");
    assert_eq!(info["Activation"]["full_name"], "Wen");
    for password in [GOOD_PASSWORD, common::PASSWORD] {
        let res = holder.call_json("account/activate", json!({ "token": token, "password": password })).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "the right password changes nothing: {res:?}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer_user.activate_failed'").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships WHERE state = 'invited' AND tenant_id = 1").await, 2);

    // The person themselves, signed in: one click.
    let info = ok(&wen.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "Accept");
    ok(&wen.call_json("account/activate", json!({ "token": token, "password": "" })).await);
    let info = session(&mut wen).await;
    let names: Vec<&str> = info["accounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha Bakery", "Globex Secret Customer"]);

    // Globex's admin accepts Acme's emailed invitation from their inbox, keeping their workspace.
    let mut them = app.signed_in("admin@globex.test").await;
    let emailed = emailed_token(&app, "admin@globex.test").await;
    let info = ok(&them.call_json("account/link", json!({ "token": emailed, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "Accept");
    ok(&them.call_json("account/activate", json!({ "token": emailed, "password": "" })).await);
    let info = session(&mut them).await;
    assert_eq!(info["accounts"][0]["name"], "Alpha Bakery");
    assert_eq!(info["tenant"]["name"], "Globex", "their partner workspace stays");
}

/// A link that went to the person's own inbox proves the inbox: it accepts for an existing
/// account with one click, still without any password.
async fn an_emailed_link_accepts_for_an_existing_account(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&invite(&mut admin, alpha, "Vic", "viewer@acme.test", "Member", false).await);
    use sqlx::Row;
    let body: String = sqlx::query("SELECT body_text FROM outbound_emails WHERE to_addr = 'viewer@acme.test'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get("body_text");
    let token = body.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let mut inbox = app.client_from("10.0.0.77");
    let info = ok(&inbox.call_json("account/link", json!({ "token": token, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "Accept");
    ok(&inbox.call_json("account/activate", json!({ "token": token, "password": "" })).await);
    assert_eq!(session(&mut inbox).await["accounts"][0]["name"], "Alpha Bakery");
}

/// Guessing at activation links from one address: every failure is audited, and past five the
/// address must wait.
async fn failed_activations_are_audited_and_throttled(app: TestApp) {
    let mut guesser = app.client_from("10.0.0.99");
    let mut statuses = Vec::new();
    for i in 0..6 {
        let token = format!("{i:064x}");
        statuses.push(
            guesser.call_json("account/activate", json!({ "token": token, "password": GOOD_PASSWORD })).await.status,
        );
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::BAD_REQUEST), "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer_user.activate_failed'").await, 5);
    // Another address is not held up.
    let res = app
        .client_from("10.0.0.98")
        .call_json("account/activate", json!({ "token": "0".repeat(64), "password": "x" }))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

async fn a_disabled_customers_users_are_signed_out_and_cannot_sign_in(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut dana = active_user(&app, alpha, "dana@example.com", "Owner").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&admin
        .call_json("customers/set-status", json!({ "selection": { "Ids": [alpha] }, "status": "Disabled" }))
        .await);
    assert_eq!(session(&mut dana).await, Value::Null, "their session ended");
    let res = app.client().login("dana@example.com", GOOD_PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json(), json!("AccountDisabled"));
    let wrong = app.client().login("dana@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a wrong password learns nothing about the account");
    let invite_refused = invite(&mut admin, alpha, "New Person", "new@example.com", "Member", true).await;
    assert!(invite_refused.json()["BadRequest"].as_str().unwrap().contains("disabled"));

    ok(&admin.call_json("customers/set-status", json!({ "selection": { "Ids": [alpha] }, "status": "Active" })).await);
    assert_eq!(app.client().login("dana@example.com", GOOD_PASSWORD).await.status, StatusCode::OK);
}

async fn removal_ends_one_membership_or_all_of_one_partner(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    // Dana's address is confirmed (an account from before): further invitations reach her inbox.
    let mut dana = app
        .person("dana@example.com")
        .named("Dana Diaz")
        .customer_user(alpha, app::types::customer_users::AccountRole::Member)
        .signed_in()
        .await;
    let mut admin = app.signed_in("admin@acme.test").await;
    // Dana is also in Charlie Cafe (Acme) and in Globex's customer.
    ok(&invite(&mut admin, charlie, "Dana Diaz", "dana@example.com", "Member", true).await);
    let to_charlie = emailed_token(&app, "dana@example.com").await;
    ok(&dana.call_json("account/activate", json!({ "token": to_charlie, "password": "" })).await);
    let mut globex = app.signed_in("admin@globex.test").await;
    ok(&invite(&mut globex, app.fixture.globex_customer, "Dana Diaz", "dana@example.com", "Member", true).await);
    let to_globex = emailed_token(&app, "dana@example.com").await;
    ok(&dana.call_json("account/activate", json!({ "token": to_globex, "password": "" })).await);
    assert_eq!(session(&mut dana).await["accounts"].as_array().unwrap().len(), 3);

    // Another partner cannot touch Acme's memberships.
    let alpha_membership = users(&mut admin, alpha).await[0]["membership_id"].as_i64().unwrap();
    for (endpoint, body) in [
        ("customer-users/remove", json!({ "membership_id": alpha_membership, "whole_tenant": true })),
        ("customer-users/reset-password", json!({ "membership_id": alpha_membership })),
        ("customer-users/revoke", json!({ "membership_id": alpha_membership })),
        ("customer-users/resend", json!({ "membership_id": alpha_membership, "method": "DisplayLink" })),
        ("customer-users/list", json!({ "customer_id": alpha })),
        (
            "customer-users/invite",
            json!({ "customer_id": alpha, "input": { "full_name": "X", "email": "x@example.com" } }),
        ),
    ] {
        assert_eq!(globex.call_json(endpoint, body).await.status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    // A viewer sees the users but changes nothing.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    assert_eq!(users(&mut viewer, alpha).await.as_array().unwrap().len(), 1);
    let res = viewer
        .call_json("customer-users/remove", json!({ "membership_id": alpha_membership, "whole_tenant": false }))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    assert_eq!(
        ok(&admin
            .call_json("customer-users/remove", json!({ "membership_id": alpha_membership, "whole_tenant": false }))
            .await),
        1
    );
    let names: Vec<Value> =
        session(&mut dana).await["accounts"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
    assert_eq!(names, [json!("Charlie Cafe"), json!("Globex Secret Customer")]);
    assert_eq!(
        dana.call_json("portal/account", json!({ "customer_id": alpha })).await.status,
        StatusCode::NOT_FOUND,
        "at once"
    );

    let charlie_membership = users(&mut admin, charlie).await[0]["membership_id"].as_i64().unwrap();
    assert_eq!(
        ok(&admin
            .call_json("customer-users/remove", json!({ "membership_id": charlie_membership, "whole_tenant": true }))
            .await),
        1
    );
    let names: Vec<Value> =
        session(&mut dana).await["accounts"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
    assert_eq!(names, [json!("Globex Secret Customer")], "the other partner's membership stays");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'customer_user.%remove%' OR action = 'customer_user.unsubscribe_tenant'").await, 2);
}

/// Two invitations of one new address at the same moment: the loser gets a field error, not a 500.
async fn an_address_invited_meanwhile_is_a_field_error(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = app
        .racing(
            &["INSERT INTO persons (email, full_name, created_at, updated_at) VALUES ('race@example.com', 'R', 0, 0)"],
            invite(&mut admin, app.fixture.acme_customer, "Rae", "race@example.com", "Owner", true),
        )
        .await;
    // PostgreSQL: our insert of the new person loses to theirs. SQLite: we run after them and
    // invite the person they created.
    let expected = match app.db.kind {
        app::backend::DbKind::Postgres => StatusCode::UNPROCESSABLE_ENTITY,
        app::backend::DbKind::Sqlite => StatusCode::OK,
    };
    assert_eq!(res.status, expected, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM persons WHERE email = 'race@example.com'").await, 1);
}

/// An identity made through a link the inviter was shown has an unconfirmed email: no further
/// link is handed over for it (another partner's invitation goes to its inbox), and when an
/// invitation reaches the inbox, the inbox's owner chooses the password anew and whoever chose the
/// first one is signed out.
async fn an_unconfirmed_identity_takes_no_second_membership_until_its_inbox_answers(app: TestApp) {
    let mut acme = app.signed_in("admin@acme.test").await;
    let first = ok(&invite(&mut acme, app.fixture.acme_customer, "Nia", "nia@example.com", "Owner", true).await);
    let mut whoever = app.client_from("10.3.3.3");
    ok(&whoever
        .call_json("account/activate", json!({ "token": token_of(&first["link"]), "password": GOOD_PASSWORD }))
        .await);
    let verified = "SELECT COUNT(*) FROM persons WHERE email = 'nia@example.com' AND email_verified_at IS NOT NULL";
    assert_eq!(app.scalar(verified).await, 0, "a shown link proves no inbox");

    // Globex asks to hand over a link too: not for an identity that exists; it goes to the inbox.
    let mut globex = app.signed_in("admin@globex.test").await;
    let second = ok(&invite(&mut globex, app.fixture.globex_customer, "Nia", "nia@example.com", "Member", true).await);
    assert_eq!((second["link"].clone(), second["emailed_instead"].clone()), (Value::Null, json!(true)));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = 2 AND state = 'invited'").await, 1);
    // Even a link Globex was shown (as an older release issued) only sends the holder to the inbox.
    let shown = super::trust::shown_link(&app, second["membership_id"].as_i64().unwrap()).await;
    let info = ok(&whoever.call_json("account/link", json!({ "token": shown, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "ConfirmThroughInbox");
    let res = whoever.call_json("account/activate", json!({ "token": shown, "password": "" })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships WHERE tenant_id = 2 AND state = 'invited'").await, 1);

    // The inbox's owner sets the password; the first one stops working.
    ok(&globex
        .call_json("customer-users/resend", json!({ "membership_id": second["membership_id"], "method": "SendEmail" }))
        .await);
    let emailed = emailed_token(&app, "nia@example.com").await;
    let mut inbox = app.client_from("10.4.4.4");
    let info = ok(&inbox.call_json("account/link", json!({ "token": emailed, "reset": false })).await);
    assert_eq!(info["Activation"]["accept"], "ChoosePassword");
    ok(&inbox
        .call_json("account/activate", json!({ "token": emailed, "password": "amber kettle seventy rivers" }))
        .await);
    assert_eq!(app.scalar(verified).await, 1);
    assert_eq!(session(&mut whoever).await, Value::Null, "the first chooser is signed out");
    assert_eq!(app.client().login("nia@example.com", GOOD_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

/// Staff rights wait for a confirmed address: signing in says so and sends a link to it.
async fn staff_rights_wait_for_a_confirmed_email(app: TestApp) {
    let mut acme = app.signed_in("admin@acme.test").await;
    let first = ok(&invite(&mut acme, app.fixture.acme_customer, "Sol", "sol@example.com", "Owner", true).await);
    let mut sol = app.client_from("10.5.5.5");
    ok(&sol
        .call_json("account/activate", json!({ "token": token_of(&first["link"]), "password": GOOD_PASSWORD }))
        .await);
    let person = app.scalar("SELECT id FROM persons WHERE email = 'sol@example.com'").await;
    app::backend::seed::add_partner_user(&app.db, person, app.fixture.acme, "viewer").await.unwrap();
    // An existing session does not carry the staff rights either.
    assert_eq!(session(&mut sol).await["tenant"], Value::Null);
    let res = app.client_from("10.5.5.6").login("sol@example.com", GOOD_PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    assert!(res.json()["Forbidden"].as_str().unwrap().contains("not confirmed"), "{res:?}");
    // The link goes out from its own task (the answer must not wait on SMTP).
    let mut sent = 0;
    for _ in 0..50 {
        sent = app.scalar("SELECT COUNT(*) FROM outbound_emails WHERE to_addr = 'sol@example.com'").await;
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sent, 1, "a link to confirm the address");
}

on_both_databases!(
    an_unconfirmed_identity_takes_no_second_membership_until_its_inbox_answers,
    staff_rights_wait_for_a_confirmed_email,
    an_address_invited_meanwhile_is_a_field_error,
    an_invitation_with_a_displayed_link_activates_once,
    links_expire_are_replaced_by_a_resend_and_die_with_a_revoke,
    a_known_person_gets_a_membership_only_they_can_accept,
    an_emailed_link_accepts_for_an_existing_account,
    failed_activations_are_audited_and_throttled,
    a_disabled_customers_users_are_signed_out_and_cannot_sign_in,
    removal_ends_one_membership_or_all_of_one_partner,
);
