//! Test harness: the real application router over a fresh database per test, on SQLite and on
//! PostgreSQL, driven through HTTP requests in-process (no sockets, no browser).
#![allow(dead_code)]

use app::backend::{email::MailConfig, seed, AppState, Db, SecurityConfig};
use app::types::customer_users::AccountRole;
use app::types::field_config::CustomFieldKind;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::{header, Request, StatusCode};
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use tower::ServiceExt;

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
    pub fixture: Fixture,
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
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.expect("sqlite test database");
        Self::with_db(db, Cleanup::SqliteFile(path), mail).await
    }

    pub async fn postgres_with(mail: MailConfig) -> Self {
        use sqlx::{Connection, Executor};
        let admin_url = postgres_admin_url();
        let name = unique_name();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required for these tests and is unreachable at {admin_url}: {e}")
        });
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        admin.close().await.ok();
        let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
        let db = Db::connect(&format!("{base}/{name}")).await.expect("postgres test database");
        Self::with_db(db, Cleanup::PostgresDatabase { admin_url, name }, mail).await
    }

    async fn with_db(db: Db, cleanup: Cleanup, mail: MailConfig) -> Self {
        let fixture = standard_fixture(&db).await;
        let state = AppState {
            leptos_options: LeptosOptions::builder().output_name("clientele").build(),
            db: db.clone(),
            security: SecurityConfig::default(),
            mail,
        };
        Self { router: server::router(state), db, fixture, cleanup }
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
        }
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
            customer: None,
            session: false,
        }
    }

    /// A further partner beside the fixture's Acme and Globex; returns its id.
    pub async fn tenant(&self, name: &str) -> i64 {
        let slug = name.to_lowercase().replace(' ', "-");
        seed::create_tenant(&self.db, name, &slug).await.expect("create tenant")
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

/// Two partners (Acme, Globex) with users and customers, and one operator:
/// admin@acme.test (Partner admin), viewer@acme.test (Viewer), admin@globex.test, op@platform.test.
async fn standard_fixture(db: &Db) -> Fixture {
    let acme = seed::create_tenant(db, "Acme Partners", "acme").await.unwrap();
    let globex = seed::create_tenant(db, "Globex", "globex").await.unwrap();
    for (email, tenant, role) in [
        ("admin@acme.test", acme, "partner_admin"),
        ("viewer@acme.test", acme, "viewer"),
        ("admin@globex.test", globex, "partner_admin"),
    ] {
        let person = seed::create_person(db, email, &format!("User {email}"), PASSWORD).await.unwrap();
        seed::add_partner_user(db, person, tenant, role).await.unwrap();
    }
    let operator = seed::create_person(db, "op@platform.test", "Olga Operator", PASSWORD).await.unwrap();
    seed::make_operator(db, operator).await.unwrap();

    let mut conn = db.pool.acquire().await.unwrap();
    let customer = |name: &str, disabled: bool| seed::NewCustomer {
        name: name.into(),
        city: Some("Berlin".into()),
        country: Some("DE".into()),
        disabled,
        ..Default::default()
    };
    let acme_customer = seed::insert_customer(&mut conn, acme, &customer("Alpha Bakery", false)).await.unwrap();
    seed::insert_customer(&mut conn, acme, &customer("Bravo Dental", true)).await.unwrap();
    seed::insert_customer(
        &mut conn,
        acme,
        &seed::NewCustomer { parent_id: Some(acme_customer), ..customer("Charlie Cafe", false) },
    )
    .await
    .unwrap();
    let globex_customer =
        seed::insert_customer(&mut conn, globex, &customer("Globex Secret Customer", false)).await.unwrap();
    Fixture { acme, globex, acme_customer, globex_customer }
}

/// A partner role for [`PersonBuilder::with_role`]: the built-in ones, or a role of the tenant's
/// own that grants nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    PartnerAdmin,
    AccountManager,
    Support,
    Viewer,
    NoPermissions,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "partner_admin",
            Self::AccountManager => "account_manager",
            Self::Support => "support",
            Self::Viewer => "viewer",
            Self::NoPermissions => "no_permissions",
        }
    }
}

/// A person to add to the fixture, with the knobs tests need:
/// `app.person("sam@acme.test").with_role(Role::Support).signed_in().await`.
pub struct PersonBuilder<'a> {
    app: &'a TestApp,
    email: String,
    name: String,
    partner: Option<(i64, Role)>,
    customer: Option<(i64, AccountRole)>,
    session: bool,
}

impl<'a> PersonBuilder<'a> {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// A partner user of Acme with `role` (see `in_tenant` for another partner).
    pub fn with_role(mut self, role: Role) -> Self {
        let tenant = self.partner.map_or(self.app.fixture.acme, |(t, _)| t);
        self.partner = Some((tenant, role));
        self
    }

    /// A partner user of `tenant` (Viewer unless `with_role` says otherwise).
    pub fn in_tenant(mut self, tenant: i64) -> Self {
        let role = self.partner.map_or(Role::Viewer, |(_, r)| r);
        self.partner = Some((tenant, role));
        self
    }

    /// A customer user of `customer`, active at once.
    pub fn customer_user(mut self, customer: i64, role: AccountRole) -> Self {
        self.customer = Some((customer, role));
        self
    }

    /// Also give the person a live session (as if signed in elsewhere), even where signing in
    /// would be refused (a disabled customer's user).
    pub fn with_session(mut self) -> Self {
        self.session = true;
        self
    }

    /// Creates the person (fixture password) with what was asked; returns the person id.
    pub async fn create(self) -> i64 {
        let db = &self.app.db;
        let person = seed::create_person(db, &self.email, &self.name, PASSWORD).await.expect("create person");
        if let Some((tenant, role)) = self.partner {
            if role == Role::NoPermissions {
                seed::create_role(db, tenant, role.key(), "No permissions").await.expect("create role");
            }
            seed::add_partner_user(db, person, tenant, role.key()).await.expect("add partner user");
        }
        if let Some((customer, role)) = self.customer {
            let tenant = self.app.scalar(&format!("SELECT tenant_id FROM customers WHERE id = {customer}")).await;
            seed::add_customer_user(db, person, tenant, customer, role).await.expect("add customer user");
        }
        if self.session {
            let mut conn = db.pool.acquire().await.expect("connection");
            app::backend::session::create(&mut conn, person, None, None, None).await.expect("session");
        }
        person
    }

    /// Creates the person and signs them in.
    pub async fn signed_in(self) -> Client<'a> {
        let (app, email) = (self.app, self.email.clone());
        self.create().await;
        app.signed_in(&email).await
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The `AppError` variant name of a failed server function, e.g. "Forbidden".
    pub fn error_kind(&self) -> String {
        match self.json() {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
            other => panic!("not an AppError: {other}"),
        }
    }
    pub fn set_cookie(&self) -> Option<String> {
        self.headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_string())
    }
}

pub struct Client<'a> {
    app: &'a TestApp,
    pub cookie: Option<String>,
    addr: SocketAddr,
    /// The Origin header to send (None: a same-origin call without one).
    pub origin: Option<String>,
    /// The Sec-Fetch-Site header to send, as browsers do.
    pub fetch_site: Option<String>,
}

impl Client<'_> {
    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = Request::get(path).header(header::ACCEPT, "text/html");
        self.send(req, Body::empty()).await
    }

    /// Calls a server function the way the hydrated app does (form-encoded POST).
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> TestResponse {
        let body = form.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        if let Some(origin) = &self.origin {
            req = req.header(header::ORIGIN, origin.as_str());
        }
        if let Some(site) = &self.fetch_site {
            req = req.header("sec-fetch-site", site.as_str());
        }
        self.send(req, Body::from(body)).await
    }

    /// Calls a JSON-encoded server function.
    pub async fn call_json(&mut self, endpoint: &str, body: serde_json::Value) -> TestResponse {
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::HOST, "clientele.test");
        self.send(req, Body::from(body.to_string())).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> TestResponse {
        self.call("login", &[("email", email), ("password", password)]).await
    }

    async fn send(&mut self, mut req: http::request::Builder, body: Body) -> TestResponse {
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie.as_str());
        }
        let mut request = req.body(body).unwrap();
        request.extensions_mut().insert(ConnectInfo(self.addr));
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20).await.unwrap();
        // Keep the jar up to date, as a browser would.
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().to_string();
            let expired = set.contains("Max-Age=0");
            self.cookie = if expired { None } else { Some(pair) };
        }
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
