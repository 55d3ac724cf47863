//! `server backup --to FILE` and the documented restore (docs/OPERATIONS.md): taken while the
//! server writes, restored, every table the same.

use crate::common::TestApp;
use app::backend::{Db, DbKind};
use http::StatusCode;
use serde_json::json;
use std::path::{Path, PathBuf};

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("clientele_backup_{:016x}_{name}", rand::random::<u64>()))
}

/// Runs the command as an operator would; returns what it printed.
async fn backup(app: &TestApp, to: &Path) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &app.database_url, "backup", "--to"])
        .arg(to)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run server backup")
}

/// Restores `file` the documented way into a new database; returns its URL.
async fn restore(app: &TestApp, file: &Path) -> String {
    match app.db.kind {
        // Stop the server, put the file in place of the database (no -wal or -shm beside it), start.
        DbKind::Sqlite => {
            let restored = temp_file("restored.db");
            std::fs::copy(file, &restored).expect("copy the backup into place");
            format!("sqlite://{}", restored.display())
        }
        // Into a new, empty database: pg_restore --no-owner --dbname=… FILE
        DbKind::Postgres => {
            use sqlx::{Connection, Executor};
            let name = format!("clientele_restored_{:016x}", rand::random::<u64>());
            let (base, _) = app.database_url.rsplit_once('/').unwrap();
            let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres")).await.expect("admin connection");
            admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
            let url = format!("{base}/{name}");
            let status = tokio::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", &format!("--dbname={url}")])
                .arg(file)
                .status()
                .await
                .expect("run pg_restore");
            assert!(status.success(), "pg_restore: {status}");
            url
        }
    }
}

/// Every table of both databases, compared row for row; returns the number of tables.
async fn assert_same_tables(kind: DbKind, original: &str, restored: &str) -> usize {
    use sqlx::{Connection, Row};
    match kind {
        DbKind::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(original).await.expect("original");
            let path = restored.trim_start_matches("sqlite://");
            sqlx::query("ATTACH DATABASE $1 AS restored").bind(path).execute(&mut conn).await.expect("attach");
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for table in &tables {
                let sql = "SELECT (SELECT COUNT(*) FROM main.{t}), (SELECT COUNT(*) FROM restored.{t}),
                                  (SELECT COUNT(*) FROM (SELECT * FROM main.{t} EXCEPT SELECT * FROM restored.{t})),
                                  (SELECT COUNT(*) FROM (SELECT * FROM restored.{t} EXCEPT SELECT * FROM main.{t}))"
                    .replace("{t}", &format!("\"{table}\""));
                let row = sqlx::query(&sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{table}: {e}"));
                let (a, b, only_a, only_b): (i64, i64, i64, i64) = (row.get(0), row.get(1), row.get(2), row.get(3));
                assert_eq!((a, only_a, only_b), (b, 0, 0), "table {table} differs");
            }
            tables.len()
        }
        DbKind::Postgres => {
            let digest = |url: String| async move {
                let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let mut digests = Vec::new();
                for table in tables {
                    let row = sqlx::query(&format!(
                        "SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
                    ))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                    digests.push((table, row.get::<i64, _>(0), row.get::<String, _>(1)));
                }
                digests
            };
            let (a, b) = (digest(original.to_string()).await, digest(restored.to_string()).await);
            assert_eq!(a, b, "the restored tables differ");
            a.len()
        }
    }
}

async fn a_backup_taken_while_serving_restores_every_table(app: TestApp) {
    let acme = app.fixture.acme;
    app.many_customers(acme, "Backup", 2_000).await;
    let field = app.custom_field(acme, "plan", app::types::field_config::CustomFieldKind::Text, &[]).await;
    app.custom_value(app.fixture.acme_customer, field, "gold").await;
    let mut admin = app.signed_in("admin@acme.test").await;

    // Online: a partner keeps creating customers while the backup runs.
    let online = temp_file("online.backup");
    let done = std::sync::atomic::AtomicBool::new(false);
    let create = |n: usize| json!({ "input": { "name": format!("During Backup {n}") }, "allow_duplicate_name": false });
    let writes = async {
        let mut n = 0;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            n += 1;
            assert_eq!(admin.call_json("customers/create", create(n)).await.status, StatusCode::OK);
        }
        n
    };
    let take = async {
        let out = backup(&app, &online).await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    };
    let (out, written) = tokio::join!(take, writes);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Backed up to "), "{out:?}");
    assert!(written > 0, "no write ran during the backup");
    let snapshot_url = restore(&app, &online).await;
    let snapshot = Db::connect(&snapshot_url).await.expect("the online backup opens");
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE name LIKE 'During Backup %'")
        .fetch_one(&snapshot.pool)
        .await
        .unwrap();
    assert!(taken <= written as i64, "a consistent moment: {taken} of {written}");

    // A backup never overwrites a file.
    let again = backup(&app, &online).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"), "{again:?}");

    // Quiet: restored, every table is the same, and the restored database takes new rows.
    let quiet = temp_file("quiet.backup");
    assert!(backup(&app, &quiet).await.status.success());
    let restored = restore(&app, &quiet).await;
    let original = match app.db.kind {
        DbKind::Sqlite => app.database_url.split('?').next().unwrap().to_string(),
        DbKind::Postgres => app.database_url.clone(),
    };
    let tables = assert_same_tables(app.db.kind, &original, &restored).await;
    assert!(tables >= 20, "compared only {tables} tables");
    let db = Db::connect(&restored).await.expect("the restored database opens");
    let mut conn = db.pool.acquire().await.unwrap();
    let customer = app::backend::seed::NewCustomer { name: "After Restore".into(), ..Default::default() };
    app::backend::seed::insert_customer(&mut conn, acme, &customer).await.expect("new rows after a restore");
    drop(conn);
    db.pool.close().await;
    snapshot.pool.close().await;
    forget(app.db.kind, &restored).await;
    forget(app.db.kind, &snapshot_url).await;
    for file in [online, quiet] {
        let _ = std::fs::remove_file(file);
    }
}

/// Removes a restored database.
async fn forget(kind: DbKind, url: &str) {
    use sqlx::{Connection, Executor};
    match kind {
        DbKind::Sqlite => {
            let _ = std::fs::remove_file(url.trim_start_matches("sqlite://"));
        }
        DbKind::Postgres => {
            let (base, name) = url.rsplit_once('/').unwrap();
            if let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{base}/postgres")).await {
                let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
            }
        }
    }
}

on_both_databases!(a_backup_taken_while_serving_restores_every_table);
