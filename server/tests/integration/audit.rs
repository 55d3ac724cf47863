//! The audit log: what sign-ins record, and that nothing can rewrite history.

use crate::common;
use common::{TestApp, PASSWORD};

async fn sign_ins_are_recorded_with_actor_tenant_and_address(app: TestApp) {
    app.client_from("192.0.2.44").login("admin@acme.test", PASSWORD).await;
    app.client_from("192.0.2.45").login("admin@acme.test", "wrong").await;
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT action, actor_person_id, actor_label, tenant_id, target_label, client_addr, at FROM audit_log ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    let ok = &rows[0];
    assert_eq!(ok.get::<String, _>("action"), "auth.sign_in");
    assert!(ok.get::<Option<i64>, _>("actor_person_id").is_some());
    assert_eq!(ok.get::<String, _>("actor_label"), "User admin@acme.test <admin@acme.test>");
    assert_eq!(ok.get::<Option<i64>, _>("tenant_id"), Some(app.fixture.acme));
    assert_eq!(ok.get::<Option<String>, _>("client_addr").as_deref(), Some("192.0.2.44"));
    assert!(ok.get::<i64, _>("at") > 1_700_000_000, "UTC Unix seconds");
    let failed = &rows[1];
    assert_eq!(failed.get::<String, _>("action"), "auth.sign_in_failed");
    assert_eq!(failed.get::<String, _>("actor_label"), "anonymous");
    assert_eq!(failed.get::<Option<String>, _>("target_label").as_deref(), Some("admin@acme.test"));
}

async fn the_audit_log_is_append_only(app: TestApp) {
    app.client().login("admin@acme.test", PASSWORD).await;
    let update = sqlx::query("UPDATE audit_log SET action = 'forged'").execute(&app.db.pool).await;
    assert!(update.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM audit_log").execute(&app.db.pool).await;
    assert!(delete.is_err(), "deletes are refused");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in'").await, 1);
}

on_both_databases!(sign_ins_are_recorded_with_actor_tenant_and_address, the_audit_log_is_append_only);
