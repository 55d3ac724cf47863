//! What happens to a real server process when things go wrong (PRODUCT.md §12): killed in the
//! middle of a change, stopped with requests in flight, restarted under load, run twice on one
//! database, or left without its database.

use crate::common::process::ServerProcess;
use crate::common::TestApp;
use app::backend::DbKind;
use http::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits until a server process holds a write transaction open on `app`'s database (true), or
/// `limit` passes (false). SQLite: our own `BEGIN IMMEDIATE`, which never waits, fails exactly
/// while another connection holds the write lock. PostgreSQL: a session of that database has a
/// transaction id, which it gets with its first write.
async fn writing(app: &TestApp, limit: Duration) -> bool {
    let started = Instant::now();
    match app.db.kind {
        DbKind::Sqlite => {
            use sqlx::{ConnectOptions, Executor};
            let path = app.database_url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default();
            let mut probe = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .busy_timeout(Duration::ZERO)
                .connect()
                .await
                .expect("probe connection");
            while started.elapsed() < limit {
                match probe.execute("BEGIN IMMEDIATE").await {
                    Ok(_) => {
                        probe.execute("ROLLBACK").await.expect("rollback");
                    }
                    Err(_) => return true,
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            false
        }
        DbKind::Postgres => {
            while started.elapsed() < limit {
                let writers = app
                    .scalar(
                        "SELECT COUNT(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
                    )
                    .await;
                if writers > 0 {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            false
        }
    }
}

/// Fires `request` at a fresh server process, SIGKILLs it while the change is being written,
/// and returns whether it caught the change mid-way (rather than after it finished).
async fn kill_mid_write(
    app: &TestApp,
    request: impl FnOnce(&ServerProcess) -> tokio::task::JoinHandle<StatusCode>,
) -> bool {
    let server = ServerProcess::start(app).await;
    let answer = request(&server);
    let caught = writing(app, Duration::from_secs(20)).await;
    server.kill().await;
    let status = answer.await.expect("request task");
    // Killed mid-way, the request got no answer; had it finished first, it succeeded.
    assert!(!caught || status == StatusCode::BAD_GATEWAY || status == StatusCode::OK, "{status}");
    caught
}

/// A signed-in session as a cookie string, for requests on their own tasks. Sessions live in the
/// database, so one made in-process is good on every server process of it.
async fn session_cookie(app: &TestApp, email: &str) -> String {
    app.signed_in(email).await.cookie.expect("session cookie")
}

/// Calls a JSON server function at `addr` with `cookie`, on its own task.
fn call_detached(
    addr: std::net::SocketAddr,
    cookie: String,
    endpoint: &'static str,
    body: serde_json::Value,
) -> tokio::task::JoinHandle<StatusCode> {
    tokio::spawn(async move {
        let request = http::Request::post(format!("/api/{endpoint}"))
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::HOST, "clientele.test")
            .header(http::header::COOKIE, cookie)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        match crate::common::process::send(addr, request).await {
            Ok(response) => {
                let status = response.status();
                // Read the whole answer: the change is acknowledged only once it arrived.
                match axum::body::to_bytes(response.into_body(), 1 << 20).await {
                    Ok(_) => status,
                    Err(_) => StatusCode::BAD_GATEWAY,
                }
            }
            Err(_) => StatusCode::BAD_GATEWAY,
        }
    })
}

/// Disabling 10,000 customers is one transaction: a process killed while writing it leaves all
/// of them (statuses, audit entries, their users' sessions) as they were, or all changed.
async fn a_bulk_disable_killed_mid_way_is_all_or_nothing(app: TestApp) {
    use app::types::customer_users::AccountRole;
    let acme = app.fixture.acme;
    let ids = app.many_customers(acme, "Crashtest", 10_000).await;
    for (i, id) in ids.iter().step_by(2_000).enumerate() {
        app.person(&format!("user{i}@crash.test")).customer_user(*id, AccountRole::Owner).with_session().create().await;
    }
    let cookie = session_cookie(&app, "admin@acme.test").await;
    let sessions_before = app.scalar("SELECT COUNT(*) FROM sessions").await;
    let body = json!({ "selection": { "Matching": "q=crashtest" }, "status": "Disabled" });
    let mut caught = 0;
    for _attempt in 0..3 {
        let request =
            |server: &ServerProcess| call_detached(server.addr, cookie.clone(), "customers/set-status", body.clone());
        caught += u32::from(kill_mid_write(&app, request).await);
        let disabled =
            app.scalar("SELECT COUNT(*) FROM customers WHERE name LIKE 'Crashtest %' AND status = 'disabled'").await;
        let audited = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.disable'").await;
        let sessions = app.scalar("SELECT COUNT(*) FROM sessions").await;
        assert!(disabled == 0 || disabled == 10_000, "half a bulk change survived the crash: {disabled} disabled");
        assert_eq!(audited, disabled, "one audit entry per changed customer, no more, no less");
        assert_eq!(
            sessions,
            if disabled == 0 { sessions_before } else { sessions_before - 5 },
            "their users' sessions"
        );
        if disabled == 10_000 {
            break;
        }
    }
    assert!(caught > 0, "never caught the bulk change mid-way: the test proved nothing");
    // The restarted server is whole: the change can be made (or is already made) in full.
    let server = ServerProcess::start(&app).await;
    let mut admin = server.signed_in(&app, "admin@acme.test").await;
    let res = admin.call_json("customers/set-status", body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM customers WHERE name LIKE 'Crashtest %' AND status = 'disabled'").await,
        10_000
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.disable'").await, 10_000);
}

/// Deleting a customer with thousands of users (memberships and sessions cascade) is one
/// transaction: killed mid-way, the customer is there with everything of it, or gone with all.
async fn a_large_delete_killed_mid_way_is_all_or_nothing(app: TestApp) {
    let acme = app.fixture.acme;
    let customer = app.customer(acme, "Big Crash Ltd").await;
    let field = app.custom_field(acme, "plan", app::types::field_config::CustomFieldKind::Text, &[]).await;
    app.custom_value(customer, field, "gold").await;
    app.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
         INSERT INTO persons (email, full_name, created_at, updated_at)
         SELECT 'member' || CAST(i AS TEXT) || '@bigcrash.test', 'Member ' || CAST(i AS TEXT), 0, 0 FROM n",
    )
    .await;
    app.execute(&format!(
        "INSERT INTO memberships (person_id, kind, tenant_id, customer_id, customer_role, state, created_at)
         SELECT id, 'customer', {acme}, {customer}, 'member', 'active', 0 FROM persons WHERE email LIKE '%@bigcrash.test'"
    ))
    .await;
    app.execute(
        "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at)
         SELECT 'crash' || CAST(id AS TEXT), id, 0, 0 FROM persons WHERE email LIKE '%@bigcrash.test'",
    )
    .await;
    let cookie = session_cookie(&app, "admin@acme.test").await;
    let body = json!({ "id": customer, "confirm_name": "Big Crash Ltd" });
    let mut caught = 0;
    for _attempt in 0..3 {
        caught += u32::from(
            kill_mid_write(&app, |server| call_detached(server.addr, cookie.clone(), "customers/delete", body.clone()))
                .await,
        );
        let exists = app.scalar(&format!("SELECT COUNT(*) FROM customers WHERE id = {customer}")).await;
        let memberships = app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE customer_id = {customer}")).await;
        let sessions = app
            .scalar("SELECT COUNT(*) FROM sessions s JOIN persons p ON p.id = s.person_id WHERE p.email LIKE '%@bigcrash.test'")
            .await;
        let values =
            app.scalar(&format!("SELECT COUNT(*) FROM customer_field_values WHERE customer_id = {customer}")).await;
        let audited = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.delete' AND target_id = {customer}"
            ))
            .await;
        if exists == 1 {
            assert_eq!((memberships, sessions, values, audited), (5_000, 5_000, 1, 0), "the customer is whole");
        } else {
            assert_eq!((memberships, sessions, values, audited), (0, 0, 0, 1), "the customer is wholly gone");
            break;
        }
    }
    assert!(caught > 0, "never caught the delete mid-way: the test proved nothing");
}

/// Removing a custom field runs in batches that each commit consistently; killed mid-way, the
/// field is already gone from every form, each customer's search text matches the values it
/// still has, and the next start finishes the removal.
async fn a_custom_field_removal_killed_mid_way_finishes_at_the_next_start(app: TestApp) {
    let acme = app.fixture.acme;
    let field = app.custom_field(acme, "tariff", app::types::field_config::CustomFieldKind::Text, &[]).await;
    app.many_customers(acme, "Fieldcrash", 10_000).await;
    // Every one of them holds a searchable value of the field.
    app.execute(&format!(
        "INSERT INTO customer_field_values (customer_id, field_id, value)
         SELECT id, {field}, 'zebratariff' FROM customers WHERE name LIKE 'Fieldcrash %'"
    ))
    .await;
    app.execute("UPDATE customers SET search_text = search_text || ' zebratariff' WHERE name LIKE 'Fieldcrash %'")
        .await;
    let cookie = session_cookie(&app, "admin@acme.test").await;

    let server = ServerProcess::start(&app).await;
    let removal = call_detached(server.addr, cookie.clone(), "settings/custom-field-delete", json!({ "id": field }));
    // Kill it once the first batches are in, long before the last.
    let started = Instant::now();
    while app.scalar(&format!("SELECT COUNT(*) FROM customer_field_values WHERE field_id = {field}")).await > 9_000 {
        assert!(started.elapsed() < Duration::from_secs(30), "the removal never started");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().await;
    let _ = removal.await;
    let left = app.scalar(&format!("SELECT COUNT(*) FROM customer_field_values WHERE field_id = {field}")).await;
    assert!(left > 0 && left < 10_000, "killed mid-way: {left} values left");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM custom_fields WHERE id = {field} AND removing_since IS NOT NULL"))
            .await,
        1
    );
    let mismatched = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM customers c WHERE c.name LIKE 'Fieldcrash %'
               AND (c.search_text LIKE '%zebratariff%')
                <> EXISTS (SELECT 1 FROM customer_field_values v WHERE v.customer_id = c.id AND v.field_id = {field})"
        ))
        .await;
    assert_eq!(mismatched, 0, "every batch changed values and search text together");
    // Gone from the form already, though its values are not all gone yet.
    let mut in_process = app.signed_in("admin@acme.test").await;
    let config = in_process.call_json("settings/fields", json!({})).await;
    assert_eq!(config.status, StatusCode::OK);
    assert!(!config.body.contains("tariff"), "{}", config.body);
    let server = ServerProcess::start(&app).await;
    let started = Instant::now();
    while app.scalar(&format!("SELECT COUNT(*) FROM custom_fields WHERE id = {field}")).await > 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "the restarted server did not finish the removal");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM customer_field_values WHERE field_id = {field}")).await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE search_text LIKE '%zebratariff%'").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.custom_field.delete'").await, 1);
    let mut client = server.signed_in(&app, "admin@acme.test").await;
    let list = client.call("customers/list", &[("query", "q=zebratariff")]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["rows"], json!([]), "{}", list.body);
}

/// SIGTERM: the server stops taking connections, finishes what it is doing, and exits 0; the
/// change in flight is complete.
async fn sigterm_finishes_the_requests_in_flight(app: TestApp) {
    app.many_customers(app.fixture.acme, "Shutdown", 10_000).await;
    let cookie = session_cookie(&app, "admin@acme.test").await;
    let server = ServerProcess::start(&app).await;
    let addr = server.addr;
    let body = json!({ "selection": { "Matching": "q=shutdown" }, "status": "Disabled" });
    let request = call_detached(addr, cookie, "customers/set-status", body);
    assert!(writing(&app, Duration::from_secs(20)).await, "the bulk change did not start");
    let status = server.terminate().await;
    assert!(status.success(), "exit status {status}");
    assert_eq!(request.await.unwrap(), StatusCode::OK, "the request in flight was answered");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM customers WHERE name LIKE 'Shutdown %' AND status = 'disabled'").await,
        10_000
    );
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens any more");
}

/// Writers keep creating customers while the server is restarted twice (SIGTERM, then SIGKILL):
/// every creation that was acknowledged is there afterwards.
async fn a_restart_under_load_loses_no_acknowledged_write(app: TestApp) {
    use std::sync::{Arc, Mutex};
    let cookie = session_cookie(&app, "admin@acme.test").await;
    let server = ServerProcess::start(&app).await;
    let target = Arc::new(Mutex::new(server.addr));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (target, acknowledged, stop, cookie) = (target.clone(), acknowledged.clone(), stop.clone(), cookie.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let name = format!("Restart {writer}-{n}");
                let addr = *target.lock().unwrap();
                let body = json!({ "input": { "name": name }, "allow_duplicate_name": false });
                if call_detached(addr, cookie.clone(), "customers/create", body).await.unwrap() == StatusCode::OK {
                    acknowledged.lock().unwrap().push(name);
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(server.terminate().await.success());
    let server = ServerProcess::start(&app).await;
    *target.lock().unwrap() = server.addr;
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.kill().await;
    let server = ServerProcess::start(&app).await;
    *target.lock().unwrap() = server.addr;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "too few writes to prove anything: {}", acknowledged.len());
    let stored = app.scalar("SELECT COUNT(*) FROM customers WHERE name LIKE 'Restart %'").await;
    let missing: Vec<&String> = {
        let mut missing = Vec::new();
        for name in &acknowledged {
            if app.scalar(&format!("SELECT COUNT(*) FROM customers WHERE name = '{name}'")).await != 1 {
                missing.push(name);
            }
        }
        missing
    };
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // A creation killed before its answer may have landed or not; nothing else is there.
    assert!(stored as usize <= acknowledged.len() + 4, "{stored} stored, {} acknowledged", acknowledged.len());
    drop(server);
}

/// Two server processes on one database: a session started on one works on the other, and a
/// bulk change made through one shows on the other at once.
async fn two_instances_share_sessions_and_changes(app: TestApp) {
    let (one, two) = (ServerProcess::start(&app).await, ServerProcess::start(&app).await);
    let mut on_one = one.signed_in(&app, "admin@acme.test").await;
    let mut on_two = two.client(&app);
    on_two.cookie = on_one.cookie.clone();
    let page = on_two.get("/customers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sign out"), "signed in on the other instance too");
    let ids = app.many_customers(app.fixture.acme, "Twin", 300).await;
    let res = on_one
        .call_json("customers/set-status", json!({ "selection": { "Matching": "q=twin" }, "status": "Disabled" }))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let active = on_two.call("customers/list", &[("query", "q=twin&status=active")]).await;
    assert_eq!(active.json()["rows"], json!([]), "none left active: {}", active.body);
    let count = on_two.call("customers/count", &[("query", "q=twin&status=disabled")]).await;
    assert_eq!(count.status, StatusCode::OK);
    assert_eq!(count.json(), json!({ "Exact": ids.len() }), "{}", count.body);
    // Signing out on one ends the session on both.
    assert_eq!(on_one.call("logout", &[]).await.status, StatusCode::OK);
    on_two.cookie = on_one.cookie.clone().or(on_two.cookie.clone());
    assert_eq!(on_two.call("customers/list", &[("query", "")]).await.status, StatusCode::UNAUTHORIZED);
}

on_both_databases!(
    a_bulk_disable_killed_mid_way_is_all_or_nothing,
    a_large_delete_killed_mid_way_is_all_or_nothing,
    a_custom_field_removal_killed_mid_way_finishes_at_the_next_start,
    sigterm_finishes_the_requests_in_flight,
    a_restart_under_load_loses_no_acknowledged_write,
    two_instances_share_sessions_and_changes,
    a_writer_that_cannot_get_the_lock_answers_503_and_reads_go_on,
);

/// A writer that cannot get the lock within the busy timeout (SQLite's write lock, a PostgreSQL
/// row lock) answers 503 with Retry-After and changes nothing; reads go on meanwhile.
async fn a_writer_that_cannot_get_the_lock_answers_503_and_reads_go_on(app: TestApp) {
    use sqlx::{Connection, Executor};
    let customer = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    // Another writer that holds on (a migration, a stuck process, an operator's console).
    let mut holder = sqlx::AnyConnection::connect(&app.database_url).await.expect("connect");
    match app.db.kind {
        DbKind::Sqlite => holder.execute("BEGIN IMMEDIATE").await.expect("take the write lock"),
        DbKind::Postgres => {
            holder.execute("BEGIN").await.expect("begin");
            holder
                .execute(format!("SELECT id FROM customers WHERE id = {customer} FOR UPDATE").as_str())
                .await
                .expect("lock")
        }
    };
    let started = Instant::now();
    let list = admin.call("customers/list", &[("query", "")]).await;
    assert_eq!(list.status, StatusCode::OK, "reads do not wait for writers");
    assert!(started.elapsed() < Duration::from_secs(2), "a read waited {:?}", started.elapsed());
    let body = json!({ "selection": { "Ids": [customer] }, "status": "Disabled" });
    let res = admin.call_json("customers/set-status", body.clone()).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{res:?}");
    assert_eq!(res.headers["retry-after"], "1");
    assert_eq!(res.json(), json!({ "Unavailable": "Busy" }));
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "waited {:?}, longer than the busy timeout",
        started.elapsed()
    );
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM customers WHERE id = {customer} AND status = 'active'")).await,
        1
    );
    holder.execute("ROLLBACK").await.expect("release");
    let res = admin.call_json("customers/set-status", body).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
}

/// A TCP relay to PostgreSQL that the test can cut and restore, as if the database server
/// stopped and started again.
struct Relay {
    port: u16,
    accept: tokio::task::JoinHandle<()>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    async fn start(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind the relay");
        let port = listener.local_addr().unwrap().port();
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let accepted = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accepted.lock().unwrap().push(relay.abort_handle());
            }
        });
        Self { port, accept, connections }
    }

    /// Stops listening and drops every connection.
    async fn cut(self) {
        self.accept.abort();
        let _ = self.accept.await;
        self.connections.lock().unwrap().iter().for_each(tokio::task::AbortHandle::abort);
    }
}

/// PostgreSQL stops: pages answer a clear 503, /healthz stays live and says what is wrong,
/// /readyz fails; when it is back, everything recovers without a restart.
#[test]
fn a_stopped_postgresql_answers_503_and_the_server_recovers() {
    crate::common::run(async {
        let app = TestApp::postgres().await;
        let relay = Relay::start(0).await;
        let port = relay.port;
        let through_relay = app.database_url.replace("127.0.0.1:5432", &format!("127.0.0.1:{port}"));
        assert_ne!(through_relay, app.database_url, "the test database is on 127.0.0.1:5432");
        let server = ServerProcess::start_on(&through_relay).await;
        let mut admin = server.signed_in(&app, "admin@acme.test").await;
        assert_eq!(admin.get("/customers").await.status, StatusCode::OK);

        relay.cut().await;
        let page = admin.get("/customers").await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.headers["retry-after"], "5");
        assert!(page.body.contains("The database cannot be reached."), "{}", page.body);
        assert!(page.body.contains("Clientele is unavailable for a moment"), "a page of its own: {}", page.body);
        let health = admin.get("/healthz").await;
        assert_eq!(
            (health.status, health.body.as_str()),
            (StatusCode::OK, "live\ndatabase: The database cannot be reached.\n")
        );
        let ready = admin.get("/readyz").await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.body, "not ready: The database cannot be reached.\n");
        let res = admin
            .call_json("customers/create", json!({ "input": { "name": "Lost Ltd" }, "allow_duplicate_name": false }))
            .await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);

        let _relay = Relay::start(port).await;
        let started = Instant::now();
        while admin.get("/readyz").await.status != StatusCode::OK {
            assert!(started.elapsed() < Duration::from_secs(20), "not ready again after the database returned");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(admin.get("/customers").await.status, StatusCode::OK, "the same session works again");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE name = 'Lost Ltd'").await, 0);
        drop(server);
    })
}

/// Unmounts the test's small file system however the test ends.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// The disk under SQLite fills up: writes answer 503 and change nothing, reads go on, /readyz
/// says the disk is full; once there is room again, writes work without a restart. The disk is a
/// 16 MiB tmpfs, which mounting needs root for (as the test machines and CI run).
#[test]
fn a_full_disk_answers_503_and_the_server_recovers() {
    crate::common::run(async {
        let dir = std::env::temp_dir().join(format!("clientele_full_{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(&dir)
            .status()
            .expect("run mount");
        assert!(
            mounted.success(),
            "could not mount a 16 MiB tmpfs at {}: this test fills a real disk and mounting needs root \
             (CI runs as root; elsewhere run the tests with sudo)",
            dir.display()
        );
        let _unmount = Mounted(dir.clone());
        let app = TestApp::sqlite_at(dir.join("clientele.db")).await;
        let mut admin = app.signed_in("admin@acme.test").await;
        // An empty WAL: the next write must grow a file.
        app.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        {
            use std::io::Write;
            let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
            let block = vec![0u8; 64 << 10];
            while filler.write_all(&block).is_ok() {}
            let _ = filler.sync_all();
        }
        let create = json!({ "input": { "name": "No Room Ltd" }, "allow_duplicate_name": false });
        let res = admin.call_json("customers/create", create.clone()).await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{res:?}");
        assert_eq!(res.json(), json!({ "Unavailable": "DiskFull" }));
        assert_eq!(res.headers["retry-after"], "5");
        assert_eq!(admin.call("customers/list", &[("query", "")]).await.status, StatusCode::OK, "reads go on");
        let ready = admin.get("/readyz").await;
        assert_eq!(
            (ready.status, ready.body.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: The database's disk is full.\n")
        );
        assert_eq!(admin.get("/healthz").await.status, StatusCode::OK, "still live");

        std::fs::remove_file(dir.join("filler")).unwrap();
        let ready = admin.get("/readyz").await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        let res = admin.call_json("customers/create", create).await;
        assert_eq!(res.status, StatusCode::OK, "{res:?}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE name = 'No Room Ltd'").await, 1);
        app.db.pool.close().await;
    })
}
