//! Server-rendered pages and plain HTTP routes.

use crate::common;
use common::TestApp;
use http::StatusCode;

async fn login_page_has_labelled_fields_and_security_headers(app: TestApp) {
    let res = app.client().get("/login").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains(r#"<label for="login-email">Email"#), "{}", res.body);
    assert!(res.body.contains(r#"<label for="login-password">Password"#));
    assert!(res.body.contains(r#"aria-describedby="login-email-error""#), "each control names its error");
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
    // A partner admin's Settings area: the partner's own pages, none of the operator's.
    assert!(res.body.contains(">Team<") && res.body.contains(">Roles<") && res.body.contains(">Audit log<"));
    assert!(!res.body.contains(">Partners<") && !res.body.contains(">Mailbox<"), "no operator pages");
}

async fn unknown_pages_are_real_404s(app: TestApp) {
    let res = app.client().get("/no/such/page").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("Page not found"));
}

async fn healthz_reports_database_reachability(app: TestApp) {
    let res = app.client().get("/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "live\ndatabase: ok\n");
    let res = app.client().get("/readyz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "ready\n");
}

/// Every page names its own nonce in its Content-Security-Policy (no other inline script runs),
/// and nothing personal is cached; over https the session cookie is `__Host-` and Secure, and
/// HSTS is sent.
async fn pages_carry_the_browser_hardening_headers(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    let page = client.get("/customers").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers["content-security-policy"].to_str().unwrap().to_string();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the header's nonce");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["cross-origin-opener-policy"], "same-origin");
    let api = client.call("customers/list", &[("query", "")]).await;
    assert_eq!(api.headers["cache-control"], "no-store");
    assert!(!page.headers.contains_key("strict-transport-security"), "not over plain http");

    let app = app.over_https();
    let mut secure = app.client();
    let login = secure.login("admin@acme.test", common::PASSWORD).await;
    let cookie = login.set_cookie().unwrap();
    assert!(cookie.starts_with("__Host-clientele_session=") && cookie.contains("Secure"), "{cookie}");
    let device = login.set_cookie_named("clientele_device").unwrap();
    assert!(device.starts_with("__Host-clientele_device=") && device.contains("Secure"), "{device}");
    let page = secure.get("/customers").await;
    assert_eq!(page.status, StatusCode::OK, "the __Host- cookie signs in");
    assert_eq!(page.headers["strict-transport-security"], "max-age=31536000");
}

/// Leptos' Suspense walks its children several times while a page renders; resources created
/// inside what it re-runs were fetched and embedded again on each walk (in a third of renders,
/// racing the session lookup). Every render must carry each of the page's resources once.
async fn a_page_embeds_each_resource_once(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    for _ in 0..20 {
        let page = client.get("/customers").await;
        assert_eq!(page.status, StatusCode::OK);
        let embedded = page.body.matches("__RESOLVED_RESOURCES[").count();
        assert_eq!(embedded, 4, "the session, the list, its filters, the status dialog's preview");
        assert_eq!(page.body.matches(r#"\"rows\":"#).count(), 1, "the list's rows once");
        // The sidebar's names come from the browser's own call, not in the page twice.
        assert!(!page.body.contains("sub_accounts"), "no sidebar data in the page");
        assert!(page.body.contains("Active customers"), "the sidebar's section is drawn");
    }
}

/// Pages and server-function answers go out compressed to browsers that accept it.
async fn pages_and_answers_are_compressed(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    let plain = client.get("/customers").await;
    assert!(!plain.headers.contains_key("content-encoding"), "not unless asked");
    let page = client.get_with("/customers", "accept-encoding", "gzip, deflate, br").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-encoding"], "br");
    assert_eq!(page.headers["cache-control"], "no-store", "still never stored");
    let gzip = client.get_with("/login", "accept-encoding", "gzip").await;
    assert_eq!(gzip.headers["content-encoding"], "gzip");
}

on_both_databases!(
    a_page_embeds_each_resource_once,
    pages_and_answers_are_compressed,
    login_page_has_labelled_fields_and_security_headers,
    signed_out_visitors_are_sent_to_login,
    customers_page_renders_the_tenants_customers,
    unknown_pages_are_real_404s,
    healthz_reports_database_reachability,
    pages_carry_the_browser_hardening_headers,
);
