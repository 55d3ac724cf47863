//! Customer exports (issue 13, PRODUCT.md §9) on both databases: exactly the view's customers,
//! every column, neutralised formulas, scoped to the tenant, audited.

use crate::common::{Client, TestApp, TestResponse};
use app::types::field_config::CustomFieldKind;
use http::{header, StatusCode};

async fn export(client: &mut Client<'_>, query: &str) -> TestResponse {
    client.get(&format!("/customers/export.csv{query}")).await
}

/// The CSV's rows as records (header first).
fn records(res: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let body = res.body.trim_start_matches('\u{feff}');
    csv::Reader::from_reader(body.as_bytes())
        .into_records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn header_of(res: &TestResponse) -> Vec<String> {
    let body = res.body.trim_start_matches('\u{feff}');
    csv::Reader::from_reader(body.as_bytes()).headers().unwrap().iter().map(String::from).collect()
}

fn column(res: &TestResponse, name: &str) -> Vec<String> {
    let at = header_of(res).iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    records(res).into_iter().map(|r| r[at].clone()).collect()
}

async fn the_export_holds_exactly_the_views_customers_with_every_column(app: TestApp) {
    let tier = app.custom_field(app.fixture.acme, "tier", CustomFieldKind::Text, &[]).await;
    app.custom_value(app.fixture.acme_customer, tier, "Gold").await;
    let mut admin = app.signed_in("admin@acme.test").await;

    let all = export(&mut admin, "").await;
    assert_eq!(all.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = all.headers[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"customers-acme-20"), "{disposition}");
    assert_eq!(all.headers["x-export-rows"], "3");
    assert_eq!(column(&all, "name"), ["Alpha Bakery", "Bravo Dental", "Charlie Cafe"]);
    let header = header_of(&all);
    for name in [
        "id",
        "status",
        "status_changed_at",
        "street",
        "country",
        "contact_email",
        "network",
        "custom.tier",
        "created_at",
        "updated_by",
    ] {
        assert!(header.contains(&name.to_string()), "{name} in {header:?}");
    }
    assert_eq!(column(&all, "custom.tier"), ["Gold", "", ""]);
    assert_eq!(column(&all, "network"), ["", "", "Alpha Bakery"]);
    assert_eq!(column(&all, "status"), ["active", "disabled", "active"]);
    assert!(!all.body.contains("Globex"), "another tenant's customers never appear");
    assert!(!all.body.starts_with('\u{feff}'));

    // The view's search and filters, all pages; or the ticked customers.
    assert_eq!(column(&export(&mut admin, "?status=active").await, "name"), ["Alpha Bakery", "Charlie Cafe"]);
    assert_eq!(column(&export(&mut admin, "?q=bravo").await, "name"), ["Bravo Dental"]);
    let alpha = app.fixture.acme_customer;
    assert_eq!(column(&export(&mut admin, &format!("?ids={alpha}")).await, "name"), ["Alpha Bakery"]);
    // Another tenant's ids export nothing of it.
    let foreign = export(&mut admin, &format!("?ids={}", app.fixture.globex_customer)).await;
    assert_eq!(records(&foreign).len(), 0);
    assert_eq!(header_of(&foreign)[0], "id", "even an empty export has its header");
    // Compressed on the way out like every page (the stream must end cleanly under the layer).
    let zipped = admin.get_with("/customers/export.csv", "accept-encoding", "gzip").await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.headers[header::CONTENT_ENCODING], "gzip");
    // A byte-order mark for spreadsheets, when asked.
    assert!(export(&mut admin, "?bom=1").await.body.starts_with('\u{feff}'));
    // Bad selections are refused with a reason.
    let res = export(&mut admin, "?ids=1,abc").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{res:?}");

    // Who exported what, and how many.
    let (rows, filters) = (
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.export'").await,
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.export' AND changes LIKE '%status=active%' AND changes LIKE '%\"rows\":[null,2]%'").await,
    );
    assert_eq!((rows, filters), (7, 1));
}

async fn cells_that_a_spreadsheet_would_run_are_neutralised(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    for name in ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "@SUM(A1)", "-3"] {
        let res = admin
            .call_json(
                "customers/create",
                serde_json::json!({ "input": { "name": name, "city": "=cmd|' /C calc'!A0" }, "allow_duplicate_name": false }),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{name}: {res:?}");
    }
    let res = export(&mut admin, "?q=cmd").await;
    for name in column(&res, "name") {
        assert!(name.starts_with('\''), "{name}");
    }
    for city in column(&res, "city") {
        assert_eq!(city, "'=cmd|' /C calc'!A0");
    }
}

async fn only_those_who_may_export_get_a_file(app: TestApp) {
    let mut anonymous = app.client();
    assert_eq!(export(&mut anonymous, "").await.status, StatusCode::UNAUTHORIZED);
    let mut viewer = app.signed_in("viewer@acme.test").await;
    let res = export(&mut viewer, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    assert!(!res.body.contains("Alpha"));
    let mut operator = app.signed_in("op@platform.test").await;
    assert_eq!(export(&mut operator, "").await.status, StatusCode::OK);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.export'").await, 1);
}

async fn one_accounts_export_holds_everything_about_it_and_no_link(app: TestApp) {
    use super::customer_users::{active_user, invite, ok};
    let alpha = app.fixture.acme_customer;
    let tier = app.custom_field(app.fixture.acme, "tier", CustomFieldKind::Text, &[]).await;
    app.custom_value(alpha, tier, "Gold").await;
    active_user(&app, alpha, "dana@example.com", "Owner").await;
    let mut admin = app.signed_in("admin@acme.test").await;
    ok(&invite(&mut admin, alpha, "Eve Pending", "eve@example.com", "Member", false).await);
    let edited = admin
        .call_json("customers/update", serde_json::json!({ "id": alpha, "version": 1, "input": { "name": "Alpha Bakery", "city": "Hamburg", "country": "DE", "custom": { "tier": "Gold" } }, "allow_duplicate_name": false }))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{edited:?}");

    let res = admin.get(&format!("/customers/{alpha}/export")).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/json");
    assert!(res.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&format!("customer-{alpha}-")));
    let json = res.json();
    assert_eq!(json["customer"]["name"], "Alpha Bakery");
    assert_eq!(json["customer"]["fields"]["city"], "Hamburg");
    assert_eq!(json["customer"]["custom"]["tier"], "Gold");
    assert_eq!(json["sub_accounts"][0]["name"], "Charlie Cafe");
    let users = json["users"].as_array().unwrap();
    let states: Vec<(&str, &str)> =
        users.iter().map(|u| (u["email"].as_str().unwrap(), u["state"].as_str().unwrap())).collect();
    assert!(states.contains(&("dana@example.com", "Active")), "{states:?}");
    assert!(states.contains(&("eve@example.com", "Invited")), "{states:?}");
    let eve = users.iter().find(|u| u["email"] == "eve@example.com").unwrap();
    assert!(!eve["invitation_expires_at"].as_str().unwrap().is_empty());
    let emails = json["emails"].as_array().unwrap();
    assert!(
        emails.iter().any(|e| e["to"] == "eve@example.com" && !e["subject"].as_str().unwrap().is_empty()),
        "{emails:?}"
    );
    assert!(json["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "customer.update" && e["changes"]["city"][1] == "Hamburg"));
    assert!(!res.body.contains("token="), "no link or token is ever exported");
    assert!(!res.body.contains("Globex"));

    let flat = admin.get(&format!("/customers/{alpha}/export?format=csv")).await;
    assert_eq!(flat.status, StatusCode::OK);
    let rows = records(&flat);
    assert!(rows.contains(&vec!["customer".into(), "".into(), "name".into(), "Alpha Bakery".into()]), "{rows:?}");
    assert!(rows.contains(&vec!["customer".into(), "custom".into(), "tier".into(), "Gold".into()]));
    assert!(rows.iter().any(|r| r[0] == "users" && r[2] == "email" && r[3] == "eve@example.com"));
    assert!(!flat.body.contains("token="));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.export_account'").await, 2);

    // Another tenant's account, or none: as if it did not exist; a viewer is refused.
    assert_eq!(
        admin.get(&format!("/customers/{}/export", app.fixture.globex_customer)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(admin.get("/customers/999999/export").await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get("/customers/x/export").await.status, StatusCode::NOT_FOUND);
    let mut viewer = app.signed_in("viewer@acme.test").await;
    assert_eq!(viewer.get(&format!("/customers/{alpha}/export")).await.status, StatusCode::FORBIDDEN);
}

async fn the_customer_users_export_lists_every_membership_of_this_partner(app: TestApp) {
    use super::customer_users::{active_user, invite, ok};
    let alpha = app.fixture.acme_customer;
    active_user(&app, alpha, "dana@example.com", "Owner").await;
    app.person("gus@globex-customer.test")
        .customer_user(app.fixture.globex_customer, app::types::customer_users::AccountRole::Owner)
        .create()
        .await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let charlie = app.scalar("SELECT id FROM customers WHERE name = 'Charlie Cafe'").await;
    ok(&invite(&mut admin, charlie, "=Eve Formula", "eve@example.com", "Member", true).await);

    let res = admin.get("/customers/users-export.csv").await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert!(res.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("customer-users-acme-"));
    assert_eq!(
        header_of(&res),
        [
            "email",
            "name",
            "account_id",
            "account",
            "role",
            "state",
            "invited_at",
            "activated_at",
            "last_sign_in_at",
            "terms_accepted_at",
            "privacy_accepted_at",
            "marketing",
            "marketing_at"
        ]
    );
    let rows = records(&res);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let dana = rows.iter().find(|r| r[0] == "dana@example.com").unwrap();
    assert_eq!(
        (dana[1].as_str(), dana[3].as_str(), dana[4].as_str(), dana[5].as_str()),
        ("Dana Diaz", "Alpha Bakery", "Owner", "Active")
    );
    assert!(!dana[8].is_empty(), "an active user's last sign-in");
    let eve = rows.iter().find(|r| r[0] == "eve@example.com").unwrap();
    assert_eq!((eve[1].as_str(), eve[5].as_str(), eve[8].as_str()), ("'=Eve Formula", "Invited", ""));
    assert!(!res.body.contains("gus@globex"), "another partner's users never appear");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer_user.export'").await, 1);
    let mut viewer = app.signed_in("viewer@acme.test").await;
    assert_eq!(viewer.get("/customers/users-export.csv").await.status, StatusCode::FORBIDDEN);
}

/// The file of a filtered view holds exactly the rows the list shows for it, page after page.
async fn the_export_of_a_filtered_view_equals_the_lists_pages(app: TestApp) {
    use app::types::customers::query::CustomerQuery;
    use app::types::customers::CustomerPage;
    let mut conn = app.db.pool.acquire().await.unwrap();
    for n in 1..=60 {
        let customer = app::backend::seed::NewCustomer {
            name: format!("Zeta Works {n:02}"),
            city: Some(if n % 3 == 0 { "Lyon" } else { "Berlin" }.into()),
            country: Some("DE".into()),
            disabled: n % 7 == 0,
            ..Default::default()
        };
        app::backend::seed::insert_customer(&mut conn, app.fixture.acme, &customer).await.unwrap();
    }
    drop(conn);
    let mut admin = app.signed_in("admin@acme.test").await;
    let view = "q=zeta&city=Berlin&status=active&size=25";
    let mut listed = Vec::new();
    let mut query = CustomerQuery::from_query_string(view);
    loop {
        let res = admin.call("customers/list", &[("query", &query.to_query_string())]).await;
        let page: CustomerPage = serde_json::from_str(&res.body).unwrap();
        listed.extend(page.rows.iter().map(|r| r.id.to_string()));
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    assert!(listed.len() > 25, "more than one page: {}", listed.len());
    let mut exported = column(&export(&mut admin, &format!("?{view}")).await, "id");
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_by_key(|id| id.parse::<i64>().unwrap());
    exported.sort_by_key(|id| id.parse::<i64>().unwrap());
    assert_eq!(exported, listed_sorted);
}

on_both_databases!(
    the_export_of_a_filtered_view_equals_the_lists_pages,
    the_customer_users_export_lists_every_membership_of_this_partner,
    one_accounts_export_holds_everything_about_it_and_no_link,
    the_export_holds_exactly_the_views_customers_with_every_column,
    cells_that_a_spreadsheet_would_run_are_neutralised,
    only_those_who_may_export_get_a_file
);
