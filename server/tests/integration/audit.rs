//! The audit log: what sign-ins record, that nothing can rewrite history, and reading it —
//! filters, keyset paging, tenant scoping, the operator's wider view and the CSV export.

use crate::common::{TestApp, PASSWORD};
use crate::customer_users::ok;
use http::StatusCode;
use serde_json::{json, Value};

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

/// Writes `n` entries for `tenant` (NULL for none) as the fixture's admin would, at `at`.
async fn entries(app: &TestApp, tenant: Option<i64>, n: usize, action: &str, target: (&str, i64), at: i64) {
    let tenant = tenant.map_or("NULL".to_string(), |t| t.to_string());
    for i in 0..n {
        app.execute(&format!(
            "INSERT INTO audit_log (at, actor_person_id, actor_label, tenant_id, action, target_type, target_id, target_label, changes)
             VALUES ({at}, NULL, 'Seeder <seed@example.com>', {tenant}, '{action}', '{}', {}, 'Entry {i}', '{{\"name\":[\"A{i}\",\"B{i}\"]}}')",
            target.0, target.1
        ))
        .await;
    }
}

async fn list(client: &mut crate::common::Client<'_>, filter: Value, before: Option<i64>) -> Value {
    ok(&client.call_json("audit/list", json!({ "filter": filter, "before": before })).await)
}

async fn pages_are_newest_first_without_gaps_or_repeats(app: TestApp) {
    let (acme, globex) = (app.fixture.acme, app.fixture.globex);
    let alpha = app.fixture.acme_customer;
    entries(&app, Some(acme), 120, "customer.update", ("customer", alpha), 1_700_000_000).await;
    entries(&app, Some(globex), 5, "customer.update", ("customer", app.fixture.globex_customer), 1_700_000_000).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = list(&mut admin, json!({ "action": "customer.update" }), before).await;
        let ids: Vec<i64> = page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        seen.extend(ids);
        before = page["next_before"].as_i64();
        if before.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 120, "every Acme entry once, no Globex one");
    let first = &list(&mut admin, json!({ "target": format!("customer:{alpha}") }), None).await["entries"][0];
    assert_eq!(first["changes"], json!([{ "field": "name", "before": "A119", "after": "B119" }]));
    assert_eq!(first["partner"], "Acme Partners");
    // A partner's own filter cannot reach another partner.
    let other = list(&mut admin, json!({ "partner": globex }), None).await;
    assert!(other["entries"].as_array().unwrap().iter().all(|e| e["partner"] == "Acme Partners"));
}

async fn filters_combine_and_bad_ones_are_refused(app: TestApp) {
    let acme = app.fixture.acme;
    let alpha = app.fixture.acme_customer;
    let day = 86_400;
    let nov1 = 1_761_955_200; // 2025-11-01 00:00 UTC
                              // In time order, as the log is always written (ids grow with time: the date filters rely on it).
    app.execute(&format!(
        "INSERT INTO audit_log (at, actor_person_id, actor_label, acting_as, tenant_id, action, target_type, target_id)
         VALUES ({nov1}, NULL, 'Pat Partner', 'Alpha Bakery (customer #{alpha})', {acme}, 'consent.set', 'customer', {alpha})"
    ))
    .await;
    entries(&app, Some(acme), 3, "customer.update", ("customer", alpha), nov1).await;
    entries(&app, Some(acme), 2, "customer.disable", ("customer", alpha), nov1 + 2 * day).await;
    entries(&app, Some(acme), 4, "customer_user.invite", ("customer_user", 7), nov1 + 5 * day).await;
    let mut admin = app.signed_in("admin@acme.test").await;
    // The admin's own sign-in is an entry too, made now.
    let count = |page: &Value| page["entries"].as_array().unwrap().len();
    assert_eq!(count(&list(&mut admin, json!({ "action": "customer." }), None).await), 5);
    assert_eq!(
        count(
            &list(&mut admin, json!({ "target": format!("customer:{alpha}"), "action": "customer.disable" }), None)
                .await
        ),
        2
    );
    assert_eq!(count(&list(&mut admin, json!({ "from": "2025-11-03", "to": "2025-11-06" }), None).await), 6);
    assert_eq!(count(&list(&mut admin, json!({ "to": "2025-11-01" }), None).await), 4);
    assert_eq!(count(&list(&mut admin, json!({ "acting_as": "alpha" }), None).await), 1);
    assert_eq!(count(&list(&mut admin, json!({ "actor": "admin@acme.test" }), None).await), 1, "the sign-in");
    assert_eq!(count(&list(&mut admin, json!({ "actor": "nobody@example.com" }), None).await), 0);
    let bad = admin
        .call_json(
            "audit/list",
            json!({ "filter": { "target": "12; DROP", "from": "yesterday", "actor": "x" }, "before": null }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["Invalid"].as_object().unwrap().keys().collect::<Vec<_>>(), ["actor", "from", "target"]);
    // Without audit.view, nothing.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    assert_eq!(
        viewer.call_json("audit/list", json!({ "filter": {}, "before": null })).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn operators_read_every_partner_and_the_instance(app: TestApp) {
    let (acme, globex) = (app.fixture.acme, app.fixture.globex);
    entries(&app, Some(acme), 2, "customer.update", ("customer", app.fixture.acme_customer), 1_700_000_000).await;
    entries(&app, Some(globex), 3, "customer.update", ("customer", app.fixture.globex_customer), 1_700_000_000).await;
    entries(&app, None, 1, "operator.create", ("person", 1), 1_700_000_000).await;
    let mut operator = app.signed_in("op@platform.test").await;
    let count = |page: &Value| page["entries"].as_array().unwrap().len();
    assert_eq!(count(&list(&mut operator, json!({ "action": "customer.update" }), None).await), 5);
    assert_eq!(count(&list(&mut operator, json!({ "action": "customer.update", "partner": globex }), None).await), 3);
    let instance = list(&mut operator, json!({ "partner": 0, "action": "operator.create" }), None).await;
    assert_eq!((count(&instance), &instance["entries"][0]["partner"]), (1, &Value::Null));
}

async fn the_filtered_log_downloads_as_csv_and_the_download_is_audited(app: TestApp) {
    let acme = app.fixture.acme;
    app.execute(&format!(
        "INSERT INTO audit_log (at, actor_label, tenant_id, action, target_type, target_id, target_label, changes)
         VALUES (1700000000, 'Mallory', {acme}, 'customer.update', 'customer', 5, '=HYPERLINK(\"http://evil\")', '{{\"city\":[\"Berlin\",\"@SUM(1)\"]}}')"
    ))
    .await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = admin.get("/audit/export.csv?action=customer.update").await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let mut lines = res.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,at,actor,acting_as,partner,action,target_type,target_id,target,field,before,after"
    );
    let row = lines.next().unwrap();
    assert!(row.contains("'=HYPERLINK") && row.contains("'@SUM(1)"), "neutralised: {row}");
    assert_eq!(lines.next(), None, "only the filtered entries");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.export'").await, 1);
    let bad = admin.get("/audit/export.csv?from=never").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both_databases!(
    sign_ins_are_recorded_with_actor_tenant_and_address,
    the_audit_log_is_append_only,
    pages_are_newest_first_without_gaps_or_repeats,
    filters_combine_and_bad_ones_are_refused,
    operators_read_every_partner_and_the_instance,
    the_filtered_log_downloads_as_csv_and_the_download_is_audited,
);
