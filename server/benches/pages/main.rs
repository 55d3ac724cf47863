//! The customer list at scale: builds a tenant with a million customers (by default) on SQLite
//! and on PostgreSQL, serves the real router on a local port, and times the list and count
//! server functions over HTTP. Run with `scripts/bench.sh` (see docs/PERFORMANCE.md).
//!
//! Options: `--rows N` (default 1,000,000), `--samples N` per question (default 200),
//! `--only sqlite|postgres`. The databases are kept between runs (SQLite under
//! `target/bench/`, PostgreSQL as `clientele_bench_<rows>`), so only the first run pays for
//! the data; `--fresh` rebuilds them.

mod data;

use app::backend::{AppState, Db, SecurityConfig};
use data::{ensure_data, SURNAMES};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use sqlx::Row;
use std::net::SocketAddr;
use std::time::Instant;

const ADMIN: &str = "admin@bench.test";
const PASSWORD: &str = "bench-password";
const BATCH: usize = 500;

struct Options {
    rows: usize,
    samples: usize,
    only: Option<String>,
    fresh: bool,
}

fn options() -> Options {
    let mut o = Options { rows: 1_000_000, samples: 200, only: None, fresh: false };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rows" => o.rows = args.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--samples" => o.samples = args.next().and_then(|v| v.parse().ok()).expect("--samples N"),
            "--only" => o.only = args.next(),
            "--fresh" => o.fresh = true,
            // `cargo bench` passes `--bench`; anything else is a mistake worth stopping for.
            "--bench" => {}
            other => panic!("unknown option {other}; see the comment at the top of benches/customer_list.rs"),
        }
    }
    o
}

fn main() {
    let o = options();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let mut reports = Vec::new();
        if o.only.as_deref().is_none_or(|d| d == "sqlite") {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
            std::fs::create_dir_all(dir).unwrap();
            let path = format!("{dir}/clientele-bench-{}.db", o.rows);
            if o.fresh {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            let db = Db::connect(&format!("sqlite://{path}?mode=rwc")).await.expect("sqlite");
            reports.push(("SQLite", bench(db, &o).await));
        }
        if o.only.as_deref().is_none_or(|d| d == "postgres") {
            let db = postgres(&o).await;
            reports.push(("PostgreSQL", bench(db, &o).await));
        }
        println!(
            "\n## Customer list over HTTP, {} customers in one tenant, {} samples each\n",
            group(o.rows),
            o.samples
        );
        println!("| Database | Question | Matches | p50 ms | p95 ms | p99 ms |");
        println!("|---|---|---:|---:|---:|---:|");
        for (db, rows) in &reports {
            for r in rows {
                println!("| {db} | {} | {} | {:.1} | {:.1} | {:.1} |", r.question, r.matches, r.p50, r.p95, r.p99);
            }
        }
    });
}

async fn postgres(o: &Options) -> Db {
    use sqlx::{Connection, Executor};
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
    Db::connect(&format!("{base}/{name}")).await.expect("bench database")
}

struct Report {
    question: &'static str,
    matches: String,
    p50: f64,
    p95: f64,
    p99: f64,
}

async fn bench(db: Db, o: &Options) -> Vec<Report> {
    let tenant = ensure_data(&db, o.rows).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        leptos_options: leptos::config::LeptosOptions::builder().output_name("clientele").build(),
        db: db.clone(),
        security: SecurityConfig::default(),
        mail: Default::default(),
    };
    let server = tokio::spawn(async move {
        axum::serve(listener, server::router(state).into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let mut client = Client::connect(addr).await;
    client.sign_in().await;

    // A cursor half-way through the name order, as "Next" would have produced it.
    let middle = sqlx::query("SELECT id, name FROM customers WHERE tenant_id = $1 ORDER BY name, id LIMIT 1 OFFSET $2")
        .bind(tenant)
        .bind((o.rows / 2) as i64)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let deep = form_urlencoded::Serializer::new(String::new())
        .append_pair("after", &format!("{}~{}", middle.get::<String, _>("name"), middle.get::<i64, _>("id")))
        .finish();
    let common = format!("q={}", &SURNAMES[5].to_lowercase()[..5]);
    let rare = format!("q={}", &SURNAMES[SURNAMES.len() - 3].to_lowercase()[..5]);
    let questions: Vec<(&'static str, &str, String)> = vec![
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
        ("Search, a custom text value", "customers/list", format!("q=ac-{:07}", o.rows * 7 / 10 + 1)),
        ("Count, everything", "customers/count", String::new()),
        ("Count, status + country", "customers/count", "status=active&country=DE".into()),
        ("Count, city", "customers/count", "city=Lyon".into()),
        ("Count, common surname part", "customers/count", common),
        ("Count, rarer surname part", "customers/count", rare),
        ("Count, two letters, no match", "customers/count", "q=qx".into()),
        ("Count, choice field", "customers/count", "f.plan=Premium".into()),
        ("Count, yes/no field, rare", "customers/count", "f.key_account=yes".into()),
    ];
    let mut reports = Vec::new();
    for (question, endpoint, query) in questions {
        let form = form_urlencoded::Serializer::new(String::new()).append_pair("query", &query).finish();
        let matches = exact_matches(&db, tenant, &query).await;
        for _ in 0..10 {
            client.post(endpoint, &form).await;
        }
        let mut times = Vec::with_capacity(o.samples);
        for _ in 0..o.samples {
            let started = Instant::now();
            let (status, body) = client.post(endpoint, &form).await;
            times.push(started.elapsed());
            assert_eq!(status, StatusCode::OK, "{question}: {body}");
        }
        times.sort();
        let pct =
            |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64() * 1e3;
        let report = Report { question, matches, p50: pct(0.50), p95: pct(0.95), p99: pct(0.99) };
        eprintln!("{:?}: {question} ({}): p50 {:.1} ms, p95 {:.1} ms", db.kind, report.matches, report.p50, report.p95);
        reports.push(report);
    }
    server.abort();
    reports
}

/// A keep-alive HTTP/1.1 connection carrying the session cookie, as a browser tab would.
struct Client {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    cookie: Option<String>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        Self { sender, host: addr.to_string(), cookie: None }
    }

    async fn post(&mut self, endpoint: &str, form: &str) -> (StatusCode, String) {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, &self.host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.sender.ready().await.expect("the server closed the connection");
        let response = self
            .sender
            .send_request(request.body(Full::new(Bytes::from(form.to_string()))).unwrap())
            .await
            .unwrap_or_else(|e| panic!("POST /api/{endpoint}: {e}"));
        let status = response.status();
        if let Some(set) = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = set.split(';').next().map(str::to_string);
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    async fn sign_in(&mut self) {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", ADMIN)
            .append_pair("password", PASSWORD)
            .finish();
        let (status, body) = self.post("login", &form).await;
        assert!(status.is_success() || status.is_redirection(), "sign-in failed: {status} {body}");
        assert!(self.cookie.is_some(), "no session cookie");
    }
}

/// How many customers really match (uncapped, unlike the count the list shows), for the table.
async fn exact_matches(db: &Db, tenant: i64, query: &str) -> String {
    use app::backend::customers::sql::{push_from_where, Access, Sql};
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
