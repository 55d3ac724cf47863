//! The two migration dialects must describe one schema: same tables, same columns.

mod common;
use common::TestApp;
use sqlx::Row;
use std::collections::BTreeSet;

async fn columns(app: &TestApp, sql: &str) -> BTreeSet<String> {
    sqlx::query(sql)
        .fetch_all(&app.db.pool)
        .await
        .expect(sql)
        .iter()
        .map(|r| format!("{}.{}", r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_define_the_same_columns() {
    common::run(same_columns());
}

async fn same_columns() {
    let sqlite = TestApp::sqlite().await;
    let postgres = TestApp::postgres().await;
    let sqlite_columns = columns(
        &sqlite,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
           -- SQLite's full-text index and its shadow tables (PostgreSQL indexes the column itself).
           AND m.name NOT LIKE 'customers_search%'",
    )
    .await;
    let postgres_columns = columns(
        &postgres,
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .await;
    assert!(sqlite_columns.len() > 50, "{sqlite_columns:?}");
    assert_eq!(sqlite_columns, postgres_columns);
}
