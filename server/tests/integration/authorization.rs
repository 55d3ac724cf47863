//! Permissions and tenant isolation, enforced on the server whatever the UI shows.

use crate::common;
use common::{Role, TestApp};
use http::StatusCode;

const FIRST_PAGE: &[(&str, &str)] = &[("query", "")];

fn names(res: &common::TestResponse) -> Vec<String> {
    res.json()["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

async fn anonymous_calls_are_refused(app: TestApp) {
    let mut client = app.client();
    let calls: [(&str, &[(&str, &str)]); 4] = [
        ("customers/list", FIRST_PAGE),
        ("customers/count", FIRST_PAGE),
        ("customers/sidebar", &[("filter", "")]),
        ("partners/list", &[]),
    ];
    for (endpoint, args) in calls {
        let res = client.call(endpoint, args).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        assert_eq!(res.error_kind(), "Unauthenticated");
    }
}

async fn partner_users_see_only_their_own_tenant(app: TestApp) {
    let mut acme = app.signed_in("viewer@acme.test").await;
    let res = acme.call("customers/list", FIRST_PAGE).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(names(&res), ["Alpha Bakery", "Bravo Dental", "Charlie Cafe"]);
    assert_eq!(res.json()["rows"][2]["network"], "Alpha Bakery");
    let sidebar = acme.call("customers/sidebar", &[("filter", "")]).await.json();
    assert_eq!(sidebar["total"], serde_json::json!({ "Exact": 2 }), "disabled customers are not in the sidebar");
    // Top level: the network (with its one active sub-account); the sub-account sits under it.
    assert_eq!(
        sidebar["customers"],
        serde_json::json!([{ "id": app.fixture.acme_customer, "name": "Alpha Bakery", "sub_accounts": 1 }])
    );
    let network = app.fixture.acme_customer.to_string();
    let subs = acme.call("customers/sidebar", &[("filter", ""), ("network", &network)]).await.json();
    assert_eq!(subs["customers"][0]["name"], "Charlie Cafe");
    let filtered = acme.call("customers/sidebar", &[("filter", "CAFE")]).await.json();
    assert_eq!(filtered["customers"].as_array().unwrap().len(), 1, "a filter searches every level: {filtered}");
    // Another tenant's network shows nothing of it.
    let globex_network = app.fixture.globex_customer.to_string();
    let foreign = acme.call("customers/sidebar", &[("filter", ""), ("network", &globex_network)]).await.json();
    assert_eq!(foreign["customers"], serde_json::json!([]));
}

async fn switching_into_another_partner_is_refused(app: TestApp) {
    let mut acme = app.signed_in("admin@acme.test").await;
    let globex = app.fixture.globex.to_string();
    let res = acme.call("switch-tenant", &[("tenant_id", &globex)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_kind(), "Forbidden");
    // Still Acme's customers only; Globex's never appear.
    let list = acme.call("customers/list", FIRST_PAGE).await;
    assert!(!names(&list).iter().any(|n| n.contains("Globex")));
}

async fn missing_permission_is_refused_with_a_clear_error(app: TestApp) {
    // A custom role with no permissions at all.
    let mut client = app.person("nobody@acme.test").with_role(Role::NoPermissions).signed_in().await;
    let res = client.call("customers/list", FIRST_PAGE).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["Forbidden"], "your role does not include customers.view");
}

async fn only_operators_list_partners(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    assert_eq!(admin.call("partners/list", &[]).await.status, StatusCode::FORBIDDEN);
    let mut operator = app.signed_in("op@platform.test").await;
    let res = operator.call("partners/list", &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    let partners = res.json();
    assert_eq!(partners.as_array().unwrap().len(), 2);
    assert_eq!(partners[0]["name"], "Acme Partners");
    assert_eq!(partners[0]["customers"], serde_json::json!({ "Exact": 3 }), "capped like the list's count");
}

async fn operators_may_work_in_any_tenant(app: TestApp) {
    let mut operator = app.signed_in("op@platform.test").await;
    let globex = app.fixture.globex.to_string();
    assert_eq!(operator.call("switch-tenant", &[("tenant_id", &globex)]).await.status, StatusCode::OK);
    let list = operator.call("customers/list", FIRST_PAGE).await;
    assert_eq!(names(&list), ["Globex Secret Customer"]);
    let info = operator.call("session", &[]).await.json();
    assert_eq!(info["is_operator"], true);
    assert_eq!(info["tenant"]["name"], "Globex");
    assert_eq!(info["permissions"].as_array().unwrap().len(), app::types::session::Permission::ALL.len());
    // A tenant that does not exist is refused, and nothing changes.
    assert_eq!(operator.call("switch-tenant", &[("tenant_id", "999999")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(operator.call("session", &[]).await.json()["tenant"]["name"], "Globex");
}

async fn bad_inputs_get_clear_errors(app: TestApp) {
    let mut client = app.signed_in("admin@acme.test").await;
    // A call missing its argument is refused with a clear error.
    let res = client.call("customers/list", &[]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");
    assert_eq!(res.error_kind(), "BadRequest");
    // Malformed view parameters fall back to sensible ones instead of failing.
    let res = client.call("customers/list", &[("query", "size=7&sort=shoe&status=zombie&after=x")]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["page_size"], 25);
    assert_eq!(names(&res).len(), 3);
    // A page link whose cursor no longer fits the sort is a clear error.
    let res = client.call("customers/list", &[("query", "sort=created&after=yesterday~5")]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

on_both_databases!(
    anonymous_calls_are_refused,
    partner_users_see_only_their_own_tenant,
    switching_into_another_partner_is_refused,
    missing_permission_is_refused_with_a_clear_error,
    only_operators_list_partners,
    operators_may_work_in_any_tenant,
    bad_inputs_get_clear_errors,
);
