//! `/api/v1/customers`: the list by cursor with the UI's filters, read, create, change with
//! `If-Match`, status changes, delete; `Idempotency-Key`; every bad input a problem that names
//! it, with nothing changed.

use super::{get, problem_code};
use crate::authorization_matrix::fingerprint;
use crate::common::TestApp;
use http::StatusCode;
use serde_json::json;

const ALL: &[&str] = &["customers.view", "customers.create", "customers.edit", "customers.disable", "customers.delete"];

async fn the_list_pages_by_cursor_with_the_lists_filters(app: TestApp) {
    app.many_customers(app.fixture.acme, "Paged", 7).await;
    let secret = app.api_key("admin@acme.test", &["customers.view"]).await;
    let mut software = app.client_from("10.7.1.1");
    let mut names = Vec::new();
    // The total is counted when asked for, and only then (counting can cost more than a page).
    let mut path = "/api/v1/customers?q=paged&limit=3&include_total=true".to_string();
    let mut pages = 0;
    loop {
        let res = get(&mut software, &secret, &path).await;
        assert_eq!(res.status, StatusCode::OK, "{res:?}");
        let body = res.json();
        if pages == 0 {
            assert_eq!((&body["total"], &body["total_is_exact"]), (&json!(7), &json!(true)), "{body}");
        } else {
            assert_eq!((&body["total"], &body["total_is_exact"]), (&json!(null), &json!(null)), "{body}");
        }
        names.extend(body["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()));
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/customers?q=paged&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 7);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");

    // Filters and sort as in the UI.
    let res = get(&mut software, &secret, "/api/v1/customers?status=disabled&sort=created&dir=desc").await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert!(res.json()["data"].as_array().unwrap().iter().all(|c| c["status"] == "disabled"));
    assert!(!res.body.contains("Globex"), "only the key's partner");

    // Each bad parameter is named; an unknown one too.
    let res = get(
        &mut software,
        &secret,
        "/api/v1/customers?limit=0&status=gone&sort=size&country=XX&cursor=zz&colour=red&include_total=yes",
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert_eq!(problem_code(&res), "bad_request");
    let errors = res.json()["errors"].clone();
    for param in ["limit", "status", "sort", "country", "cursor", "colour", "include_total"] {
        assert!(errors[param].is_string(), "{param}: {errors}");
    }
    assert_eq!(get(&mut software, &secret, "/api/v1/customers?limit=101").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get(&mut software, &secret, "/api/v1/nothing-here").await.status, StatusCode::NOT_FOUND);
}

async fn a_customer_is_created_read_changed_with_if_match_and_deleted(app: TestApp) {
    let secret = app.api_key("admin@acme.test", ALL).await;
    let mut software = app.client_from("10.7.1.2");
    let body = json!({ "name": "Api Made Ltd", "city": "Lyon", "country": "fr", "contact_email": "Ops@Api.test" });
    let res = software.api("POST", "/api/v1/customers", Some(&secret), Some(body), &[]).await;
    assert_eq!(res.status, StatusCode::CREATED, "{res:?}");
    let created = res.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(res.headers["location"], format!("/api/v1/customers/{id}").as_str());
    assert_eq!(res.headers["etag"], "\"1\"");
    assert_eq!(created["country"], "FR", "normalized as the form does");
    assert_eq!(created["contact_email"], "ops@api.test");
    assert_eq!(created["status"], "active");
    let label: String = {
        use sqlx::Row;
        sqlx::query("SELECT actor_label FROM audit_log WHERE action = 'customer.create' AND target_id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .get("actor_label")
    };
    assert!(label.starts_with("API key \u{201c}Key of admin@acme.test\u{201d}"), "audited as the key: {label}");

    // The form's rules: bad values are field errors, nothing is written.
    let before = fingerprint(&app).await;
    for (body, field) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "Bad Mail", "contact_email": "not an email" }), "contact_email"),
        (json!({ "name": "Bad Country", "country": "ZZ" }), "country"),
        (json!({ "name": "Bad Custom", "custom": { "nope": "x" } }), "custom.nope"),
        (json!({ "name": "Bad Network", "parent_id": 999999 }), "parent_id"),
    ] {
        let res = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &[]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {res:?}");
        assert_eq!(problem_code(&res), "invalid");
        assert!(res.json()["errors"][field].is_string(), "{body}: {res:?}");
    }
    for body in [json!({ "name": "X", "colour": "red" }), json!("just text"), json!({ "name": 5 })] {
        let res = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &[]).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {res:?}");
    }
    let res =
        software.api("POST", "/api/v1/customers", Some(&secret), Some(json!({ "name": "Api Made Ltd" })), &[]).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert_eq!(problem_code(&res), "duplicate_name");
    assert_eq!(fingerprint(&app).await, before, "no bad request changed anything");

    // Changes: only what is sent; If-Match guards the version.
    let path = format!("/api/v1/customers/{id}");
    let res =
        software.api("PATCH", &path, Some(&secret), Some(json!({ "city": "Paris" })), &[("if-match", "\"7\"")]).await;
    assert_eq!(res.status, StatusCode::PRECONDITION_FAILED, "{res:?}");
    assert_eq!(problem_code(&res), "version_mismatch");
    assert_eq!(res.json()["current_version"], 1);
    let res =
        software.api("PATCH", &path, Some(&secret), Some(json!({ "city": "Paris" })), &[("if-match", "\"1\"")]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.json()["city"], "Paris");
    assert_eq!(res.json()["name"], "Api Made Ltd", "unsent fields stay");
    assert_eq!(res.json()["version"], 2);
    assert_eq!(res.headers["etag"], "\"2\"");
    let res = get(&mut software, &secret, &path).await;
    assert_eq!(res.json()["city"], "Paris");

    // Status: all or nothing.
    let body = json!({ "ids": [id, app.fixture.globex_customer], "status": "disabled" });
    let res = software.api("POST", "/api/v1/customers/status", Some(&secret), Some(body), &[]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "another partner's id: {res:?}");
    assert_eq!(get(&mut software, &secret, &path).await.json()["status"], "active");
    let body = json!({ "ids": [id], "status": "disabled" });
    let res = software.api("POST", "/api/v1/customers/status", Some(&secret), Some(body), &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.json(), json!({ "status": "disabled", "changed": 1, "unchanged": 0 }));

    // Into a new network ("Add network account"); its sub-accounts are the list's network filter.
    let res = software
        .api("POST", &format!("{path}/network"), Some(&secret), Some(json!({ "name": "Api Network" })), &[])
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{res:?}");
    let network = res.json()["id"].as_i64().unwrap();
    let subs = get(&mut software, &secret, &format!("/api/v1/customers?network={network}")).await;
    assert_eq!(subs.json()["data"][0]["id"], id);
    assert_eq!(get(&mut software, &secret, &path).await.json()["parent_id"], network);
    let res = software
        .api("POST", &format!("{path}/network"), Some(&secret), Some(json!({ "name": "Api Network" })), &[])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "the name is taken: {res:?}");

    // Delete.
    let res = software.api("DELETE", &path, Some(&secret), None, &[]).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{res:?}");
    assert_eq!(get(&mut software, &secret, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&mut software, &secret, "/api/v1/customers/abc").await.status, StatusCode::NOT_FOUND);
}

fn rand_key() -> String {
    use rand::RngCore;
    format!("{:016x}", rand::rngs::OsRng.next_u64())
}

async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body(app: TestApp) {
    let secret = app.api_key("admin@acme.test", ALL).await;
    let mut software = app.client_from("10.7.1.3");
    let key = rand_key();
    let headers = [("idempotency-key", key.as_str())];
    let body = json!({ "name": "Once Only GmbH" });
    let first = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &headers).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let again = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &headers).await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    assert_eq!(again.body, first.body, "the first answer, byte for byte");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE name = 'Once Only GmbH'").await, 1, "created once");

    let other = json!({ "name": "Someone Else" });
    let res = software.api("POST", "/api/v1/customers", Some(&secret), Some(other), &headers).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res.json()["errors"]["Idempotency-Key"].is_string(), "{res:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE name = 'Someone Else'").await, 0);

    // Keys are per API key: another integration's same key is its own.
    let second = app.api_key("admin@acme.test", ALL).await;
    let res =
        software.api("POST", "/api/v1/customers", Some(&second), Some(json!({ "name": "Twice Ltd" })), &headers).await;
    assert_eq!(res.status, StatusCode::CREATED, "{res:?}");

    // A refused request is answered the same again.
    let bad_key = rand_key();
    let headers = [("idempotency-key", bad_key.as_str())];
    let bad = json!({ "name": "" });
    let first = software.api("POST", "/api/v1/customers", Some(&secret), Some(bad.clone()), &headers).await;
    let again = software.api("POST", "/api/v1/customers", Some(&secret), Some(bad), &headers).await;
    assert_eq!((first.status, again.status), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
    assert_eq!(first.body, again.body);
    // A claim whose request never answered (its process died) makes a retry wait for a minute,
    // then the retry runs it afresh.
    let stuck = rand_key();
    let stuck_headers = [("idempotency-key", stuck.as_str())];
    let body = json!({ "name": "Stuck Ltd" });
    let first = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &stuck_headers).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    app.execute(&format!(
        "UPDATE api_idempotency SET status = 0, created_at = {} WHERE idempotency_key = '{stuck}'",
        app::backend::now()
    ))
    .await;
    let waiting = software.api("POST", "/api/v1/customers", Some(&secret), Some(body.clone()), &stuck_headers).await;
    assert_eq!((waiting.status, problem_code(&waiting).as_str()), (StatusCode::CONFLICT, "conflict"), "{waiting:?}");
    app.execute(&format!("UPDATE api_idempotency SET created_at = 1 WHERE idempotency_key = '{stuck}'")).await;
    let again = software.api("POST", "/api/v1/customers", Some(&secret), Some(body), &stuck_headers).await;
    assert_eq!(
        (again.status, problem_code(&again).as_str()),
        (StatusCode::CONFLICT, "duplicate_name"),
        "it ran again: {again:?}"
    );
    let long = "k".repeat(300);
    let res = software
        .api(
            "POST",
            "/api/v1/customers",
            Some(&secret),
            Some(json!({ "name": "Long Key" })),
            &[("idempotency-key", &long)],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
}

on_both_databases!(
    the_list_pages_by_cursor_with_the_lists_filters,
    a_customer_is_created_read_changed_with_if_match_and_deleted,
    an_idempotency_key_replays_the_first_answer_and_refuses_another_body,
);
