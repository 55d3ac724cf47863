//! One customer at a time: create, edit with versions, the tenant's field configuration and
//! custom fields, detail, delete — with permissions and tenant isolation — on both databases;
//! networks and sub-accounts in `networks`.

mod networks;

use crate::common;
use app::types::customer_users::AccountRole;
use common::{TestApp, TestResponse};
use http::StatusCode;
use serde_json::{json, Value};

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

pub(crate) fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    res.json()
}

pub(crate) fn field_errors(res: &TestResponse) -> Value {
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    res.json()["Invalid"].clone()
}

pub(crate) async fn create(client: &mut common::Client<'_>, input: Value) -> TestResponse {
    client.call_json("customers/create", json!({ "input": input, "allow_duplicate_name": false })).await
}

async fn creating_validates_on_the_server_then_stores_and_audits(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let before = count(&app, "SELECT COUNT(*) FROM customers").await;

    let bad =
        create(&mut admin, json!({ "name": "  ", "contact_email": "anna@", "country": "XX", "phone_primary": "12" }))
            .await;
    let errors = field_errors(&bad);
    assert_eq!(
        errors.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["contact_email", "country", "name", "phone_primary"]
    );
    assert_eq!(errors["name"], "Name is required.");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers").await, before, "a refused create writes nothing");

    let input = json!({
        "name": " Delta Dental ", "city": "Hamburg", "country": "de", "contact_first_name": "Dora",
        "contact_last_name": "Dietrich", "contact_email": "Dora@Delta.example", "phone_primary": "040 1234567",
    });
    let id = ok(&create(&mut admin, input).await).as_i64().unwrap();
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    let stored = &form["current"]["values"];
    assert_eq!(stored["name"], "Delta Dental", "trimmed");
    assert_eq!(stored["country"], "DE", "upper-cased");
    assert_eq!(stored["contact_email"], "dora@delta.example");
    assert_eq!(form["current"]["version"], 1);

    use sqlx::Row;
    let entry = sqlx::query("SELECT action, target_id, changes FROM audit_log WHERE action = 'customer.create'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(entry.get::<Option<i64>, _>("target_id"), Some(id));
    let changes: Value = serde_json::from_str(&entry.get::<String, _>("changes")).unwrap();
    assert_eq!(changes["name"], json!([null, "Delta Dental"]));
    assert_eq!(changes["city"], json!([null, "Hamburg"]));

    // The new customer is found by the list's search, on any of its searchable fields.
    for q in ["dietrich", "delta", "040 123", "hamburg"] {
        let page = ok(&admin.call("customers/list", &[("query", &format!("q={q}"))]).await);
        assert_eq!(page["rows"].as_array().unwrap().len(), 1, "search {q}");
    }
}

async fn duplicate_names_are_warned_about_then_allowed(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let res = create(&mut admin, json!({ "name": "Alpha Bakery" })).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json(), json!({ "DuplicateName": "Alpha Bakery" }));
    let res = admin
        .call_json("customers/create", json!({ "input": { "name": "Alpha Bakery" }, "allow_duplicate_name": true }))
        .await;
    ok(&res);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE name = 'Alpha Bakery'").await, 2);
    // Another tenant's names do not count.
    let mut globex = app.signed_in("admin@globex.test").await;
    ok(&create(&mut globex, json!({ "name": "Alpha Bakery" })).await);
}

/// Names are stored in Unicode NFC, so "José" typed with a combining accent is the same name;
/// characters that hide or reorder text are refused, so two names cannot look alike by trickery.
async fn names_are_composed_and_hidden_characters_refused(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&create(&mut admin, json!({ "name": "Jos\u{e9} Caf\u{e9}" })).await);
    let res = create(&mut admin, json!({ "name": "Jose\u{301} Cafe\u{301}" })).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert_eq!(res.json(), json!({ "DuplicateName": "Jos\u{e9} Caf\u{e9}" }));
    for trick in ["Jos\u{e9} Caf\u{e9}\u{200B}", "\u{202E}\u{e9}faC \u{e9}soJ", "Jos\u{e9}\u{2066} Caf\u{e9}"] {
        let res = create(&mut admin, json!({ "name": trick, "city": "Berlin" })).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{trick:?}: {res:?}");
        assert_eq!(field_errors(&res)["name"], "Name cannot contain control or invisible formatting characters.");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE name LIKE 'Jos%'").await, 1);
}

async fn an_edit_on_an_old_version_is_a_conflict_with_the_current_values(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let id = app.fixture.acme_customer;
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    let mut mine = form["current"]["values"].clone();
    let version = form["current"]["version"].as_i64().unwrap();

    // Someone else saves first.
    let mut theirs = mine.clone();
    theirs["city"] = json!("Munich");
    let res = admin
        .call_json(
            "customers/update",
            json!({ "id": id, "version": version, "input": theirs, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(ok(&res), json!(version + 1));

    mine["contact_first_name"] = json!("Anna");
    let res = admin
        .call_json(
            "customers/update",
            json!({ "id": id, "version": version, "input": mine, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let current = &res.json()["Conflict"];
    assert_eq!(current["version"], version + 1);
    assert_eq!(current["values"]["city"], "Munich");
    let stored =
        count(&app, &format!("SELECT COUNT(*) FROM customers WHERE id = {id} AND contact_first_name IS NULL")).await;
    assert_eq!(stored, 1, "the stale edit wrote nothing");

    // Re-applied on the current version, it lands, and the audit shows exactly what moved.
    let res = admin
        .call_json(
            "customers/update",
            json!({ "id": id, "version": version + 1, "input": mine, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(ok(&res), json!(version + 2));
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    assert_eq!(form["current"]["values"]["contact_first_name"], "Anna");
    assert_eq!(
        form["current"]["values"]["city"], "Berlin",
        "mine was based on Berlin: re-applying restores it, knowingly"
    );
}

async fn networks_stay_in_the_tenant_and_never_loop(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let foreign = create(&mut admin, json!({ "name": "Golf", "parent_id": app.fixture.globex_customer })).await;
    assert_eq!(field_errors(&foreign)["network"], "Choose a network of this partner.");

    let charlie_form = ok(&admin.call_json("customers/form", json!({ "id": charlie })).await);
    assert_eq!(charlie_form["current"]["network"], json!({ "id": alpha, "name": "Alpha Bakery" }));
    let form = ok(&admin.call_json("customers/form", json!({ "id": alpha })).await);
    assert_eq!(form["current"]["network"], json!(null));
    let mut input = form["current"]["values"].clone();
    input["parent_id"] = json!(charlie);
    let res = admin
        .call_json(
            "customers/update",
            json!({ "id": alpha, "version": 1, "input": input, "allow_duplicate_name": false }),
        )
        .await;
    assert!(field_errors(&res)["network"].as_str().unwrap().contains("inside itself"));

    let sub = ok(&create(&mut admin, json!({ "name": "Hotel", "parent_id": alpha })).await).as_i64().unwrap();
    let detail = ok(&admin.call_json("customers/detail", json!({ "id": alpha })).await);
    assert_eq!(detail["sub_account_count"], 2);
    assert!(detail["sub_accounts"].as_array().unwrap().iter().any(|s| s["id"] == sub));
}

async fn delete_needs_the_typed_name_and_takes_everything_of_the_customer(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let bravo = app.scalar("SELECT id FROM customers WHERE name = 'Bravo Dental'").await;
    // A customer user with a session, and a custom value.
    let person = app
        .person("user@bravo.test")
        .named("Bea Bravo")
        .customer_user(bravo, AccountRole::Owner)
        .with_session()
        .create()
        .await;
    let config =
        ok(&admin.call_json("settings/custom-field", json!({ "draft": { "label": "Notes", "kind": "Text" } })).await);
    let field = config["custom_fields"][0]["id"].as_i64().unwrap();
    app.custom_value(bravo, field, "x").await;

    let impact = ok(&admin.call_json("customers/delete-impact", json!({ "id": bravo })).await);
    assert_eq!(
        impact,
        json!({ "id": bravo, "name": "Bravo Dental", "sub_accounts": [], "too_many_sub_accounts": false, "users": 1, "custom_values": 1 })
    );

    let wrong = admin.call_json("customers/delete", json!({ "id": bravo, "confirm_name": "bravo dental" })).await;
    assert!(field_errors(&wrong)["confirm_name"].is_string());
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM customers WHERE id = {bravo}")).await, 1);

    ok(&admin.call_json("customers/delete", json!({ "id": bravo, "confirm_name": "Bravo Dental" })).await);
    for (what, sql) in [
        ("customer", format!("SELECT COUNT(*) FROM customers WHERE id = {bravo}")),
        ("membership", format!("SELECT COUNT(*) FROM memberships WHERE customer_id = {bravo}")),
        ("session", format!("SELECT COUNT(*) FROM sessions WHERE person_id = {person}")),
        ("custom value", format!("SELECT COUNT(*) FROM customer_field_values WHERE customer_id = {bravo}")),
    ] {
        assert_eq!(count(&app, &sql).await, 0, "{what} deleted");
    }
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM persons WHERE id = {person}")).await,
        1,
        "the identity stays"
    );
    let audit = count(&app, &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.delete' AND target_id = {bravo} AND target_label = 'Bravo Dental'")).await;
    assert_eq!(audit, 1, "the audit entry outlives the record");
}

/// A network goes with every sub-account below it, all listed in the confirmation (nested, with
/// their status): its users and theirs lose access, one audit entry per customer keeps the values,
/// and the same count of active sub-accounts shows in the sidebar and the dialog.
async fn deleting_a_network_takes_its_sub_accounts_listed_first(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let deep = ok(&create(&mut admin, json!({ "name": "Deep Diner", "parent_id": charlie })).await).as_i64().unwrap();
    let resting =
        ok(&create(&mut admin, json!({ "name": "Resting Room", "parent_id": alpha })).await).as_i64().unwrap();
    ok(&admin
        .call_json("customers/set-status", json!({ "selection": { "Ids": [resting] }, "status": "Disabled" }))
        .await);
    // A user of the deep sub-account only, signed in: signed out with it. One of Alpha and of
    // another partner's customer keeps their session.
    let deep_user =
        app.person("deep@example.com").customer_user(deep, AccountRole::Owner).with_session().create().await;
    let both = app
        .person("both@example.com")
        .customer_user(alpha, AccountRole::Owner)
        .customer_user(app.fixture.globex_customer, AccountRole::Member)
        .with_session()
        .create()
        .await;

    let sidebar = ok(&admin.call("customers/sidebar", &[("filter", "")]).await);
    let in_sidebar =
        sidebar["customers"].as_array().unwrap().iter().find(|c| c["id"] == alpha).unwrap()["sub_accounts"].clone();
    let impact = ok(&admin.call_json("customers/delete-impact", json!({ "id": alpha })).await);
    let listed: Vec<(String, bool, i64)> = impact["sub_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["name"].as_str().unwrap().to_string(), s["active"].as_bool().unwrap(), s["depth"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Charlie Cafe".to_string(), true, 1),
            ("Deep Diner".to_string(), true, 2),
            ("Resting Room".to_string(), false, 1)
        ]
    );
    let active_direct = listed.iter().filter(|(_, active, depth)| *active && *depth == 1).count();
    assert_eq!(in_sidebar, json!(active_direct), "the sidebar and the dialog count alike");
    assert_eq!(impact["users"], 2);

    let wrong = admin.call_json("customers/delete", json!({ "id": alpha, "confirm_name": "Charlie Cafe" })).await;
    assert!(field_errors(&wrong)["confirm_name"].is_string());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE tenant_id = 1").await, 5, "nothing deleted");
    ok(&admin.call_json("customers/delete", json!({ "id": alpha, "confirm_name": "Alpha Bakery" })).await);
    for id in [alpha, charlie, deep, resting] {
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM customers WHERE id = {id}")).await, 0, "{id}");
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.delete' AND target_id = {id}")
            )
            .await,
            1
        );
    }
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM sessions WHERE person_id = {deep_user}")).await, 0);
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM sessions WHERE person_id = {both}")).await,
        1,
        "still a Globex user"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE tenant_id = 1").await, 1, "Bravo Dental stays");

    // More sub-accounts than one confirmation may take: refused, nothing deleted.
    let big = ok(&create(&mut admin, json!({ "name": "Big Network" })).await).as_i64().unwrap();
    app.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 201)
         INSERT INTO customers (tenant_id, name, parent_id, status, status_changed_at, created_at, updated_at, search_text)
         SELECT 1, 'Branch ' || CAST(i AS TEXT), {big}, 'active', 0, 0, 0, ' branch' FROM n"
    ))
    .await;
    let impact = ok(&admin.call_json("customers/delete-impact", json!({ "id": big })).await);
    assert_eq!(impact["too_many_sub_accounts"], true);
    let res = admin.call_json("customers/delete", json!({ "id": big, "confirm_name": "Big Network" })).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM customers WHERE parent_id = {big}")).await, 201);
}

/// Deleting a customer signs out nobody who was merely invited there (here another partner's
/// admin): only people whose accepted access was that customer alone.
async fn delete_leaves_people_merely_invited_there_signed_in(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let delta = app.customer(app.fixture.acme, "Delta Diner").await;
    let invite = json!({ "customer_id": delta, "input": { "full_name": "G", "email": "admin@globex.test", "role": "Owner", "method": "DisplayLink" } });
    ok(&admin.call_json("customer-users/invite", invite).await);
    let mut globex = app.signed_in("admin@globex.test").await;
    ok(&admin.call_json("customers/delete", json!({ "id": delta, "confirm_name": "Delta Diner" })).await);
    assert_eq!(ok(&globex.call("session", &[]).await)["email"], "admin@globex.test");
}

/// Another writer deletes the customer between our read and our delete: a clean 404, no audit.
async fn a_delete_racing_another_writer_audits_nothing(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let delta = app.customer(app.fixture.acme, "Delta Diner").await;
    let res = app
        .racing(
            &[&format!("DELETE FROM customers WHERE id = {delta}")],
            admin.call_json("customers/delete", json!({ "id": delta, "confirm_name": "Delta Diner" })),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.delete'").await, 0);
}

async fn a_viewer_cannot_create_edit_delete_or_configure(app: TestApp) {
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let id = app.fixture.acme_customer;
    let calls = [
        ("customers/form", json!({ "id": null }), "customers.create"),
        ("customers/create", json!({ "input": { "name": "X" }, "allow_duplicate_name": false }), "customers.create"),
        ("customers/form", json!({ "id": id }), "customers.edit"),
        (
            "customers/update",
            json!({ "id": id, "version": 1, "input": { "name": "X" }, "allow_duplicate_name": false }),
            "customers.edit",
        ),
        ("customers/delete-impact", json!({ "id": id }), "customers.delete"),
        ("customers/delete", json!({ "id": id, "confirm_name": "Alpha Bakery" }), "customers.delete"),
        ("settings/fields", json!({}), "tenant.configure"),
        ("settings/field-mode", json!({ "field": "City", "mode": "Required" }), "tenant.configure"),
        ("settings/custom-field", json!({ "draft": { "label": "X", "kind": "Text" } }), "tenant.configure"),
        ("settings/workflows", json!({ "workflows": ["A"] }), "tenant.configure"),
    ];
    for (endpoint, body, permission) in calls {
        let res = viewer.call_json(endpoint, body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{endpoint}");
        assert_eq!(res.json()["Forbidden"], format!("your role does not include {permission}"), "{endpoint}");
    }
    // Viewing is allowed.
    let detail = ok(&viewer.call_json("customers/detail", json!({ "id": id })).await);
    assert_eq!(detail["stored"]["values"]["name"], "Alpha Bakery");
    assert_eq!(detail["audit"], Value::Null, "no audit.view, no audit entries");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers WHERE name = 'X'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM custom_fields").await, 0);
}

async fn another_tenants_customer_cannot_be_read_edited_or_deleted(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let theirs = app.fixture.globex_customer;
    let calls = [
        ("customers/detail", json!({ "id": theirs })),
        ("customers/form", json!({ "id": theirs })),
        (
            "customers/update",
            json!({ "id": theirs, "version": 1, "input": { "name": "Pwned" }, "allow_duplicate_name": true }),
        ),
        ("customers/delete-impact", json!({ "id": theirs })),
        ("customers/delete", json!({ "id": theirs, "confirm_name": "Globex Secret Customer" })),
    ];
    for (endpoint, body) in calls {
        let res = admin.call_json(endpoint, body).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{endpoint}: {res:?}");
        assert!(!res.body.contains("Globex Secret"), "{endpoint} leaks nothing");
    }
    let name = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM customers WHERE id = {theirs} AND name = 'Globex Secret Customer' AND version = 1"
        ),
    )
    .await;
    assert_eq!(name, 1, "untouched");
}

/// Demo customers can be edited without first repairing them: they pass the form's rules.
async fn demo_customers_pass_the_form_rules(app: TestApp) {
    use app::types::customer_records::{validate, CustomerInput};
    use sqlx::Row;
    app::backend::seed::demo_data(&app.db).await.unwrap();
    let tenant = app.scalar("SELECT id FROM tenants WHERE slug = 'northwind'").await;
    let mut admin = app.client();
    assert!(admin.login("admin@northwind.test", app::backend::seed::DEMO_PASSWORD).await.status.is_success());
    let config: app::types::field_config::FieldConfig =
        serde_json::from_value(ok(&admin.call_json("settings/fields", json!({})).await)).unwrap();
    let mut conn = app.db.pool.acquire().await.unwrap();
    assert_eq!(config.workflows, ["Onboarding", "Live", "Renewal due"]);
    let rows = sqlx::query(
        "SELECT name, street, city, postal_code, country, contact_first_name, contact_last_name, contact_email,
                phone_primary, workflow, parent_id FROM customers WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1000);
    let text = |r: &sqlx::any::AnyRow, c: &str| r.get::<Option<String>, _>(c).unwrap_or_default();
    for r in &rows {
        let input = CustomerInput {
            name: text(r, "name"),
            street: text(r, "street"),
            city: text(r, "city"),
            postal_code: text(r, "postal_code"),
            country: text(r, "country"),
            contact_first_name: text(r, "contact_first_name"),
            contact_last_name: text(r, "contact_last_name"),
            contact_email: text(r, "contact_email"),
            phone_primary: text(r, "phone_primary"),
            workflow: text(r, "workflow"),
            parent_id: r.get("parent_id"),
            ..Default::default()
        };
        let errors = validate(&input.normalized(&config), &config);
        assert!(errors.is_empty(), "{input:?}: {errors:?}");
    }
}

on_both_databases!(
    demo_customers_pass_the_form_rules,
    creating_validates_on_the_server_then_stores_and_audits,
    duplicate_names_are_warned_about_then_allowed,
    names_are_composed_and_hidden_characters_refused,
    an_edit_on_an_old_version_is_a_conflict_with_the_current_values,
    networks_stay_in_the_tenant_and_never_loop,
    delete_needs_the_typed_name_and_takes_everything_of_the_customer,
    deleting_a_network_takes_its_sub_accounts_listed_first,
    delete_leaves_people_merely_invited_there_signed_in,
    a_delete_racing_another_writer_audits_nothing,
    a_viewer_cannot_create_edit_delete_or_configure,
    another_tenants_customer_cannot_be_read_edited_or_deleted,
);
