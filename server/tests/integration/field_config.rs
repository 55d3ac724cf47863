//! A tenant's field configuration (PRODUCT.md §5): required and hidden fields, custom fields
//! of every type, workflows, and the list filters they give — on both databases.

use super::customer_records::{count, create, field_errors, ok};
use crate::common::{TestApp, TestResponse};
use http::StatusCode;
use serde_json::{json, Value};

async fn required_and_hidden_fields_follow_the_tenant_configuration(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let id = app.fixture.acme_customer;
    app.execute(&format!("UPDATE customers SET suite = 'Unit 4' WHERE id = {id}")).await;
    ok(&admin.call_json("settings/field-mode", json!({ "field": "ContactEmail", "mode": "Required" })).await);
    let config = ok(&admin.call_json("settings/field-mode", json!({ "field": "Suite", "mode": "Hidden" })).await);
    assert_eq!(config["modes"], json!({ "Suite": "Hidden", "ContactEmail": "Required" }));

    let errors = field_errors(&create(&mut admin, json!({ "name": "Echo Eyewear" })).await);
    assert_eq!(errors, json!({ "contact_email": "Email is required." }));

    // A hidden field is neither checked nor changed: its stored value stays.
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    let mut input = form["current"]["values"].clone();
    input["suite"] = json!("x".repeat(500));
    input["contact_email"] = json!("alpha@bakery.example");
    let res = admin
        .call_json("customers/update", json!({ "id": id, "version": 1, "input": input, "allow_duplicate_name": false }))
        .await;
    ok(&res);
    let suite: String = {
        use sqlx::Row;
        sqlx::query("SELECT suite FROM customers WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .get("suite")
    };
    assert_eq!(suite, "Unit 4");

    // Shown again, the value is there.
    ok(&admin.call_json("settings/field-mode", json!({ "field": "Suite", "mode": "Optional" })).await);
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    assert_eq!(form["current"]["values"]["suite"], "Unit 4");
}

async fn each_custom_field_type_is_checked_stored_and_searchable(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let fields = [
        json!({ "label": "Account code", "kind": "Text", "required": true }),
        json!({ "label": "Seats", "kind": "Number" }),
        json!({ "label": "Renewal", "kind": "Date" }),
        json!({ "label": "VIP", "kind": "YesNo" }),
        json!({ "label": "Tier", "kind": "Choice", "options": ["Gold", "Silver"] }),
    ];
    let mut config = Value::Null;
    for field in fields {
        config = ok(&admin.call_json("settings/custom-field", json!({ "draft": field })).await);
    }
    let keys: Vec<&str> =
        config["custom_fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["account_code", "seats", "renewal", "vip", "tier"]);
    let clash =
        admin.call_json("settings/custom-field", json!({ "draft": { "label": "Seats", "kind": "Text" } })).await;
    assert_eq!(field_errors(&clash)["key"], "Another custom field already uses this key.");
    let no_options =
        admin.call_json("settings/custom-field", json!({ "draft": { "label": "Size", "kind": "Choice" } })).await;
    assert!(field_errors(&no_options)["options"].is_string());

    let bad = json!({ "name": "Foxtrot Foods", "custom": {
        "seats": "a dozen", "renewal": "2027-02-30", "vip": "maybe", "tier": "Bronze", "unknown": "ignored" } });
    let errors = field_errors(&create(&mut admin, bad).await);
    assert_eq!(
        errors.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["custom.account_code", "custom.renewal", "custom.seats", "custom.tier", "custom.vip"]
    );

    let good = json!({ "name": "Foxtrot Foods", "custom": {
        "account_code": "FX-2291", "seats": "12.5", "renewal": "2027-02-28", "vip": "yes", "tier": "Gold" } });
    let id = ok(&create(&mut admin, good).await).as_i64().unwrap();
    let form = ok(&admin.call_json("customers/form", json!({ "id": id })).await);
    assert_eq!(
        form["current"]["values"]["custom"],
        json!({ "account_code": "FX-2291", "seats": "12.5", "renewal": "2027-02-28", "vip": "yes", "tier": "Gold" })
    );
    let found = ok(&admin.call("customers/list", &[("query", "q=fx-2291")]).await);
    assert_eq!(found["rows"][0]["id"], id, "custom values join the search");

    // Removing a field removes its values, from the record and from the search.
    let code_field = config["custom_fields"][0]["id"].as_i64().unwrap();
    ok(&admin.call_json("settings/custom-field-delete", json!({ "id": code_field })).await);
    let found = ok(&admin.call("customers/list", &[("query", "q=fx-2291")]).await);
    assert_eq!(found["rows"], json!([]));
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM customer_field_values WHERE customer_id = {id}")).await, 4);
}

async fn another_tenants_custom_fields_cannot_be_changed(app: TestApp) {
    let mut acme = app.signed_in("admin@acme.test").await;
    let config =
        ok(&acme.call_json("settings/custom-field", json!({ "draft": { "label": "Tier", "kind": "Text" } })).await);
    let field = config["custom_fields"][0]["id"].as_i64().unwrap();
    ok(&acme.call_json("settings/custom-field", json!({ "draft": { "label": "Seats", "kind": "Number" } })).await);
    let moved = ok(&acme.call_json("settings/custom-field-move", json!({ "id": field, "up": false })).await);
    assert_eq!(moved["custom_fields"][1]["key"], "tier");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.custom_field.move'").await,
        1,
        "reordering is audited"
    );

    let mut globex = app.signed_in("admin@globex.test").await;
    let calls = [
        ("settings/custom-field", json!({ "draft": { "id": field, "key": "tier", "label": "Pwned", "kind": "Text" } })),
        ("settings/custom-field-move", json!({ "id": field, "up": true })),
        ("settings/custom-field-delete", json!({ "id": field })),
    ];
    for (endpoint, body) in calls {
        let res = globex.call_json(endpoint, body).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{endpoint}: {res:?}");
    }
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM custom_fields WHERE id = {field} AND label = 'Tier'")).await,
        1,
        "untouched"
    );
    let theirs = ok(&globex.call("customers/filters", &[]).await);
    assert_eq!(theirs["fields"], json!([]), "Acme's fields are not Globex's filters");
}

async fn workflows_are_offered_and_checked(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let bad = admin.call_json("settings/workflows", json!({ "workflows": ["Live", "live"] })).await;
    assert!(field_errors(&bad)["workflows"].is_string());
    let config = ok(&admin.call_json("settings/workflows", json!({ "workflows": [" Onboarding ", "Live"] })).await);
    assert_eq!(config["workflows"], json!(["Onboarding", "Live"]));
    let errors = field_errors(&create(&mut admin, json!({ "name": "India", "workflow": "Churned" })).await);
    assert_eq!(errors["workflow"], "Choose one of this partner's workflows.");
    let id = ok(&create(&mut admin, json!({ "name": "India", "workflow": "Live" })).await).as_i64().unwrap();
    let listed = ok(&admin.call("customers/list", &[("query", "workflow=Live")]).await);
    assert_eq!(listed["rows"][0]["id"], id);
}

async fn the_list_filters_by_choice_and_yes_no_fields(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    for field in [
        json!({ "label": "Tier", "kind": "Choice", "options": ["Gold", "Silver"] }),
        json!({ "label": "VIP", "kind": "YesNo" }),
        json!({ "label": "Notes", "kind": "Text" }),
    ] {
        ok(&admin.call_json("settings/custom-field", json!({ "draft": field })).await);
    }
    ok(&admin.call_json("settings/workflows", json!({ "workflows": ["Live"] })).await);
    let mut ids = Vec::new();
    for (name, tier, vip) in [("Kilo", "Gold", "yes"), ("Lima", "Gold", "no"), ("Mike", "Silver", "yes")] {
        let input = json!({ "name": name, "custom": { "tier": tier, "vip": vip } });
        ids.push(ok(&create(&mut admin, input).await).as_i64().unwrap());
    }
    let listed = |res: &TestResponse| -> Vec<i64> {
        ok(res)["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(listed(&admin.call("customers/list", &[("query", "f.tier=Gold")]).await), [ids[0], ids[1]]);
    assert_eq!(listed(&admin.call("customers/list", &[("query", "f.tier=Gold&f.vip=yes")]).await), [ids[0]]);
    assert_eq!(ok(&admin.call("customers/count", &[("query", "f.vip=yes")]).await), json!({ "Exact": 2 }));
    assert_eq!(listed(&admin.call("customers/list", &[("query", "f.tier=Bronze")]).await), Vec::<i64>::new());

    // Any role that sees the list may ask what it can filter by: workflows, choice and yes/no fields.
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let filters = ok(&viewer.call("customers/filters", &[]).await);
    assert_eq!(filters["workflows"], json!(["Live"]));
    let keys: Vec<&str> = filters["fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["tier", "vip"]);
    // Another tenant's values never match.
    let mut globex = app.signed_in("admin@globex.test").await;
    assert_eq!(listed(&globex.call("customers/list", &[("query", "f.tier=Gold")]).await), Vec::<i64>::new());
}

async fn a_field_changes_type_or_options_only_when_every_value_fits(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let config =
        ok(&admin.call_json("settings/custom-field", json!({ "draft": { "label": "Seats", "kind": "Text" } })).await);
    let field = config["custom_fields"][0]["id"].as_i64().unwrap();
    ok(&create(&mut admin, json!({ "name": "Seat One", "custom": { "seats": "12" } })).await);
    let ten =
        ok(&create(&mut admin, json!({ "name": "Seat Two", "custom": { "seats": "ten" } })).await).as_i64().unwrap();
    let change = |kind: &str, options: Value| json!({ "draft": { "id": field, "key": "seats", "label": "Seats", "kind": kind, "options": options } });

    let refused = admin.call_json("settings/custom-field", change("Number", json!([]))).await;
    assert_eq!(
        field_errors(&refused)["kind"],
        "1 customer has a value that a number field cannot hold (“ten”). Change those customers first."
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM custom_fields WHERE kind = 'text'").await, 1, "nothing changed");

    let form = ok(&admin.call_json("customers/form", json!({ "id": ten })).await);
    let mut input = form["current"]["values"].clone();
    input["custom"]["seats"] = json!("10");
    ok(&admin
        .call_json(
            "customers/update",
            json!({ "id": ten, "version": 1, "input": input, "allow_duplicate_name": false }),
        )
        .await);
    let config = ok(&admin.call_json("settings/custom-field", change("Number", json!([]))).await);
    assert_eq!(config["custom_fields"][0]["kind"], "Number");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.custom_field.update'").await, 1);

    // A choice field's options: removing one that customers hold is refused the same way.
    ok(&admin.call_json("settings/custom-field", change("Choice", json!(["10", "12", "20"]))).await);
    let refused = admin.call_json("settings/custom-field", change("Choice", json!(["10", "20"]))).await;
    assert_eq!(
        field_errors(&refused)["options"],
        "1 customer has a value that is not among these options (“12”). Change those customers first."
    );
}

/// Two custom fields with one key at the same moment: the loser gets the key error, not a 500.
async fn a_custom_field_key_taken_meanwhile_is_a_field_error(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let acme = app.fixture.acme;
    let res = app
        .racing(
            &[&format!(
                "INSERT INTO custom_fields (tenant_id, key, label, kind, options, position) VALUES ({acme}, 'tier', 'Tier', 'text', '[]', 1)"
            )],
            admin.call_json("settings/custom-field", json!({ "draft": { "label": "Tier", "kind": "Text" } })),
        )
        .await;
    assert_eq!(field_errors(&res)["key"], "Another custom field already uses this key.");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM custom_fields").await, 1);
}

on_both_databases!(
    a_custom_field_key_taken_meanwhile_is_a_field_error,
    required_and_hidden_fields_follow_the_tenant_configuration,
    each_custom_field_type_is_checked_stored_and_searchable,
    workflows_are_offered_and_checked,
    another_tenants_custom_fields_cannot_be_changed,
    a_field_changes_type_or_options_only_when_every_value_fits,
    the_list_filters_by_choice_and_yes_no_fields,
);
