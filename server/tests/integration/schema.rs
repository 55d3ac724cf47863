//! The two migration dialects must describe one schema: the same tables and columns, the same
//! indexes and the same triggers, but for the few differences listed here with their reasons.

use crate::common;
use common::TestApp;
use sqlx::Row;
use std::collections::BTreeSet;

/// Indexes and triggers only one dialect has, each for a reason of that engine.
const SQLITE_ONLY: [&str; 3] = [
    // The FTS5 table `customers_search` is kept in step with `customers.search_text` by
    // triggers; PostgreSQL indexes the column itself (trigram index below).
    "trigger customers DELETE",
    "trigger customers INSERT",
    "trigger customers UPDATE",
];
const POSTGRES_ONLY: [&str; 2] = [
    // Search: a trigram index on customers.search_text (SQLite: the FTS5 table above).
    "index customers.customers_search_trgm",
    // Tenant check of a customer id without a heap fetch; SQLite's rowid lookup already is one
    // (migration 0007).
    "index customers.customers_id_tenant",
];

async fn strings(app: &TestApp, sql: &str) -> BTreeSet<String> {
    sqlx::query(sql).fetch_all(&app.db.pool).await.expect(sql).iter().map(|r| r.get::<String, _>(0)).collect()
}

/// What is in `a` and not in `b`.
fn minus(a: &BTreeSet<String>, b: &BTreeSet<String>) -> BTreeSet<String> {
    a.difference(b).cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn sqlite_and_postgres_migrations_define_the_same_columns() {
    common::run(same_columns());
}

async fn same_columns() {
    let sqlite = TestApp::sqlite().await;
    let postgres = TestApp::postgres().await;
    let sqlite_columns = strings(
        &sqlite,
        "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
           -- SQLite's full-text index and its shadow tables (PostgreSQL indexes the column itself).
           AND m.name NOT LIKE 'customers_search%'",
    )
    .await;
    let postgres_columns = strings(
        &postgres,
        "SELECT table_name::text || '.' || column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .await;
    assert!(sqlite_columns.len() > 50, "{sqlite_columns:?}");
    assert_eq!(sqlite_columns, postgres_columns);
}

#[test]
fn sqlite_and_postgres_migrations_define_the_same_indexes_and_triggers() {
    common::run(same_indexes_and_triggers());
}

async fn same_indexes_and_triggers() {
    let sqlite = TestApp::sqlite().await;
    let postgres = TestApp::postgres().await;
    // Indexes by table and name; those that only back a primary key or UNIQUE constraint are
    // named by the engine and compared through the columns test instead.
    let mut sqlite_objects = strings(
        &sqlite,
        "SELECT 'index ' || tbl_name || '.' || name FROM sqlite_master
         WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' AND tbl_name NOT LIKE 'customers_search%'",
    )
    .await;
    let mut postgres_objects = strings(
        &postgres,
        "SELECT 'index ' || tablename || '.' || indexname FROM pg_indexes
         WHERE schemaname = 'public' AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    )
    .await;
    // Triggers by table and event: PostgreSQL names one trigger for several events.
    for (table, name, sql) in sqlx::query("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        .fetch_all(&sqlite.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1), r.get::<String, _>(2)))
    {
        let upper = sql.to_uppercase();
        let event = ["INSERT", "UPDATE", "DELETE"]
            .into_iter()
            .find(|e| upper.contains(&format!(" {e} ON ")) || upper.contains(&format!(" {e} OF ")))
            .unwrap_or_else(|| panic!("trigger {name}: no event in {sql}"));
        sqlite_objects.insert(format!("trigger {table} {event}"));
    }
    postgres_objects.extend(
        strings(
            &postgres,
            "SELECT DISTINCT 'trigger ' || event_object_table::text || ' ' || event_manipulation::text
             FROM information_schema.triggers WHERE trigger_schema = 'public'",
        )
        .await,
    );
    assert!(sqlite_objects.len() > 20, "{sqlite_objects:?}");
    assert_eq!(minus(&sqlite_objects, &postgres_objects), set(&SQLITE_ONLY), "only in SQLite");
    assert_eq!(minus(&postgres_objects, &sqlite_objects), set(&POSTGRES_ONLY), "only in PostgreSQL");
}

/// The server's statistics refresh (at start and every `--statistics-minutes`) gives
/// PostgreSQL's planner statistics for a table that has none, as right after a bulk load or a
/// restore, without waiting for autovacuum.
async fn refresh_analyses_tables_without_statistics() {
    let app = TestApp::postgres().await;
    for i in 0..200 {
        app.customer(app.fixture.acme, &format!("Customer {i:03}")).await;
    }
    let analysed = "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'customers'";
    let columns: i64 = sqlx::query_scalar(analysed).fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(columns, 0, "a new table has no statistics yet");
    app.db.refresh_statistics().await.unwrap();
    let columns: i64 = sqlx::query_scalar(analysed).fetch_one(&app.db.pool).await.unwrap();
    assert!(columns > 10, "customers analysed: statistics for {columns} columns");
}

#[test]
fn refresh_gives_postgres_statistics_where_there_are_none() {
    common::run(refresh_analyses_tables_without_statistics());
}
