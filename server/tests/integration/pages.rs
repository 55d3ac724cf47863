//! Server-rendered pages and plain HTTP routes.

use crate::common;
use common::TestApp;
use http::StatusCode;

async fn login_page_has_labelled_fields_and_security_headers(app: TestApp) {
    let res = app.client().get("/login").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains(r#"<label for="login-email">Email</label>"#), "{}", res.body);
    assert!(res.body.contains(r#"<label for="login-password">Password</label>"#));
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert_eq!(res.headers["x-frame-options"], "DENY");
}

async fn signed_out_visitors_are_sent_to_login(app: TestApp) {
    let res = app.client().get("/customers").await;
    assert_eq!(res.status, StatusCode::FOUND, "{res:?}");
    assert_eq!(res.headers["location"], "/login");
}

async fn customers_page_renders_the_tenants_customers(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    let res = client.get("/customers").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Alpha Bakery") && res.body.contains("Acme Partners"));
    assert!(!res.body.contains("Globex Secret Customer"));
    assert!(!res.body.contains(">Settings<"), "partner users have no Settings tab");
}

async fn unknown_pages_are_real_404s(app: TestApp) {
    let res = app.client().get("/no/such/page").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("Page not found"));
}

async fn healthz_reports_database_reachability(app: TestApp) {
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "ok");
}

on_both_databases!(
    login_page_has_labelled_fields_and_security_headers,
    signed_out_visitors_are_sent_to_login,
    customers_page_renders_the_tenants_customers,
    unknown_pages_are_real_404s,
    healthz_reports_database_reachability,
);
