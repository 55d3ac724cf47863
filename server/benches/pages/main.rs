//! Clientele at scale, timed where people feel it: builds a tenant with a million customers (by
//! default) on SQLite and on PostgreSQL, starts the real server binary on each, and times over
//! HTTP with a signed-in session:
//! - every full server-rendered page (the HTML a first visit or reload gets),
//! - every server function those pages call while rendering or right after loading,
//! - the list and count server functions for the list's questions,
//! - throughput: 8 clients opening filtered list pages for 15 s, with the server's memory,
//!
//! each once without planner statistics (right after a bulk load) and once with them (what
//! the server's own `PRAGMA optimize`, or PostgreSQL's autovacuum, keeps). Run with
//! `scripts/bench.sh` (see docs/PERFORMANCE.md); never part of the test command.
//!
//! Options: `--rows N` (default 1,000,000), `--samples N` per question (default 200),
//! `--only sqlite|postgres`, `--fresh` (rebuild the data, which is otherwise kept: SQLite under
//! `target/bench/`, PostgreSQL as `clientele_bench_<rows>`), `--load-seconds N` (default 15),
//! `--export-only` (only the export of every customer: rows per second, time to the first byte
//! and the server's memory growth while it streams), `--audit-only` (only the audit log: its
//! page and `audit/list` with each filter over 1,000,000 entries, both statistics states),
//! `--load-only` (only the load run of `load.rs`: `--users N` simulated partner users, default
//! 50, for `--load-seconds` (default 15), pausing about `--think-ms` (default 1,000) between
//! actions; `scripts/load.sh` runs it for 60 s; `--reads-only` leaves the writes out, to see
//! what they cost the reads), `--erasure-only` (only an erasure of a person named in 300 of
//! 1,000,000 audit entries: how long the previous release's one-transaction `LIKE` rewrite held
//! the database, against the batched rewrite by person id now, with the worst wait of another
//! writer meanwhile), `--api-only` (only the partner API and its webhooks, `api.rs`: the API's
//! customer list, a write with and without its outbox entry, a bulk change with an endpoint
//! listening, and the deliverer's rate to a local receiver).

mod api;
mod data;
mod http;
mod load;

use app::backend::{Db, DbKind};
use data::{ensure_data, timed_customer, SURNAMES};
use http::{Client, Server};
use hyper::StatusCode;
use sqlx::{Executor, Row};
use std::time::{Duration, Instant};

pub(crate) const ADMIN: &str = "admin@bench.test";
const OPERATOR: &str = "operator@bench.test";
pub(crate) const PASSWORD: &str = "bench-password";
const LOAD_CLIENTS: usize = 8;
/// The page the load test opens: the list filtered by status and country.
const LOAD_PAGE: &str = "/customers?status=active&country=DE";

struct Options {
    rows: usize,
    samples: usize,
    only: Option<String>,
    fresh: bool,
    load_seconds: u64,
    export_only: bool,
    audit_only: bool,
    erasure_only: bool,
    load_only: bool,
    api_only: bool,
    users: usize,
    think_ms: u64,
    reads_only: bool,
}

fn options() -> Options {
    let mut o = Options {
        rows: 1_000_000,
        samples: 200,
        only: None,
        fresh: false,
        load_seconds: 15,
        export_only: false,
        audit_only: false,
        erasure_only: false,
        load_only: false,
        api_only: false,
        users: 50,
        think_ms: 1000,
        reads_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{name} N"));
        match arg.as_str() {
            "--rows" => o.rows = number("--rows"),
            "--samples" => o.samples = number("--samples"),
            "--load-seconds" => o.load_seconds = number("--load-seconds") as u64,
            "--only" => o.only = args.next(),
            "--export-only" => o.export_only = true,
            "--audit-only" => o.audit_only = true,
            "--erasure-only" => o.erasure_only = true,
            "--load-only" => o.load_only = true,
            "--api-only" => o.api_only = true,
            "--users" => o.users = number("--users"),
            "--think-ms" => o.think_ms = number("--think-ms") as u64,
            "--reads-only" => o.reads_only = true,
            "--fresh" => o.fresh = true,
            // `cargo bench` passes `--bench`; anything else is a mistake worth stopping for.
            "--bench" => {}
            other => panic!("unknown option {other}; see the comment at the top of benches/pages/main.rs"),
        }
    }
    o
}

/// Whether the planner has statistics: none right after a bulk load, until something analyses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Statistics {
    Absent,
    Present,
}

impl Statistics {
    fn label(self) -> &'static str {
        match self {
            Statistics::Absent => "none",
            Statistics::Present => "current",
        }
    }
}

/// One timed question: p50/p95/p99 in milliseconds.
struct Timing {
    db: &'static str,
    statistics: Statistics,
    what: String,
    detail: String,
    p50: f64,
    p95: f64,
    p99: f64,
}

#[derive(Default)]
struct Report {
    pages: Vec<Timing>,
    on_load: Vec<Timing>,
    list: Vec<Timing>,
    load: Vec<String>,
    export: Vec<String>,
    erasure: Vec<String>,
    api: Vec<String>,
}

fn main() {
    let o = options();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let mut report = Report::default();
        if o.only.as_deref().is_none_or(|d| d == "sqlite") {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
            std::fs::create_dir_all(dir).unwrap();
            let path = format!("{dir}/clientele-bench-{}.db", o.rows);
            if o.fresh {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            bench("SQLite", &format!("sqlite://{path}?mode=rwc"), &o, &mut report).await;
        }
        if o.only.as_deref().is_none_or(|d| d == "postgres") {
            let url = postgres(&o).await;
            bench("PostgreSQL", &url, &o, &mut report).await;
        }
        print_report(&report, &o);
    });
}

/// The URL of the PostgreSQL bench database, created when missing (dropped first with --fresh).
async fn postgres(o: &Options) -> String {
    use sqlx::Connection;
    let admin_url = std::env::var("CLIENTELE_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("clientele_bench_{}", o.rows);
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("PostgreSQL for the benchmark");
    if o.fresh {
        admin.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await.unwrap();
    }
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
    if exists.is_none() {
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    }
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Removes or gathers the planner's statistics. "Present" is what the server keeps on its own:
/// its `PRAGMA optimize` on SQLite, a plain ANALYZE (as autovacuum runs) on PostgreSQL.
async fn set_statistics(db: &Db, statistics: Statistics) {
    match (db.kind, statistics) {
        (DbKind::Sqlite, Statistics::Absent) => {
            db.pool.execute("DELETE FROM sqlite_stat1").await.unwrap();
        }
        (DbKind::Sqlite, Statistics::Present) => db.refresh_statistics().await.unwrap(),
        (DbKind::Postgres, Statistics::Absent) => {
            db.pool
                .execute(
                    "DELETE FROM pg_statistic WHERE starelid IN
                     (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)",
                )
                .await
                .unwrap();
        }
        (DbKind::Postgres, Statistics::Present) => {
            db.pool.execute("ANALYZE").await.unwrap();
        }
    }
    if db.kind == DbKind::Sqlite {
        let rows: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM sqlite_stat1").fetch_one(&db.pool).await.unwrap().get("n");
        eprintln!("SQLite statistics {}: {rows} rows in sqlite_stat1", statistics.label());
    }
}

async fn bench(name: &'static str, url: &str, o: &Options, report: &mut Report) {
    let db = Db::connect(url).await.expect("bench database");
    let tenant = ensure_data(&db, o.rows).await;
    let customer = timed_customer(&db, tenant).await;
    if o.export_only {
        set_statistics(&db, Statistics::Present).await;
        let server = Server::start(url).await;
        let admin = Client::signed_in(server.addr, ADMIN, PASSWORD).await;
        report.export.push(export(name, &server, &admin).await);
        return;
    }
    if o.load_only {
        set_statistics(&db, Statistics::Present).await;
        let plan = load::Plan {
            users: o.users,
            seconds: o.load_seconds,
            think: Duration::from_millis(o.think_ms),
            reads_only: o.reads_only,
        };
        report.load.extend(load::run(name, url, &db, tenant, &plan).await);
        return;
    }
    if o.api_only {
        api::run(name, url, &db, tenant, o.samples, report).await;
        return;
    }
    if o.audit_only {
        data::ensure_audit(&db, tenant, data::AUDIT_ENTRIES).await;
        audit(name, url, &db, customer, o, report).await;
        return;
    }
    if o.erasure_only {
        data::ensure_audit(&db, tenant, data::AUDIT_ENTRIES).await;
        set_statistics(&db, Statistics::Present).await;
        report.erasure.extend(erasure(name, url, &db, tenant, customer).await);
        return;
    }
    let questions = list_questions(&db, tenant, o.rows).await;
    for statistics in [Statistics::Absent, Statistics::Present] {
        set_statistics(&db, statistics).await;
        // A new server process: its connections load the statistics as they are now.
        let server = Server::start(url).await;
        let mut admin = Client::signed_in(server.addr, ADMIN, PASSWORD).await;
        let mut operator = Client::signed_in(server.addr, OPERATOR, PASSWORD).await;
        let time = |what: String, detail: String, times: Vec<Duration>| {
            let (p50, p95, p99) = percentiles(times);
            eprintln!("{name} ({} statistics): {what} {detail}: p50 {p50:.1} ms, p95 {p95:.1} ms", statistics.label());
            Timing { db: name, statistics, what, detail, p50, p95, p99 }
        };

        // Full pages, as a first visit or reload gets them.
        let mut pages: Vec<(String, &str, String)> = questions
            .iter()
            .filter(|q| q.endpoint == "customers/list")
            .map(|q| {
                let path = if q.query.is_empty() { "/customers".into() } else { format!("/customers?{}", q.query) };
                (path, "List", q.label.to_string())
            })
            .collect();
        pages.push((format!("/customers/{customer}"), "Customer detail", "a network".into()));
        pages.push((
            format!("/customers/{}", data::plain_customer(&db, tenant).await),
            "Customer detail",
            "in no network".into(),
        ));
        pages.push((format!("/customers/{customer}/users"), "Customer users", "25 users".into()));
        pages.push(("/settings/fields".into(), "Customer fields", String::new()));
        pages.push(("/settings/emails".into(), "Email settings", String::new()));
        pages.push(("/settings".into(), "Partners (operator)", String::new()));
        pages.push(("/settings/mailbox".into(), "Mailbox (operator)", String::new()));
        for (path, what, detail) in pages {
            let client = if what.ends_with("(operator)") { &mut operator } else { &mut admin };
            let times = sample(client, Call::Page(&path), o.samples).await;
            report.pages.push(time(format!("{what} `{path}`"), detail, times));
        }

        // What those pages call: while rendering (their resources), and the list's count, which
        // the browser fetches right after the page has loaded.
        // (endpoint, body, called by, as the operator); a body starting with `{` is JSON, as
        // those functions take it.
        let on_load: [(&str, String, &str, bool); 12] = [
            ("session", String::new(), "every page", false),
            ("customers/sidebar", "filter=".into(), "every signed-in page", false),
            ("customers/list", "query=".into(), "list", false),
            ("customers/filters", String::new(), "list", false),
            ("customers/count", "query=".into(), "list, after load", false),
            ("customers/count", "query=status%3Dactive%26country%3DDE".into(), "filtered list, after load", false),
            ("customers/detail", format!(r#"{{"id":{customer}}}"#), "customer detail", false),
            ("customer-users/list", format!(r#"{{"customer_id":{customer}}}"#), "customer users", false),
            ("settings/fields", "{}".into(), "customer fields", false),
            ("settings/emails", "{}".into(), "email settings", false),
            ("partners/list", String::new(), "partners (operator)", true),
            ("mailbox", "{}".into(), "mailbox (operator)", true),
        ];
        for (endpoint, body, page, as_operator) in on_load {
            let client = if as_operator { &mut operator } else { &mut admin };
            let call =
                if body.starts_with('{') { Call::Json(endpoint, &body) } else { Call::Function(endpoint, &body) };
            let times = sample(client, call, o.samples).await;
            report.on_load.push(time(format!("`{endpoint}`"), page.to_string(), times));
        }

        // The list's questions, server functions alone.
        for q in &questions {
            let form = form_urlencoded::Serializer::new(String::new()).append_pair("query", &q.query).finish();
            let times = sample(&mut admin, Call::Function(q.endpoint, &form), o.samples).await;
            let what = format!("{} ({})", q.label, q.endpoint.trim_start_matches("customers/"));
            report.list.push(time(what, q.matches.clone(), times));
        }

        if statistics == Statistics::Present {
            report.load.push(load(name, &server, &admin, o.load_seconds).await);
        }
    }
}

/// A person named in 300 entries of the audit log: their memberships, then entries at random
/// places in the log (ids taken from the log's own run, labels as `audit::record` writes them).
async fn erasure_victim(db: &Db, tenant: i64, customer: i64, label: &str) -> (i64, String) {
    let email = format!("victim-{label}-{}@bench.test", app::backend::now());
    let person = app::backend::seed::create_person(db, &email, "Vic Victim", PASSWORD).await.unwrap();
    let role = app::types::customer_users::AccountRole::Member;
    app::backend::seed::add_customer_user(db, person, tenant, customer, role).await.unwrap();
    let (low, high): (i64, i64) = {
        let r = sqlx::query("SELECT MIN(id) AS a, MAX(id) AS b FROM audit_log").fetch_one(&db.pool).await.unwrap();
        (r.get("a"), r.get("b"))
    };
    // 300 existing entries, spread over the log, rewritten to name the victim.
    let step = ((high - low) / 300).max(1);
    let ids: Vec<i64> = (0..300).map(|i| low + i * step).collect();
    for chunk in ids.chunks(100) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        sqlx::query(&format!(
            "UPDATE audit_log SET target_label = 'Vic Victim <{email}> in Customer' WHERE id IN ({list})"
        ))
        .execute(&db.pool)
        .await
        .unwrap();
        sqlx::query(&format!(
            "INSERT INTO audit_log_people (person_id, entry_id) SELECT {person}, id FROM audit_log WHERE id IN ({list})"
        ))
        .execute(&db.pool)
        .await
        .unwrap();
    }
    (person, email)
}

/// How long writes wait while `work` runs: a tiny write every 20 ms through `writer` (another
/// signed-in session), the worst wait reported (SQLite has one writer at a time).
async fn worst_write_wait<F: std::future::Future<Output = Duration>>(
    writer: &mut Client,
    work: F,
) -> (Duration, Duration) {
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let work = async move {
        let took = work.await;
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        took
    };
    let writes = async {
        let mut worst = Duration::ZERO;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let started = Instant::now();
            let (status, body) = writer.post_json("account/theme", r#"{"theme":"Dark"}"#).await;
            assert!(status.is_success(), "{status} {body}");
            worst = worst.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        worst
    };
    tokio::join!(work, writes)
}

/// Erasure at a million audit entries (issue 26): the statements the previous release ran (every
/// entry whose labels or changes mention the email, found by `LIKE` over the whole log, rewritten
/// in the one erasure transaction; run here and rolled back), and the erasure as it is now, over
/// HTTP: a short transaction that deletes the person, then the person's entries by id in batches.
async fn erasure(name: &'static str, url: &str, db: &Db, tenant: i64, customer: i64) -> Vec<String> {
    let server = Server::start(url).await;
    let mut writer = Client::signed_in(server.addr, ADMIN, PASSWORD).await;
    let mut lines = Vec::new();

    let (person, email) = erasure_victim(db, tenant, customer, "before").await;
    let previous = async {
        let started = Instant::now();
        let mut tx = db.begin().await.unwrap();
        let (pseudonym, mentions) = (format!("erased person #{person}"), format!("%{email}%"));
        sqlx::query(
            "UPDATE audit_log SET target_label = REPLACE(target_label, $1, $2), changes = REPLACE(changes, $1, $2)
             WHERE (target_label LIKE $3 OR changes LIKE $3)",
        )
        .bind(format!("Vic Victim <{email}>"))
        .bind(&pseudonym)
        .bind(&mentions)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "UPDATE audit_log SET
               actor_label = CASE WHEN actor_person_id = $1 THEN $2 ELSE REPLACE(actor_label, $3, $2) END,
               target_label = CASE WHEN target_type = 'person' AND target_id = $1 THEN $2 ELSE REPLACE(target_label, $3, $2) END,
               changes = REPLACE(changes, $3, $2)
             WHERE actor_person_id = $1 OR (target_type = 'person' AND target_id = $1)
                OR actor_label LIKE $4 OR target_label LIKE $4 OR changes LIKE $4",
        )
        .bind(person)
        .bind(&pseudonym)
        .bind(&email)
        .bind(&mentions)
        .execute(&mut *tx)
        .await
        .unwrap();
        let took = started.elapsed();
        tx.rollback().await.unwrap();
        took
    };
    let (took, worst) = worst_write_wait(&mut writer, previous).await;
    lines.push(format!(
        "| {name} | before: `LIKE` over the whole log, one transaction (run and rolled back) | {:.0} ms | {:.0} ms | {:.0} ms |",
        took.as_secs_f64() * 1000.0,
        took.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    ));

    let (person, email) = erasure_victim(db, tenant, customer, "after").await;
    let mut operator = Client::signed_in(server.addr, OPERATOR, PASSWORD).await;
    let now = async {
        let started = Instant::now();
        let body = format!(r#"{{"person_id":{person},"confirm_email":"{email}"}}"#);
        let (status, answer) = operator.post_json("persons/erase", &body).await;
        assert!(status.is_success(), "{status} {answer}");
        started.elapsed()
    };
    let (took, worst) = worst_write_wait(&mut writer, now).await;
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE target_label LIKE $1")
        .bind(format!("%{email}%"))
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0, "every entry rewritten");
    // One batch alone, as the longest transaction of the new way: 500 entries by id.
    let batch = {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM audit_log ORDER BY id DESC LIMIT 500")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("id"))
            .collect();
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let started = Instant::now();
        let mut tx = db.begin().await.unwrap();
        sqlx::query(&format!(
            "UPDATE audit_log SET actor_label = REPLACE(actor_label, 'nobody <x@y>', 'x'), target_label = REPLACE(target_label, 'nobody <x@y>', 'x'),
                                  changes = REPLACE(changes, 'nobody <x@y>', 'x') WHERE id IN ({list})"
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        started.elapsed()
    };
    lines.push(format!(
        "| {name} | after: by person id, 500 entries per transaction | {:.0} ms | {:.0} ms | {:.0} ms |",
        batch.as_secs_f64() * 1000.0,
        took.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    ));
    eprintln!("{name}: erasure {lines:?}");
    lines
}

/// The audit log over 1,000,000 entries: its page with each filter (and the customer detail
/// page, which shows that customer's entries), and `audit/list` alone, in both statistics states.
async fn audit(name: &'static str, url: &str, db: &Db, customer: i64, o: &Options, report: &mut Report) {
    let now = app::backend::now();
    let day = |days_ago: i64| app::format::format_date(now - days_ago * 86_400);
    let (from, to) = (day(400), day(393));
    let filters: Vec<(&str, String, bool)> = vec![
        ("newest", String::new(), false),
        ("one action", "action=customer.disable".into(), false),
        ("a rare action", "action=partner_user.role_changed".into(), false),
        ("every customer action", "action=customer.".into(), false),
        ("one customer", format!("target=customer:{customer}"), false),
        ("one actor", format!("actor={ADMIN}"), false),
        ("acting as", "acting_as=customer".into(), false),
        ("a week a year ago", format!("from={from}&to={to}"), false),
        ("action + week", format!("action=customer.update&from={from}&to={to}"), false),
        ("operator, everything", String::new(), true),
        ("operator, no partner", "partner=0".into(), true),
    ];
    for statistics in [Statistics::Absent, Statistics::Present] {
        set_statistics(db, statistics).await;
        let server = Server::start(url).await;
        let mut admin = Client::signed_in(server.addr, ADMIN, PASSWORD).await;
        let mut operator = Client::signed_in(server.addr, OPERATOR, PASSWORD).await;
        let time = |what: String, detail: String, times: Vec<Duration>| {
            let (p50, p95, p99) = percentiles(times);
            eprintln!("{name} ({} statistics): {what} {detail}: p50 {p50:.1} ms, p95 {p95:.1} ms", statistics.label());
            Timing { db: name, statistics, what, detail, p50, p95, p99 }
        };
        for (label, query, as_operator) in &filters {
            let client = if *as_operator { &mut operator } else { &mut admin };
            let path =
                if query.is_empty() { "/settings/audit".to_string() } else { format!("/settings/audit?{query}") };
            let times = sample(client, Call::Page(&path), o.samples).await;
            report.pages.push(time(format!("Audit log `{path}`"), label.to_string(), times));
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let filter =
                app::types::audit::AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let body = serde_json::json!({ "filter": filter, "before": null }).to_string();
            let times = sample(client, Call::Json("audit/list", &body), o.samples).await;
            report.on_load.push(time("`audit/list`".into(), label.to_string(), times));
        }
        let path = format!("/customers/{customer}");
        let times = sample(&mut admin, Call::Page(&path), o.samples).await;
        report.pages.push(time(format!("Customer detail `{path}`"), "with its audit trail".into(), times));
    }
}

/// What one timed request asks for.
#[derive(Clone, Copy)]
enum Call<'a> {
    /// A whole page, as a first visit or reload gets it.
    Page(&'a str),
    /// A server function with its form body.
    Function(&'a str, &'a str),
    /// A server function that takes JSON.
    Json(&'a str, &'a str),
}

/// 10 warm-up calls, then `samples` timed ones, one at a time; every answer must be 200 OK.
async fn sample(client: &mut Client, call: Call<'_>, samples: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples + 10 {
        let started = Instant::now();
        let (status, body) = match call {
            Call::Page(path) => client.get(path).await,
            Call::Function(endpoint, form) => client.post(endpoint, form).await,
            Call::Json(endpoint, json) => client.post_json(endpoint, json).await,
        };
        let elapsed = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{body}");
        if let Call::Page(path) = call {
            assert!(body.contains("</html>"), "{path}: not a whole page");
        }
        if i >= 10 {
            times.push(elapsed);
        }
    }
    times
}

pub(crate) fn percentiles(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let pct = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64() * 1e3;
    (pct(0.50), pct(0.95), pct(0.99))
}

/// Every customer of the tenant as CSV (`/customers/export.csv`), read as it streams: rows per
/// second, time to the first byte, and how far the server's memory grows meanwhile.
async fn export(db: &str, server: &Server, admin: &Client) -> String {
    let mut client = admin.another(server.addr).await;
    let before = server.memory().0;
    let mut peak = before;
    let mut last_sample = Instant::now();
    let started = Instant::now();
    let (status, first_byte, bytes, lines) = client
        .download("/customers/export.csv", || {
            if last_sample.elapsed() >= Duration::from_millis(50) {
                peak = peak.max(server.memory().0);
                last_sample = Instant::now();
            }
        })
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(status, StatusCode::OK);
    let rows = lines.saturating_sub(1);
    let line = format!(
        "| {db} | {} | {:.1} s | {:.0} | {:.0} | {:.0} | {before:.0} | {peak:.0} | {:.0} |",
        group(rows as usize),
        elapsed,
        rows as f64 / elapsed,
        first_byte.as_secs_f64() * 1e3,
        bytes as f64 / 1_048_576.0,
        peak - before
    );
    eprintln!("{line}");
    line
}

/// 8 clients, each on its own keep-alive connection with the admin's session, open the filtered
/// list page back to back for `seconds`; the server's memory is read every 100 ms meanwhile.
async fn load(db: &str, server: &Server, admin: &Client, seconds: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..LOAD_CLIENTS {
        let mut client = admin.another(server.addr).await;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let (status, _) = client.get(LOAD_PAGE).await;
                assert_eq!(status, StatusCode::OK);
                times.push(started.elapsed());
            }
            times
        }));
    }
    let mut peak_rss: f64 = 0.0;
    while Instant::now() < deadline {
        peak_rss = peak_rss.max(server.memory().0);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let pages = times.len();
    let (p50, p95, _) = percentiles(times);
    let (_, high_water) = server.memory();
    let line = format!(
        "| {db} | {LOAD_CLIENTS} | {seconds} s | {:.0} | {p50:.1} | {p95:.1} | {peak_rss:.0} | {high_water:.0} |",
        pages as f64 / seconds as f64
    );
    eprintln!("{line}");
    line
}

struct Question {
    label: &'static str,
    endpoint: &'static str,
    query: String,
    matches: String,
}

/// The list's questions: the filters, searches and pages people ask for, and their counts.
async fn list_questions(db: &Db, tenant: i64, rows: usize) -> Vec<Question> {
    // A cursor half-way through the name order, as "Next" would have produced it.
    let middle = sqlx::query("SELECT id, name FROM customers WHERE tenant_id = $1 ORDER BY name, id LIMIT 1 OFFSET $2")
        .bind(tenant)
        .bind((rows / 2) as i64)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let deep = form_urlencoded::Serializer::new(String::new())
        .append_pair("after", &format!("{}~{}", middle.get::<String, _>("name"), middle.get::<i64, _>("id")))
        .finish();
    let common = format!("q={}", &SURNAMES[5].to_lowercase()[..5]);
    let rare = format!("q={}", &SURNAMES[SURNAMES.len() - 3].to_lowercase()[..5]);
    let asked: Vec<(&'static str, &'static str, String)> = vec![
        ("First page, by name", "customers/list", String::new()),
        ("Status + country filter", "customers/list", "status=active&country=DE".into()),
        ("City filter", "customers/list", "city=Lyon".into()),
        ("Search, common surname part", "customers/list", common.clone()),
        ("Search, rarer surname part", "customers/list", rare.clone()),
        ("Search, two letters, no match", "customers/list", "q=qx".into()),
        ("Deep keyset page (row n/2)", "customers/list", deep),
        ("Choice field filter (f.plan)", "customers/list", "f.plan=Premium".into()),
        ("Yes/no field filter, rare (f.key_account)", "customers/list", "f.key_account=yes".into()),
        ("Choice field + country", "customers/list", "f.plan=Premium&country=DE".into()),
        ("Search, a custom text value", "customers/list", format!("q=ac-{:07}", rows * 7 / 10 + 1)),
        ("A network's sub-accounts", "customers/list", format!("network={}", timed_customer(db, tenant).await)),
        (
            "Network filter, not a network",
            "customers/list",
            format!("network={}", data::plain_customer(db, tenant).await),
        ),
        ("Count, everything", "customers/count", String::new()),
        ("Count, status + country", "customers/count", "status=active&country=DE".into()),
        ("Count, city", "customers/count", "city=Lyon".into()),
        ("Count, common surname part", "customers/count", common),
        ("Count, rarer surname part", "customers/count", rare),
        ("Count, two letters, no match", "customers/count", "q=qx".into()),
        ("Count, choice field", "customers/count", "f.plan=Premium".into()),
        ("Count, yes/no field, rare", "customers/count", "f.key_account=yes".into()),
    ];
    let mut questions = Vec::new();
    for (label, endpoint, query) in asked {
        let matches = exact_matches(db, tenant, &query).await;
        questions.push(Question { label, endpoint, query, matches });
    }
    questions
}

/// How many customers really match (uncapped, unlike the count the list shows), for the table.
async fn exact_matches(db: &Db, tenant: i64, query: &str) -> String {
    use app::backend::customers::sql::{push_from_where, Access};
    use app::backend::sql::Sql;
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*) AS n");
    push_from_where(
        &mut sql,
        db.kind,
        tenant,
        &app::types::customers::query::CustomerQuery::from_query_string(query),
        Access::INDEXED,
    );
    group(sql.query().fetch_one(&db.pool).await.unwrap().get::<i64, _>("n") as usize)
}

fn group(n: usize) -> String {
    app::types::customers::CustomerCount::Exact(n as u64).number()
}

fn print_report(report: &Report, o: &Options) {
    if o.export_only {
        println!(
            "\n## Export of every customer (`GET /customers/export.csv`), {} customers, 3 custom fields\n",
            group(o.rows)
        );
        println!(
            "| Database | Rows | Time | Rows/s | First byte ms | MiB | RSS before MiB | RSS peak MiB | Growth MiB |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for line in &report.export {
            println!("{line}");
        }
        return;
    }
    let table = |title: &str, detail: &str, rows: &[Timing]| {
        println!("\n## {title}, {} customers in one tenant, {} samples each\n", group(o.rows), o.samples);
        println!("| Database | Statistics | What | {detail} | p50 ms | p95 ms | p99 ms |");
        println!("|---|---|---|---|---:|---:|---:|");
        for t in rows {
            println!(
                "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} |",
                t.db,
                t.statistics.label(),
                t.what,
                t.detail,
                t.p50,
                t.p95,
                t.p99
            );
        }
    };
    if o.load_only {
        println!(
            "\n## Load: {} partner users on one tenant of {} customers, {} s, about {} ms between actions\n",
            o.users,
            group(o.rows),
            o.load_seconds,
            o.think_ms
        );
        println!("| Database | Action | Answered | Throughput | p50 ms | p95 ms | p99 ms | 4xx | 5xx |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for line in &report.load {
            println!("{line}");
        }
        return;
    }
    if o.erasure_only {
        println!("\n## Erasing a person named in 300 of 1,000,000 audit entries\n");
        println!(
            "| Database | Rewrite | Longest transaction | Whole erasure | Worst wait of another write meanwhile |"
        );
        println!("|---|---|---:|---:|---:|");
        for line in &report.erasure {
            println!("{line}");
        }
        return;
    }
    if o.api_only {
        table("`GET /api/v1/customers` with an API key", "Request", &report.list);
        println!("\n## Writes and bulk changes with webhooks, current statistics\n");
        println!("| Database | Write | Without an endpoint: p50 / p95 / mean ms | With one subscribed | Mean cost |");
        println!("|---|---|---:|---:|---:|");
        for line in report.api.iter().filter(|l| l.contains("PATCH")) {
            println!("{line}");
        }
        println!();
        println!("| Database | Bulk change (`customers/set-status`, `{}`) | Took | Worst wait of another write | Delivered to a local receiver |", api::BULK);
        println!("|---|---|---:|---:|---|");
        for line in report.api.iter().filter(|l| !l.contains("PATCH")) {
            println!("{line}");
        }
        return;
    }
    if o.audit_only {
        table("Audit log pages over HTTP (1,000,000 entries)", "Filter", &report.pages);
        table("`audit/list` (1,000,000 entries)", "Filter", &report.on_load);
        return;
    }
    table("Full pages over HTTP", "Question", &report.pages);
    table("Server functions the pages call on load", "Called by", &report.on_load);
    table("The list's server functions", "Matches", &report.list);
    println!("\n## Throughput: `GET {LOAD_PAGE}`, current statistics\n");
    println!("| Database | Clients | Duration | Pages/s | p50 ms | p95 ms | Peak RSS MiB | RSS high-water MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for line in &report.load {
        println!("{line}");
    }
}
