//! The partner API in the authorization matrix: every route the OpenAPI document lists is in
//! [`ROUTES`] with the permission it needs, and each is called with no key, with a key holding
//! everything but that permission, and with another partner's ids — refused each time, with
//! nothing changed anywhere. A route added without its row here fails the test.

use crate::authorization_matrix::fingerprint;
use crate::common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

struct Route {
    method: &'static str,
    /// The document's path; `{id}` is replaced by a customer's id.
    path: &'static str,
    needs: &'static str,
    body: fn(i64) -> Option<Value>,
}

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/customers", needs: "customers.view", body: |_| None },
    Route { method: "POST", path: "/customers", needs: "customers.create", body: |id| Some(json!({ "name": "Matrix Api", "parent_id": id })) },
    Route { method: "GET", path: "/customers/{id}", needs: "customers.view", body: |_| None },
    Route { method: "PATCH", path: "/customers/{id}", needs: "customers.edit", body: |_| Some(json!({ "name": "Matrix Renamed" })) },
    Route { method: "DELETE", path: "/customers/{id}", needs: "customers.delete", body: |_| None },
    Route { method: "POST", path: "/customers/status", needs: "customers.disable", body: |id| Some(json!({ "ids": [id], "status": "disabled" })) },
    Route { method: "GET", path: "/custom-fields", needs: "customers.view", body: |_| None },
    Route { method: "POST", path: "/customers/{id}/network", needs: "customers.create", body: |_| Some(json!({ "name": "Matrix Network" })) },
    Route { method: "GET", path: "/customers/{id}/users", needs: "customers.view", body: |_| None },
    Route { method: "POST", path: "/customers/{id}/users", needs: "customer_users.manage", body: |_| Some(json!({ "full_name": "Matrix Person", "email": "matrix.person@example.com", "role": "member" })) },
    Route { method: "DELETE", path: "/customers/{id}/users/{user_id}", needs: "customer_users.manage", body: |_| None },
    // For account keys alone (api/account_keys.rs): every partner key is refused.
    Route { method: "GET", path: "/account", needs: "an account key", body: |_| None },
];

/// The keys a key can hold.
const GRANTABLE: &[&str] = &[
    "customers.view",
    "customers.create",
    "customers.edit",
    "customers.disable",
    "customers.delete",
    "customers.export",
    "customers.impersonate",
    "customer_users.manage",
    "tenant.configure",
    "partner_users.manage",
    "audit.view",
];

/// The route for customer `id` (and its user `user`).
fn url(route: &Route, id: i64, user: i64) -> String {
    format!("/api/v1{}", route.path.replace("{id}", &id.to_string()).replace("{user_id}", &user.to_string()))
}

/// The membership id of a user of `customer`.
async fn user_of(app: &TestApp, customer: i64, email: &str) -> i64 {
    app.person(email).customer_user(customer, app::types::customer_users::AccountRole::Member).create().await;
    app.scalar(&format!(
        "SELECT m.id FROM memberships m JOIN persons p ON p.id = m.person_id WHERE p.email = '{email}' AND m.customer_id = {customer}"
    ))
    .await
}

async fn every_api_route_is_in_the_matrix_and_enforces_it(app: TestApp) {
    // Every documented operation is listed, and nothing listed is undocumented.
    let document: Value = serde_json::from_str(&server::api_v1::openapi().to_json().unwrap()).unwrap();
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    assert_eq!(documented, listed, "every API route needs its row in ROUTES");

    let acme_customer = app.fixture.acme_customer;
    let globex_customer = app.fixture.globex_customer;
    let acme_user = user_of(&app, acme_customer, "matrix.user@acme-customer.test").await;
    let globex_user = user_of(&app, globex_customer, "matrix.user@globex-customer.test").await;
    let mut software = app.client_from("10.7.2.1");

    // No key: 401, whatever the route.
    for route in ROUTES {
        let before = fingerprint(&app).await;
        let res = software
            .api(route.method, &url(route, acme_customer, acme_user), None, (route.body)(acme_customer), &[])
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{} {}: {res:?}", route.method, route.path);
        assert_eq!(fingerprint(&app).await, before);
    }

    // A key with every permission but the one the route needs: 403, nothing changed.
    for route in ROUTES {
        let others: Vec<&str> = GRANTABLE.iter().copied().filter(|p| *p != route.needs).collect();
        let secret = app.api_key("admin@acme.test", &others).await;
        let before = fingerprint(&app).await;
        let res = software
            .api(route.method, &url(route, acme_customer, acme_user), Some(&secret), (route.body)(acme_customer), &[])
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{} {} without {}: {res:?}",
            route.method,
            route.path,
            route.needs
        );
        assert_eq!(fingerprint(&app).await, before, "{} {} changed something", route.method, route.path);
    }

    // Acme's key with everything, given Globex's ids: as if they did not exist.
    let secret = app.api_key("admin@acme.test", GRANTABLE).await;
    for route in ROUTES {
        let before = fingerprint(&app).await;
        let res = software
            .api(
                route.method,
                &url(route, globex_customer, globex_user),
                Some(&secret),
                (route.body)(globex_customer),
                &[],
            )
            .await;
        let expected = match (route.method, route.path) {
            ("GET", "/customers") | ("GET", "/custom-fields") => StatusCode::OK,
            ("GET", "/account") => StatusCode::FORBIDDEN,
            // The network is a field of the new customer: a field error.
            ("POST", "/customers") => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(res.status, expected, "{} {} with Globex's ids: {res:?}", route.method, route.path);
        assert!(!res.body.contains("Globex"), "{} {}: {res:?}", route.method, route.path);
        assert_eq!(fingerprint(&app).await, before, "{} {} changed something", route.method, route.path);
    }
}

on_both_databases!(every_api_route_is_in_the_matrix_and_enforces_it);
