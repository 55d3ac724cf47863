//! One's own account: name, password (other sessions end, an email says so) and sessions —
//! on both databases.

use crate::common::TestApp;
use crate::common::PASSWORD;
use crate::customer_users::{ok, GOOD_PASSWORD};
use http::StatusCode;
use serde_json::json;
use sqlx::Row;

async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions(app: TestApp) {
    let mut laptop = app.signed_in("viewer@acme.test").await;
    let mut phone = app.client_from("10.0.0.42");
    assert!(phone.login("viewer@acme.test", PASSWORD).await.status.is_success());
    let me = ok(&laptop.call_json("account/me", json!({})).await);
    assert_eq!(me["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(me["sessions"].as_array().unwrap().iter().filter(|s| s["current"] == true).count(), 1);

    let wrong = laptop
        .call_json("account/password", json!({ "current_password": "not it", "new_password": GOOD_PASSWORD }))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["Invalid"]["current_password"], "That is not your current password.");
    let weak = laptop
        .call_json("account/password", json!({ "current_password": PASSWORD, "new_password": "password1" }))
        .await;
    assert!(weak.json()["Invalid"]["new_password"].is_string(), "{weak:?}");
    assert!(phone.call("session", &[]).await.json().is_object(), "nothing changed yet");

    ok(&laptop
        .call_json("account/password", json!({ "current_password": PASSWORD, "new_password": GOOD_PASSWORD }))
        .await);
    assert!(phone.call("session", &[]).await.json().is_null(), "the other session ended");
    assert!(laptop.call("session", &[]).await.json().is_object(), "this one goes on");
    let mut fresh = app.client_from("10.0.0.43");
    assert!(fresh.login("viewer@acme.test", GOOD_PASSWORD).await.status.is_success());
    let mail = sqlx::query("SELECT subject, body_text FROM outbound_emails WHERE to_addr = 'viewer@acme.test'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(mail.get::<String, _>("subject"), "Your Clientele password was changed");
    assert!(!mail.get::<String, _>("body_text").contains(GOOD_PASSWORD));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.password_changed'").await, 1);
}

async fn a_person_renames_themselves_and_signs_out_elsewhere(app: TestApp) {
    let mut laptop = app.signed_in("admin@acme.test").await;
    let mut phone = app.signed_in("admin@acme.test").await;
    let bad = laptop.call_json("account/name", json!({ "full_name": "  " })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&laptop.call_json("account/name", json!({ "full_name": "Ada Admin" })).await);
    assert_eq!(ok(&laptop.call("session", &[]).await)["person_name"], "Ada Admin");
    assert_eq!(ok(&laptop.call_json("account/sign-out-others", json!({})).await), json!(1));
    assert!(phone.call("session", &[]).await.json().is_null());
    assert_eq!(ok(&laptop.call_json("account/me", json!({})).await)["sessions"].as_array().unwrap().len(), 1);
    // Signed out, nothing.
    let mut nobody = app.client();
    assert_eq!(nobody.call_json("account/me", json!({})).await.status, StatusCode::UNAUTHORIZED);
}

/// The theme is the person's, on every device they sign in on, and nobody else's: the same
/// person's other session sees it, a colleague's does not; a value outside the three changes
/// nothing.
async fn a_chosen_theme_follows_the_person_and_only_them(app: TestApp) {
    let mut laptop = app.signed_in("admin@acme.test").await;
    let mut phone = app.signed_in("admin@acme.test").await;
    let mut colleague = app.signed_in("viewer@acme.test").await;
    assert_eq!(ok(&laptop.call("session", &[]).await)["theme"], "System", "the device's by default");
    ok(&laptop.call_json("account/theme", json!({ "theme": "Dark" })).await);
    assert_eq!(ok(&phone.call("session", &[]).await)["theme"], "Dark");
    assert_eq!(ok(&phone.call_json("account/me", json!({})).await)["theme"], "Dark");
    assert_eq!(ok(&colleague.call("session", &[]).await)["theme"], "System");

    let bad = laptop.call_json("account/theme", json!({ "theme": "Purple" })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");
    assert_eq!(ok(&laptop.call("session", &[]).await)["theme"], "Dark", "unchanged");
    ok(&laptop.call_json("account/theme", json!({ "theme": "System" })).await);
    assert_eq!(ok(&phone.call("session", &[]).await)["theme"], "System");
    let mut nobody = app.client();
    assert_eq!(nobody.call_json("account/theme", json!({ "theme": "Light" })).await.status, StatusCode::UNAUTHORIZED);
}

on_both_databases!(
    a_chosen_theme_follows_the_person_and_only_them,
    a_password_change_needs_the_current_one_and_ends_the_other_sessions,
    a_person_renames_themselves_and_signs_out_elsewhere,
);
