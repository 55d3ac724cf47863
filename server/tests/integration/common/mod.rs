//! Test harness: the real application router over a fresh database per test, on SQLite and on
//! PostgreSQL, driven through HTTP requests in-process (no sockets, no browser).
#![allow(dead_code)]

pub mod client;
mod fixtures;
pub mod process;

pub use client::{Client, TestResponse};
use fixtures::fixture_ids;
pub use fixtures::{PersonBuilder, Role};

use app::backend::{seed, AppState, Db, MailConfig, SecurityConfig};
use app::types::field_config::CustomFieldKind;
use axum::Router;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;

pub const PASSWORD: &str = "pw-correct-horse";

/// One tokio runtime for the whole test binary, as in production. Leptos keeps its task
/// executor in a process-wide global; with a runtime per test (`#[tokio::test]`), a server-side
/// render could park on one runtime while its wake-up went to another, and hang.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
    })
}

/// Runs a test body on the shared runtime, failing it (rather than hanging the suite) after a minute.
pub fn run<F: std::future::Future<Output = ()> + Send + 'static>(body: F) {
    runtime().block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(60), tokio::spawn(body))
            .await
            .expect("test timed out after 60 s")
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()))
    })
}

/// Runs each listed `async fn name(app: TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test]
               fn $name() { $crate::common::run(async { super::$name($crate::common::TestApp::sqlite().await).await }) } )*
        }
        mod postgres {
            $( #[test]
               fn $name() { $crate::common::run(async { super::$name($crate::common::TestApp::postgres().await).await }) } )*
        }
    };
}

/// The ids the standard fixture creates.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    pub acme: i64,
    pub globex: i64,
    pub acme_customer: i64,
    pub globex_customer: i64,
}

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    /// Where `db` is, for server processes started on it.
    pub database_url: String,
    pub fixture: Fixture,
    state: AppState,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

/// Email kept in the development mailbox, links pointing at the test host.
pub fn test_mail() -> MailConfig {
    MailConfig { public_url: "http://clientele.test".into(), ..MailConfig::default() }
}

fn unique_name() -> String {
    format!("clientele_t_{:016x}", rand::random::<u64>())
}

/// Every test starts from the schema and the standard fixture, built once rather than per test:
/// migrating and hashing the fixture's passwords were most of a test's start. On SQLite a
/// migrated, seeded file is copied; on PostgreSQL a template database is cloned
/// (`CREATE DATABASE … TEMPLATE`). The fixture's ids are read back from each copy.
mod template {
    use super::{fixtures::standard_fixture, postgres_admin_url, unique_name};
    use app::backend::Db;
    use std::path::{Path, PathBuf};
    use tokio::sync::OnceCell;

    /// A digest of what a template holds (the migrations and the fixture's source), so a
    /// PostgreSQL template kept from an earlier run is used only while it is still the same.
    fn fingerprint() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("../migrations/postgres"))
            .expect("the migrations")
            .map(|e| e.expect("a migration").path())
            .collect();
        files.sort();
        files.push(root.join("tests/integration/common/fixtures.rs"));
        // FNV-1a: stable from run to run and compiler to compiler, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for file in files {
            for byte in std::fs::read(&file).expect("readable") {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// The migrated, seeded SQLite file for the current migrations and fixture, kept in the
    /// temporary directory between runs (built aside and renamed in place when missing).
    pub(super) async fn sqlite() -> &'static Path {
        static FILE: OnceCell<PathBuf> = OnceCell::const_new();
        FILE.get_or_init(|| async {
            let path = std::env::temp_dir().join(format!("clientele_tpl_{}.db", fingerprint()));
            if path.exists() {
                return path;
            }
            let building = std::env::temp_dir().join(format!("{}.db", unique_name()));
            let db = Db::connect(&format!("sqlite://{}?mode=rwc", building.display())).await.expect("sqlite template");
            standard_fixture(&db).await;
            // Everything in the main file, so that copying it copies all.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&db.pool).await.expect("checkpoint");
            db.pool.close().await;
            std::fs::rename(&building, &path).expect("name the template");
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
            }
            path
        })
        .await
    }

    /// The name of the PostgreSQL template database for the current migrations and fixture,
    /// made (once, whichever test process gets there first) when missing.
    pub(super) async fn postgres() -> &'static str {
        static NAME: OnceCell<String> = OnceCell::const_new();
        NAME.get_or_init(|| async {
            use sqlx::{Connection, Executor, Row};
            let admin_url = postgres_admin_url();
            let name = format!("clientele_tpl_{}", fingerprint());
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is required for these tests and is unreachable at {admin_url}: {e}")
            });
            // One builder at a time across test processes.
            admin.execute("SELECT pg_advisory_lock(7215001)").await.expect("template lock");
            let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut admin)
                .await
                .expect("pg_database")
                .is_some();
            if !exists {
                // Templates of older migrations go; the new one is built aside and renamed in
                // place whole, so nobody clones a half-made one.
                for row in sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'clientele_tpl_%'")
                    .fetch_all(&mut admin)
                    .await
                    .expect("old templates")
                {
                    let old: String = row.get("datname");
                    admin.execute(format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)").as_str()).await.ok();
                }
                let building = unique_name();
                admin.execute(format!("CREATE DATABASE {building}").as_str()).await.expect("create template");
                let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
                let db = Db::connect(&format!("{base}/{building}")).await.expect("postgres template");
                standard_fixture(&db).await;
                db.pool.close().await;
                admin
                    .execute(format!("ALTER DATABASE {building} RENAME TO {name}").as_str())
                    .await
                    .expect("name the template");
            }
            admin.execute("SELECT pg_advisory_unlock(7215001)").await.expect("template unlock");
            admin.close().await.ok();
            name
        })
        .await
    }
}

/// PostgreSQL to create test databases on. Tests never skip silently: an unreachable server
/// fails them (set CLIENTELE_TEST_POSTGRES_URL to point elsewhere).
fn postgres_admin_url() -> String {
    std::env::var("CLIENTELE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::sqlite_with(test_mail()).await
    }

    pub async fn postgres() -> Self {
        Self::postgres_with(test_mail()).await
    }

    /// On SQLite, sending email as `mail` says (the default keeps it in the mailbox table).
    pub async fn sqlite_with(mail: MailConfig) -> Self {
        Self::sqlite_file(std::env::temp_dir().join(format!("{}.db", unique_name())), mail).await
    }

    pub async fn postgres_with(mail: MailConfig) -> Self {
        use sqlx::{Connection, Executor};
        app::backend::password::use_cheap_parameters_in_tests();
        let template = template::postgres().await;
        let admin_url = postgres_admin_url();
        let name = unique_name();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required for these tests and is unreachable at {admin_url}: {e}")
        });
        admin
            .execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
            .await
            .expect("create test database");
        admin.close().await.ok();
        let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
        let url = format!("{base}/{name}");
        let db = Db::connect(&url).await.expect("postgres test database");
        Self::with_db(db, url, Cleanup::PostgresDatabase { admin_url, name }, mail).await
    }

    /// On SQLite, with the database file at `path` (a directory the test controls, e.g. a small
    /// file system to fill).
    pub async fn sqlite_at(path: std::path::PathBuf) -> Self {
        Self::sqlite_file(path, test_mail()).await
    }

    async fn sqlite_file(path: std::path::PathBuf, mail: MailConfig) -> Self {
        app::backend::password::use_cheap_parameters_in_tests();
        std::fs::copy(template::sqlite().await, &path).expect("copy the template database");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url).await.expect("sqlite test database");
        Self::with_db(db, url, Cleanup::SqliteFile(path), mail).await
    }

    async fn with_db(db: Db, database_url: String, cleanup: Cleanup, mail: MailConfig) -> Self {
        let fixture = fixture_ids(&db).await;
        let state = AppState {
            leptos_options: LeptosOptions::builder().output_name("clientele").build(),
            db: db.clone(),
            security: SecurityConfig::default(),
            mail,
        };
        Self { router: server::router(state.clone()), db, database_url, fixture, state, cleanup }
    }

    /// The same app as served over https (`--public-url https://…`): Secure, `__Host-` cookies and
    /// HSTS.
    pub fn over_https(mut self) -> Self {
        self.state.security.secure_cookies = true;
        self.router = server::router(self.state.clone());
        self
    }

    /// The same app started with `--api-rate-limit <per_minute>`.
    pub fn with_api_rate_limit(mut self, per_minute: u32) -> Self {
        self.state.security.api_rate_limit = per_minute;
        self.router = server::router(self.state.clone());
        self
    }

    /// An API key of `tenant` made by `creator` (a staff member of it, or an operator) holding
    /// `permissions`; its secret.
    pub async fn api_key(&self, creator: &str, permissions: &[&str]) -> String {
        let mut client = self.signed_in(creator).await;
        let res = client
            .call_json(
                "api-keys/create",
                serde_json::json!({ "input": { "name": format!("Key of {creator}"), "permissions": permissions.iter().map(|p| permission_variant(p)).collect::<Vec<_>>() } }),
            )
            .await;
        assert_eq!(res.status, http::StatusCode::OK, "making a key: {res:?}");
        res.json()["secret"].as_str().expect("the secret").to_string()
    }

    /// The same app started with `--webhook-allow-private` (receivers on 127.0.0.1, over http).
    pub fn with_local_webhooks(mut self) -> Self {
        self.state.security.webhook_allow_private = true;
        self.router = server::router(self.state.clone());
        self
    }

    /// The same app started with `--impersonation off`.
    pub fn without_impersonation(mut self) -> Self {
        self.state.security.impersonation = false;
        self.router = server::router(self.state.clone());
        self
    }

    /// A browser-like client with its own cookie jar, calling from `addr`.
    pub fn client(&self) -> Client<'_> {
        self.client_from("10.0.0.1")
    }

    pub fn client_from(&self, ip: &str) -> Client<'_> {
        Client {
            app: self,
            cookie: None,
            addr: SocketAddr::new(ip.parse().expect("ip"), 40000),
            origin: None,
            fetch_site: None,
            remote: None,
            instance: None,
        }
    }

    /// A second instance of the server on the same database, as behind a load balancer: its own
    /// pool and router, nothing shared with the first but the database.
    pub async fn second_instance(&self) -> Router {
        let db = Db::connect(&self.database_url).await.expect("a second pool on the test database");
        server::router(AppState { db, ..self.state.clone() })
    }

    /// A client of `instance` (from [`TestApp::second_instance`]), calling from `ip`.
    pub fn client_via(&self, instance: &Router, ip: &str) -> Client<'_> {
        Client { instance: Some(instance.clone()), ..self.client_from(ip) }
    }

    /// A client already signed in as `email` (fixture password).
    pub async fn signed_in(&self, email: &str) -> Client<'_> {
        let mut client = self.client();
        let res = client.login(email, PASSWORD).await;
        assert!(res.status.is_success(), "sign-in of {email} failed: {res:?}");
        client
    }

    /// A further person; see [`PersonBuilder`] for the knobs.
    pub fn person(&self, email: &str) -> PersonBuilder<'_> {
        PersonBuilder {
            app: self,
            email: email.into(),
            name: format!("User {email}"),
            partner: None,
            customers: Vec::new(),
            session: false,
        }
    }

    /// A further partner beside the fixture's Acme and Globex; returns its id.
    pub async fn tenant(&self, name: &str) -> i64 {
        let slug = name.to_lowercase().replace(' ', "-");
        seed::create_tenant(&self.db, name, &slug).await.expect("create tenant")
    }

    /// Runs `request` while another writer holds `sql` uncommitted, committing it 300 ms in. On
    /// PostgreSQL the request reads before that writer commits and writes after: the race a busy
    /// instance sees. SQLite serialises writers, so there the request simply runs after it.
    pub async fn racing<F: std::future::Future>(&self, sql: &[&str], request: F) -> F::Output {
        let mut tx = self.db.pool.begin().await.expect("begin");
        for statement in sql {
            sqlx::query(statement).execute(&mut *tx).await.expect(statement);
        }
        let other_writer = async move {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            tx.commit().await.expect("commit");
        };
        tokio::join!(request, other_writer).0
    }

    /// A further (active) customer of `tenant`; returns its id.
    pub async fn customer(&self, tenant: i64, name: &str) -> i64 {
        let mut conn = self.db.pool.acquire().await.expect("connection");
        let customer = seed::NewCustomer { name: name.into(), ..Default::default() };
        seed::insert_customer(&mut conn, tenant, &customer).await.expect("create customer")
    }

    /// `count` further active customers of `tenant`, named "`prefix` 1" and on, in one statement;
    /// returns their ids.
    pub async fn many_customers(&self, tenant: i64, prefix: &str, count: i64) -> Vec<i64> {
        use sqlx::Row;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
             INSERT INTO customers (tenant_id, name, status, status_changed_at, created_at, updated_at, search_text)
             SELECT $1, $2 || ' ' || CAST(i AS TEXT), 'active', 0, 0, 0, ' ' || LOWER($2) || ' ' || CAST(i AS TEXT) FROM n
             RETURNING id",
        )
        .bind(tenant)
        .bind(prefix)
        .bind(count)
        .fetch_all(&self.db.pool)
        .await
        .expect("create customers")
        .iter()
        .map(|r| r.get::<i64, _>("id"))
        .collect()
    }

    /// A custom field of `tenant`; returns its id.
    pub async fn custom_field(&self, tenant: i64, key: &str, kind: CustomFieldKind, options: &[&str]) -> i64 {
        seed::add_custom_field(&self.db, tenant, key, key, kind, options).await.expect("create custom field")
    }

    /// Stores a custom value of a customer.
    pub async fn custom_value(&self, customer: i64, field: i64, value: &str) {
        seed::set_custom_value(&self.db, customer, field, value).await.expect("store custom value")
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql).fetch_one(&self.db.pool).await.expect(sql).try_get(0).expect("an integer")
    }

    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql).execute(&self.db.pool).await.expect(sql);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; the cleanup needs one of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async {
                        use sqlx::{Connection, Executor};
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ =
                                admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The serde name of a permission given by its key (`customers.view` → `CustomersView`).
pub fn permission_variant(key: &str) -> String {
    let permission = app::types::session::Permission::from_key(key).unwrap_or_else(|| panic!("no permission {key}"));
    serde_json::to_value(permission).unwrap().as_str().unwrap().to_string()
}
