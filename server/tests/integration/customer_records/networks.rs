//! Networks and sub-accounts from the list (issue 12, PRODUCT.md §6) on both databases: "Add
//! network account", "Create sub-account", their refusals, and what disabling a network does.

use crate::common::{Client, Role, TestApp, TestResponse};
use crate::customer_users::{active_user, ok};
use http::StatusCode;
use serde_json::json;

async fn add_network(client: &mut Client<'_>, customer: i64, name: &str) -> TestResponse {
    client.call_json("customers/add-network", json!({ "customer_id": customer, "name": name })).await
}

async fn parent_of(app: &TestApp, customer: i64) -> i64 {
    app.scalar(&format!("SELECT COALESCE(parent_id, 0) FROM customers WHERE id = {customer}")).await
}

async fn a_new_network_takes_the_customers_place_with_the_customer_inside(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    // Dana belongs to the Alpha network, so to Charlie through it; Cleo to Charlie alone.
    let mut dana = active_user(&app, alpha, "dana@example.com", "Owner").await;
    let mut admin = app.signed_in("admin@acme.test").await;

    // Charlie sits in Alpha: the new network takes its place inside Alpha.
    let network = ok(&add_network(&mut admin, charlie, "  Charlie Group ").await);
    assert_eq!(network["name"], "Charlie Group");
    let group = network["id"].as_i64().unwrap();
    assert_eq!(parent_of(&app, group).await, alpha);
    assert_eq!(parent_of(&app, charlie).await, group);
    // Dana still reaches Charlie (Alpha › Charlie Group › Charlie).
    ok(&dana.call_json("portal/account", json!({ "customer_id": charlie })).await);
    ok(&dana.call_json("portal/account", json!({ "customer_id": group })).await);
    let entries = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE target_id IN ({group}, {charlie}) AND target_type = 'customer'"
        ))
        .await;
    assert_eq!(entries, 2, "the network's creation and the move are audited");

    // A top-level customer: the network is top level. The list and the sidebar follow at once.
    let network = ok(&add_network(&mut admin, alpha, "Alpha Holdings").await);
    let holdings = network["id"].as_i64().unwrap();
    assert_eq!(parent_of(&app, holdings).await, 0);
    assert_eq!(parent_of(&app, alpha).await, holdings);
    let sidebar = ok(&admin.call("customers/sidebar", &[("filter", "")]).await);
    let top: Vec<(String, u64)> = sidebar["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["sub_accounts"].as_u64().unwrap()))
        .collect();
    assert!(top.contains(&("Alpha Holdings".to_string(), 1)), "{top:?}");
    assert!(!top.iter().any(|(name, _)| name == "Alpha Bakery"), "{top:?}");
    let list = ok(&admin.call("customers/list", &[("query", &format!("network={holdings}"))]).await);
    assert_eq!(list["rows"][0]["name"], "Alpha Bakery");
    let list = ok(&admin.call("customers/list", &[("query", "q=alpha")]).await);
    let holdings_row = list["rows"].as_array().unwrap().iter().find(|r| r["name"] == "Alpha Holdings").unwrap();
    assert_eq!(holdings_row["is_network"], true);
}

async fn adding_a_network_is_refused_cleanly(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let fingerprint = || async {
        (
            app.scalar("SELECT COUNT(*) FROM customers").await,
            app.scalar("SELECT CAST(SUM(version) AS BIGINT) FROM customers").await,
            app.scalar("SELECT COUNT(*) FROM audit_log").await,
        )
    };
    let before = fingerprint().await;
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let res = add_network(&mut viewer, alpha, "Group").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let mut support = app.person("support@acme.test").with_role(Role::Support).signed_in().await;
    let res = add_network(&mut support, alpha, "Group").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");

    let mut admin = app.signed_in("admin@acme.test").await;
    for (name, why) in [("", "empty"), ("   ", "blank"), ("Bravo Dental", "taken"), ("a\u{0007}b", "control")] {
        let res = add_network(&mut admin, alpha, name).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {res:?}");
    }
    let res = add_network(&mut admin, app.fixture.globex_customer, "Group").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = add_network(&mut admin, 999_999, "Group").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let after_refusals = fingerprint().await;
    assert_eq!((after_refusals.0, after_refusals.1), (before.0, before.1), "nothing changed");

    // Four levels is the limit: a network above a four-level tree is refused, all of it undone.
    // Alpha › Charlie is two levels; two more below Charlie make four.
    let mut parent = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    for name in ["Level Three", "Level Four"] {
        let created = ok(&admin
            .call_json(
                "customers/create",
                json!({ "input": { "name": name, "parent_id": parent }, "allow_duplicate_name": false }),
            )
            .await);
        parent = created.as_i64().unwrap();
    }
    let before = fingerprint().await;
    let res = add_network(&mut admin, alpha, "Too Deep").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res.body.contains("levels deep"), "{res:?}");
    assert_eq!(fingerprint().await, before, "no half-made network");
}

async fn a_sub_account_is_created_inside_the_selected_network(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut manager = app.person("manager@acme.test").with_role(Role::AccountManager).signed_in().await;
    let created = ok(&manager
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Alpha Mitte", "parent_id": alpha }, "allow_duplicate_name": false }),
        )
        .await);
    assert_eq!(parent_of(&app, created.as_i64().unwrap()).await, alpha);
    // Even where the tenant hides the network field from its form.
    app.execute(&format!(
        "INSERT INTO tenant_field_modes (tenant_id, field, mode) VALUES ({}, 'network', 'hidden')",
        app.fixture.acme
    ))
    .await;
    let created = ok(&manager
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Alpha Nord", "parent_id": alpha }, "allow_duplicate_name": false }),
        )
        .await);
    assert_eq!(parent_of(&app, created.as_i64().unwrap()).await, alpha);
    // Never inside another tenant's network.
    let res = manager
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Sneaky", "parent_id": app.fixture.globex_customer }, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    // The tenant's required fields still apply to a sub-account (it is a customer like any other).
    app.execute(&format!(
        "INSERT INTO tenant_field_modes (tenant_id, field, mode) VALUES ({}, 'city', 'required')",
        app.fixture.acme
    ))
    .await;
    let res = manager
        .call_json(
            "customers/create",
            json!({ "input": { "name": "Alpha Süd", "parent_id": alpha }, "allow_duplicate_name": false }),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
}

async fn disabling_a_network_says_what_it_does_and_ends_access_through_it(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    let mut dana = active_user(&app, alpha, "dana@example.com", "Owner").await;
    ok(&dana.call_json("portal/account", json!({ "customer_id": charlie })).await);
    let mut admin = app.signed_in("admin@acme.test").await;
    let selection = json!({ "selection": { "Ids": [alpha] }, "status": "Disabled" });
    let preview = ok(&admin.call_json("customers/preview-status", selection.clone()).await);
    assert_eq!(preview["changed"], 1);
    assert_eq!(preview["sub_accounts"], 1);
    ok(&admin.call_json("customers/set-status", selection).await);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM customers WHERE id = {charlie} AND status = 'active'")).await,
        1
    );
    // Dana's only way in was the network: signed out, and Charlie is out of reach through it.
    let res = dana.call_json("portal/account", json!({ "customer_id": charlie })).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{res:?}");
    let res = dana.login("dana@example.com", crate::customer_users::GOOD_PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    // A customer that is no network: no sub-accounts to mention.
    let bravo = app.scalar("SELECT id FROM customers WHERE name = 'Bravo Dental'").await;
    let preview = ok(&admin
        .call_json("customers/preview-status", json!({ "selection": { "Ids": [bravo] }, "status": "Active" }))
        .await);
    assert_eq!(preview["sub_accounts"], 0);
}

on_both_databases!(
    a_new_network_takes_the_customers_place_with_the_customer_inside,
    adding_a_network_is_refused_cleanly,
    a_sub_account_is_created_inside_the_selected_network,
    disabling_a_network_says_what_it_does_and_ends_access_through_it
);
