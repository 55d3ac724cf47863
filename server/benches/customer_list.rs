//! The customer list at scale: builds a tenant with a million customers (by default) on SQLite
//! and on PostgreSQL, serves the real router on a local port, and times the list and count
//! server functions over HTTP. Run with `scripts/bench.sh` (see docs/PERFORMANCE.md).
//!
//! Options: `--rows N` (default 1,000,000), `--samples N` per question (default 200),
//! `--only sqlite|postgres`. The databases are kept between runs (SQLite under
//! `target/bench/`, PostgreSQL as `clientele_bench_<rows>`), so only the first run pays for
//! the data; `--fresh` rebuilds them.

use app::backend::{customers::search_text, seed, AppState, Db, SecurityConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
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

/// The bench tenant with `rows` customers (and a small second tenant, so every query must
/// really filter by tenant), created unless already there.
async fn ensure_data(db: &Db, rows: usize) -> i64 {
    if let Some(row) =
        sqlx::query("SELECT id FROM tenants WHERE slug = 'bench'").fetch_optional(&db.pool).await.unwrap()
    {
        let tenant: i64 = row.get("id");
        let have: i64 = sqlx::query("SELECT COUNT(*) AS n FROM customers WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get("n");
        assert_eq!(have as usize, rows, "the kept bench database is incomplete; run with --fresh");
        let fields: i64 = sqlx::query("SELECT COUNT(*) AS n FROM custom_fields WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get("n");
        assert_eq!(fields, 3, "the kept bench database predates its custom fields; run with --fresh");
        return tenant;
    }
    let started = Instant::now();
    let other = seed::create_tenant(db, "Other Partner", "bench-other").await.unwrap();
    insert_customers(db, other, 10_000, 2, None).await;
    let tenant = seed::create_tenant(db, "Bench Partner", "bench").await.unwrap();
    let person = seed::create_person(db, ADMIN, "Bench Admin", PASSWORD).await.unwrap();
    seed::add_partner_user(db, person, tenant, "partner_admin").await.unwrap();
    let fields = create_custom_fields(db, tenant).await;
    insert_customers(db, tenant, rows, 1, Some(fields)).await;
    // The steady state autovacuum keeps a live PostgreSQL in: statistics for the planner, and a
    // visibility map that lets counts read the filter indexes alone. Until autovacuum has run
    // after a bulk import, filter counts read the table (12-20 ms instead of 2 at a million).
    let settle = if db.is_postgres() { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::query(settle).execute(&db.pool).await.unwrap();
    eprintln!("{:?}: {} customers written in {:.0?}", db.kind, group(rows), started.elapsed());
    tenant
}

/// The bench tenant's custom fields: ids of (plan, key account, account code).
#[derive(Clone, Copy)]
struct BenchFields {
    plan: i64,
    key_account: i64,
    account_code: i64,
}

/// A choice field most customers have a value in, a yes/no field a few answer "yes", and a text
/// code every customer has (which joins the search).
async fn create_custom_fields(db: &Db, tenant: i64) -> BenchFields {
    let mut ids = Vec::new();
    for (position, (key, label, kind, options)) in [
        ("plan", "Plan", "choice", r#"["Basic","Standard","Premium"]"#),
        ("key_account", "Key account", "yes_no", "[]"),
        ("account_code", "Account code", "text", "[]"),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query("INSERT INTO custom_fields (tenant_id, key, label, kind, options, position) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(tenant)
            .bind(key)
            .bind(label)
            .bind(kind)
            .bind(options)
            .bind(position as i64 + 1)
            .execute(&db.pool)
            .await
            .unwrap();
        let id: i64 = sqlx::query("SELECT id FROM custom_fields WHERE tenant_id = $1 AND key = $2")
            .bind(tenant)
            .bind(key)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get("id");
        ids.push(id);
    }
    BenchFields { plan: ids[0], key_account: ids[1], account_code: ids[2] }
}

const FIRST: [&str; 24] = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
    "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara",
];
/// Picked with weights 1/rank, as surnames are in life: the first few are everywhere, the
/// last few rare.
const SURNAMES: [&str; 60] = [
    "Smith",
    "Müller",
    "García",
    "Rossi",
    "Martin",
    "Schneider",
    "Johnson",
    "Nowak",
    "Dubois",
    "Jansen",
    "Fischer",
    "López",
    "Bianchi",
    "Kowalski",
    "Andersson",
    "Brown",
    "Weber",
    "Moreau",
    "de Vries",
    "Romano",
    "Wagner",
    "Fernández",
    "Wójcik",
    "Nilsson",
    "Taylor",
    "Becker",
    "Laurent",
    "Bakker",
    "Colombo",
    "Hoffmann",
    "Martínez",
    "Kamiński",
    "Larsson",
    "Wilson",
    "Schulz",
    "Lefebvre",
    "Visser",
    "Ricci",
    "Koch",
    "Sánchez",
    "Lewandowski",
    "Olsen",
    "Davies",
    "Richter",
    "Girard",
    "Smit",
    "Marino",
    "Klein",
    "Pérez",
    "Zieliński",
    "Hansen",
    "Evans",
    "Wolf",
    "Bonnet",
    "Meijer",
    "Greco",
    "Neumann",
    "Gómez",
    "Szymański",
    "Halvorsen",
];
const PLACES: [(&str, &str); 24] = [
    ("DE", "Berlin"),
    ("DE", "Munich"),
    ("DE", "Hamburg"),
    ("DE", "Cologne"),
    ("FR", "Paris"),
    ("FR", "Lyon"),
    ("FR", "Toulouse"),
    ("GB", "London"),
    ("GB", "Manchester"),
    ("NL", "Amsterdam"),
    ("NL", "Utrecht"),
    ("ES", "Madrid"),
    ("ES", "Barcelona"),
    ("IT", "Milan"),
    ("IT", "Rome"),
    ("US", "New York"),
    ("US", "Austin"),
    ("US", "Seattle"),
    ("CA", "Toronto"),
    ("SE", "Stockholm"),
    ("PL", "Warsaw"),
    ("CH", "Zurich"),
    ("NO", "Oslo"),
    ("DK", "Copenhagen"),
];
const WORDS: [&str; 20] = [
    "Alpine", "Harbor", "Granite", "Silver", "Maple", "Cobalt", "Summit", "Willow", "Aurora", "Beacon", "Cedar",
    "Delta", "Ember", "Falcon", "Juniper", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer",
];
const TRADES: [&str; 12] = [
    "Bakery",
    "Dental",
    "Logistics",
    "Consulting",
    "Studio",
    "Clinic",
    "Hotels",
    "Motors",
    "Foods",
    "Labs",
    "Legal",
    "Fitness",
];

fn surname(rng: &mut StdRng) -> &'static str {
    let total: f64 = (1..=SURNAMES.len()).map(|r| 1.0 / r as f64).sum();
    let mut pick = rng.gen_range(0.0..total);
    for (rank, name) in SURNAMES.iter().enumerate() {
        pick -= 1.0 / (rank + 1) as f64;
        if pick <= 0.0 {
            return name;
        }
    }
    SURNAMES[SURNAMES.len() - 1]
}

/// Writes customers in multi-row INSERTs, a few thousand per transaction. Every hundredth is
/// a network; one in ten of the others is a sub-account of an earlier network; one in ten is
/// disabled. With `fields`, 60% have a plan (Basic, Standard, Premium as 5:3:2), 40% answer
/// "key account" (one in twenty-five of them "yes"), and every one has an account code.
/// One customer row as `insert_customers` binds it (id, name, city, country, contact first and
/// last name, email, phone, parent, status, created, search text).
type CustomerValues<'a> =
    (i64, String, &'a str, &'a str, &'a str, &'a str, String, String, Option<i64>, &'a str, i64, String);

async fn insert_customers(db: &Db, tenant: i64, rows: usize, rng_seed: u64, fields: Option<BenchFields>) {
    let mut rng = StdRng::seed_from_u64(rng_seed);
    let start = app::backend::now() - 5 * 365 * 86_400;
    let mut networks: Vec<i64> = Vec::new();
    let mut next_id: i64 =
        sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM customers").fetch_one(&db.pool).await.unwrap().get("n");
    let mut written = 0;
    while written < rows {
        let n = BATCH.min(rows - written);
        let mut sql = String::from(
            "INSERT INTO customers (id, tenant_id, name, city, country, contact_first_name, contact_last_name,
             contact_email, phone_primary, parent_id, status, status_changed_at, created_at, updated_at, search_text) VALUES ",
        );
        let mut values: Vec<CustomerValues> = Vec::new();
        let mut custom: Vec<(i64, i64, String)> = Vec::new();
        for i in 0..n {
            let index = written + i;
            let (country, city) = PLACES[rng.gen_range(0..PLACES.len())];
            let first = FIRST[rng.gen_range(0..FIRST.len())];
            let last = surname(&mut rng);
            let is_network = index % 100 == 0;
            let name = if is_network {
                format!("{} Group {} {}", WORDS[rng.gen_range(0..WORDS.len())], city, index + 1)
            } else {
                format!(
                    "{} {} {}",
                    WORDS[rng.gen_range(0..WORDS.len())],
                    TRADES[rng.gen_range(0..TRADES.len())],
                    index + 1
                )
            };
            let parent = (!is_network && !networks.is_empty() && rng.gen_bool(0.1))
                .then(|| networks[rng.gen_range(0..networks.len())]);
            let email =
                format!("{}.{}{}@example.test", first.to_lowercase(), last.to_lowercase().replace(' ', ""), index + 1);
            let phone = format!(
                "+{} {:03} {:07}",
                30 + rng.gen_range(0..20),
                rng.gen_range(100..999),
                rng.gen_range(0..9_999_999)
            );
            let status = if !is_network && rng.gen_bool(0.1) { "disabled" } else { "active" };
            let created = start + rng.gen_range(0..5 * 365 * 86_400);
            let (mut plan, mut code) = (None, None);
            if let Some(f) = fields {
                if rng.gen_bool(0.6) {
                    let p = [
                        "Basic", "Basic", "Basic", "Basic", "Basic", "Standard", "Standard", "Standard", "Premium",
                        "Premium",
                    ][rng.gen_range(0..10)];
                    plan = Some(p);
                    custom.push((next_id, f.plan, p.to_string()));
                }
                if rng.gen_bool(0.4) {
                    custom.push((next_id, f.key_account, if rng.gen_bool(0.04) { "yes" } else { "no" }.to_string()));
                }
                let c = format!("AC-{:07}", index + 1);
                code = Some(c.clone());
                custom.push((next_id, f.account_code, c));
            }
            // The same composition as the app's own (built-in fields, then custom values but yes/no).
            let text = search_text(&[
                Some(&name),
                Some(first),
                Some(last),
                Some(&email),
                Some(&phone),
                None,
                Some(city),
                plan,
                code.as_deref(),
            ]);
            if is_network {
                networks.push(next_id);
            }
            values.push((next_id, name, city, country, first, last, email, phone, parent, status, created, text));
            next_id += 1;
        }
        for i in 0..n {
            let b = i * 14;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12,
                b + 12,
                b + 13,
                b + 14
            ));
        }
        let mut query = sqlx::query(&sql);
        for (id, name, city, country, first, last, email, phone, parent, status, created, text) in values {
            query = query
                .bind(id)
                .bind(tenant)
                .bind(name)
                .bind(city)
                .bind(country)
                .bind(first)
                .bind(last)
                .bind(email)
                .bind(phone)
                .bind(parent)
                .bind(status)
                .bind(created)
                .bind(created)
                .bind(text);
        }
        query.execute(&db.pool).await.unwrap();
        if !custom.is_empty() {
            let placeholders: Vec<String> =
                (0..custom.len()).map(|i| format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3)).collect();
            let sql = format!(
                "INSERT INTO customer_field_values (customer_id, field_id, value) VALUES {}",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (customer, field, value) in custom {
                query = query.bind(customer).bind(field).bind(value);
            }
            query.execute(&db.pool).await.unwrap();
        }
        written += n;
        if written % 100_000 == 0 {
            eprintln!("{:?}: {} / {}", db.kind, group(written), group(rows));
        }
    }
    if db.is_postgres() {
        // Explicit ids bypassed the sequence; move it past them.
        sqlx::query("SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))")
            .execute(&db.pool)
            .await
            .unwrap();
    }
}

fn group(n: usize) -> String {
    app::types::customers::CustomerCount::Exact(n as u64).number()
}
