//! The customer list's search, filters, sorting and keyset paging, on both databases.

use crate::common;
use app::backend::seed::{insert_customer, NewCustomer};
use common::{TestApp, TestResponse};
use http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const CITIES: [(&str, &str); 5] =
    [("Berlin", "DE"), ("Paris", "FR"), ("Lyon", "FR"), ("Austin", "US"), ("Zürich", "CH")];
const SURNAMES: [&str; 4] = ["Smith", "Schmidt", "Nowak", "Müller"];
const DAY: i64 = 86_400;
/// 2024-01-01T00:00:00Z
const START: i64 = 1_704_067_200;

/// 137 customers for Acme with repeated names, cities and dates (so ties must be broken by id),
/// some without a city or country, and a network with sub-accounts.
async fn seed_list(app: &TestApp) -> i64 {
    let mut rng = StdRng::seed_from_u64(7);
    let mut conn = app.db.pool.acquire().await.unwrap();
    let network = insert_customer(
        &mut conn,
        app.fixture.acme,
        &NewCustomer { name: "Zeta Network".into(), ..Default::default() },
    )
    .await
    .unwrap();
    for i in 0..133 {
        let (city, country) = CITIES[rng.gen_range(0..CITIES.len())];
        let blank = i % 17 == 0;
        let customer = NewCustomer {
            name: format!("Shop {}", rng.gen_range(0..40)),
            city: (!blank).then(|| city.to_string()),
            country: (!blank).then(|| country.to_string()),
            contact_first_name: Some("Kim".into()),
            contact_last_name: Some(SURNAMES[i % SURNAMES.len()].into()),
            contact_email: Some(format!("kim{i}@shop.test")),
            disabled: i % 5 == 0,
            parent_id: (i % 11 == 0).then_some(network),
            created_at: Some(START + rng.gen_range(0..30) * DAY),
            ..Default::default()
        };
        insert_customer(&mut conn, app.fixture.acme, &customer).await.unwrap();
    }
    network
}

fn rows(res: &TestResponse) -> Vec<Value> {
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    res.json()["rows"].as_array().unwrap().clone()
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn cursor_token(cursor: &Value) -> String {
    format!("{}~{}", cursor["key"].as_str().unwrap(), cursor["id"].as_i64().unwrap())
}

/// Every matching row, in the expected order, fetched in one large page.
async fn everything(client: &mut common::Client<'_>, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let q = match &after {
            Some(c) => format!("{query}&size=100&after={c}"),
            None => format!("{query}&size=100"),
        };
        let res = client.call("customers/list", &[("query", &q)]).await;
        all.extend(rows(&res));
        match res.json()["next"].as_object() {
            Some(_) => after = Some(cursor_token(&res.json()["next"])),
            None => return all,
        }
    }
}

async fn filters_combine_and_match_exactly(app: TestApp) {
    let network = seed_list(&app).await;
    let mut client = app.signed_in("viewer@acme.test").await;
    let all = everything(&mut client, "").await;
    assert_eq!(all.len(), 137, "3 fixture customers + the network + 133");

    let check = |query: &'static str, keep: &dyn Fn(&Value) -> bool| {
        let expected: Vec<i64> = ids(&all.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>());
        (query, expected)
    };
    let cases = vec![
        check("status=disabled", &|r| r["status"] == "Disabled"),
        check("country=FR", &|r| r["country"] == "FR"),
        check("country=FR,CH", &|r| r["country"] == "FR" || r["country"] == "CH"),
        check("city=Lyon&status=active", &|r| r["city"] == "Lyon" && r["status"] == "Active"),
        check("q=SCHMI", &|r| r["contact_name"].as_str().unwrap().contains("Schmidt")),
        check("q=müller&country=CH", &|r| {
            r["contact_name"].as_str().unwrap().contains("Müller") && r["country"] == "CH"
        }),
        check("q=kim12%40shop", &|r| r["contact_email"] == "kim12@shop.test"),
        check("q=zürich", &|r| r["city"] == "Zürich"),
        // Every term must match, in any order; short terms (no trigram) are matched too.
        check("q=lyon+schmidt", &|r| r["city"] == "Lyon" && r["contact_name"].as_str().unwrap().contains("Schmidt")),
        // Terms under 3 characters match the start of a word: Lyon, not Italy.
        check("q=ly+SCH", &|r| {
            let text =
                format!("{} {} {} {}", r["name"], r["contact_name"], r["contact_email"], r["city"]).to_lowercase();
            text.split_whitespace().any(|w| w.trim_matches('"').starts_with("ly")) && text.contains("sch")
        }),
        check("q=ch", &|r| {
            let text =
                format!("{} {} {} {}", r["name"], r["contact_name"], r["contact_email"], r["city"]).to_lowercase();
            text.split(|c: char| c.is_whitespace() || c == '"').any(|w| w.starts_with("ch"))
        }),
        check("q=\"op 3", &|_| false),
        check("q=100%25", &|_| false),
        check("from=2024-01-05&to=2024-01-10", &|r| {
            let at = r["created_at"].as_i64().unwrap();
            (START + 4 * DAY..START + 10 * DAY).contains(&at)
        }),
    ];
    for (query, expected) in cases {
        let got = ids(&everything(&mut client, query).await);
        assert_eq!(got, expected, "query {query}");
        let count = client.call("customers/count", &[("query", query)]).await.json();
        assert_eq!(count, serde_json::json!({ "Exact": expected.len() }), "count for {query}");
    }
    let subs = everything(&mut client, &format!("network={network}")).await;
    assert_eq!(subs.len(), 13);
    assert!(subs.iter().all(|r| r["network"] == "Zeta Network"));
    // Another tenant's network id finds nothing here.
    let foreign = everything(&mut client, &format!("network={}", app.fixture.globex_customer)).await;
    assert!(foreign.is_empty());
}

fn sort_key(row: &Value, field: &str) -> String {
    match field {
        "created" => format!("{:012}", row["created_at"].as_i64().unwrap()),
        "status" => row["status"].as_str().unwrap().to_lowercase(),
        other => row[other].as_str().unwrap_or("").to_string(),
    }
}

async fn keyset_pages_walk_the_whole_sorted_list_both_ways(app: TestApp) {
    seed_list(&app).await;
    let mut client = app.signed_in("viewer@acme.test").await;
    for field in ["name", "country", "city", "status", "created"] {
        for desc in [false, true] {
            let base = format!("sort={field}{}", if desc { "&dir=desc" } else { "" });
            // Expected: every row ordered by (key, id) as the database collates text (byte order here).
            let mut expected = everything(&mut client, "status=active").await;
            expected.extend(everything(&mut client, "status=disabled").await);
            expected.sort_by(|a, b| {
                let ord = (sort_key(a, field), a["id"].as_i64()).cmp(&(sort_key(b, field), b["id"].as_i64()));
                if desc {
                    ord.reverse()
                } else {
                    ord
                }
            });

            let mut pages: Vec<Vec<i64>> = Vec::new();
            let mut query = format!("{base}&size=25");
            loop {
                let res = client.call("customers/list", &[("query", &query)]).await;
                let page = ids(&rows(&res));
                assert!(page.len() <= 25);
                pages.push(page);
                match res.json()["next"].as_object() {
                    Some(_) => query = format!("{base}&size=25&after={}", cursor_token(&res.json()["next"])),
                    None => break,
                }
            }
            let walked: Vec<i64> = pages.concat();
            assert_eq!(walked, ids(&expected), "forward walk, {base}");

            // And back again from the last page with `prev` cursors.
            let mut back = vec![pages.last().unwrap().clone()];
            let mut res = client.call("customers/list", &[("query", &query)]).await;
            while res.json()["prev"].as_object().is_some() {
                let prev = format!("{base}&size=25&before={}", cursor_token(&res.json()["prev"]));
                res = client.call("customers/list", &[("query", &prev)]).await;
                back.push(ids(&rows(&res)));
            }
            back.reverse();
            assert_eq!(back, pages, "backward walk, {base}");
        }
    }
}

/// Every way the SQL can reach the rows (index-driven or walking, on SQLite) finds the same
/// customers. At test sizes the list always picks the index; this checks the other paths too.
async fn every_access_path_finds_the_same_customers(app: TestApp) {
    use app::backend::customers::sql::{push_from_where, Access, SearchVia};
    use app::backend::sql::Sql;
    use app::types::customers::query::CustomerQuery;
    use app::types::field_config::CustomFieldKind;
    use sqlx::Row;
    seed_list(&app).await;
    let tenant = app.fixture.acme;
    // A choice field with a value on two customers in three, and another partner's field of the
    // same key that must never match.
    for t in [tenant, app.fixture.globex] {
        let field = app.custom_field(t, "tier", CustomFieldKind::Choice, &["Gold", "Silver"]).await;
        let customers = sqlx::query(&format!("SELECT id FROM customers WHERE tenant_id = {t}"))
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>("id"))
            .collect::<Vec<_>>();
        for id in customers.into_iter().filter(|id| id % 3 != 2) {
            app.custom_value(id, field, if id % 3 == 0 { "Gold" } else { "Silver" }).await;
        }
    }
    let found = |query: &str, access: Access| {
        let q = CustomerQuery::from_query_string(query);
        let db = app.db.clone();
        async move {
            let mut sql = Sql::default();
            sql.push("SELECT c.id");
            push_from_where(&mut sql, db.kind, tenant, &q, access);
            sql.push(" ORDER BY c.id");
            sql.query().fetch_all(&db.pool).await.unwrap().iter().map(|r| r.get::<i64, _>("id")).collect::<Vec<_>>()
        }
    };
    for query in [
        "q=schmi",
        "q=ly+SCH",
        "q=ch",
        "q=s+kim",
        "q=müller&country=CH",
        "country=FR&status=active",
        "city=Lyon&q=kim",
        "q=%22op+3",
        "f.tier=Gold",
        "f.tier=Silver&country=FR&q=s",
    ] {
        let expected = found(query, Access::INDEXED).await;
        for search in [SearchVia::Index, SearchVia::Scan] {
            for place_index in [true, false] {
                for fields_index in [true, false] {
                    let access = Access { search, place_index, fields_index };
                    assert_eq!(found(query, access).await, expected, "{query} via {access:?}");
                }
            }
        }
        if query != "q=%22op+3" {
            assert!(!expected.is_empty(), "{query} should match something");
        }
    }
}

/// Filtered pages, forwards and back, hold exactly the filter's matches in the sort order. On
/// PostgreSQL each page is first sought by walking the sort order (`customers::list`), and
/// the last pages, which the walk cannot fill, by the filters' indexes: both must agree.
async fn filtered_pages_follow_the_sort_order(app: TestApp) {
    use app::backend::customers::sql::{push_from_where, Access};
    use app::backend::sql::Sql;
    use app::types::customers::query::CustomerQuery;
    use sqlx::Row;
    seed_list(&app).await;
    let mut client = app.signed_in("viewer@acme.test").await;
    for filter in ["country=DE,FR", "q=kim", "city=Lyon&q=kim", "q=s&status=active", "q=müller"] {
        for (sort, order) in [("", "c.name, c.id"), ("&sort=created&dir=desc", "c.created_at DESC, c.id DESC")] {
            let mut sql = Sql::default();
            sql.push("SELECT c.id");
            push_from_where(
                &mut sql,
                app.db.kind,
                app.fixture.acme,
                &CustomerQuery::from_query_string(filter),
                Access::INDEXED,
            );
            sql.push(&format!(" ORDER BY {order}"));
            let expected: Vec<i64> =
                sql.query().fetch_all(&app.db.pool).await.unwrap().iter().map(|r| r.get("id")).collect();
            assert!(!expected.is_empty(), "{filter} should match something");

            let base = format!("{filter}{sort}&size=10");
            let mut pages: Vec<Vec<i64>> = Vec::new();
            let mut query = base.clone();
            loop {
                let res = client.call("customers/list", &[("query", &query)]).await;
                pages.push(ids(&rows(&res)));
                match res.json()["next"].as_object() {
                    Some(_) => query = format!("{base}&after={}", cursor_token(&res.json()["next"])),
                    None => break,
                }
            }
            assert_eq!(pages.concat(), expected, "forward, {base}");
            let mut back = vec![pages.last().unwrap().clone()];
            let mut res = client.call("customers/list", &[("query", &query)]).await;
            while res.json()["prev"].as_object().is_some() {
                let prev = format!("{base}&before={}", cursor_token(&res.json()["prev"]));
                res = client.call("customers/list", &[("query", &prev)]).await;
                back.push(ids(&rows(&res)));
            }
            back.reverse();
            assert_eq!(back, pages, "backward, {base}");
        }
    }
}

on_both_databases!(
    filters_combine_and_match_exactly,
    keyset_pages_walk_the_whole_sorted_list_both_ways,
    every_access_path_finds_the_same_customers,
    filtered_pages_follow_the_sort_order
);
