//! The benchmark's data: a tenant with `rows` customers that look like real ones (surnames
//! weighted by rank, places, networks, custom values), written in multi-row INSERTs, plus the
//! people who sign in (its partner admin, a platform operator) and one customer's users.

use crate::{group, ADMIN, OPERATOR, PASSWORD};

const BATCH: usize = 500;
/// Users of the customer whose users page is timed.
const CUSTOMER_USERS: usize = 25;
use app::backend::{customers::search_text::search_text, seed, Db};
use app::types::customer_users::AccountRole;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::time::Instant;

/// The bench tenant with `rows` customers (and a small second tenant, so every query must
/// really filter by tenant), created unless already there.
pub(crate) async fn ensure_data(db: &Db, rows: usize) -> i64 {
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
        ensure_people(db, tenant).await;
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
    ensure_people(db, tenant).await;
    tenant
}

/// A platform operator (for the operator pages) and the users of the first network by name
/// (whose detail and users pages are timed); added to a kept database that lacks them.
async fn ensure_people(db: &Db, tenant: i64) {
    let exists = |email: &'static str| async move {
        sqlx::query("SELECT id FROM persons WHERE email = $1").bind(email).fetch_optional(&db.pool).await.unwrap()
    };
    if exists(OPERATOR).await.is_none() {
        let person = seed::create_person(db, OPERATOR, "Bench Operator", PASSWORD).await.unwrap();
        seed::make_operator(db, person).await.unwrap();
    }
    let customer = timed_customer(db, tenant).await;
    let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE customer_id = $1")
        .bind(customer)
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("n");
    for i in users as usize..CUSTOMER_USERS {
        let email = format!("user{i}@customer.bench.test");
        let person = seed::create_person(db, &email, &format!("Customer User {i}"), PASSWORD).await.unwrap();
        let role = if i == 0 { AccountRole::Owner } else { AccountRole::Member };
        seed::add_customer_user(db, person, tenant, customer, role).await.unwrap();
    }
}

/// The customer whose detail and users pages are timed: the first network by name, so the
/// page shows sub-accounts too.
pub(crate) async fn timed_customer(db: &Db, tenant: i64) -> i64 {
    sqlx::query(
        "SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.parent_id IS NULL
         AND EXISTS (SELECT 1 FROM customers s WHERE s.parent_id = c.id) ORDER BY c.name, c.id LIMIT 1",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get("id")
}

/// A customer outside any network and without sub-accounts (most are): the first by id.
pub(crate) async fn plain_customer(db: &Db, tenant: i64) -> i64 {
    sqlx::query(
        "SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.parent_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM customers s WHERE s.parent_id = c.id) ORDER BY c.id LIMIT 1",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get("id")
}

/// The bench tenant's custom fields: ids of (plan, key account, account code).
#[derive(Clone, Copy)]
pub(crate) struct BenchFields {
    plan: i64,
    key_account: i64,
    account_code: i64,
}

/// A choice field most customers have a value in, a yes/no field a few answer "yes", and a text
/// code every customer has (which joins the search).
pub(crate) async fn create_custom_fields(db: &Db, tenant: i64) -> BenchFields {
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

pub(crate) const FIRST: [&str; 24] = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
    "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara",
];
/// Picked with weights 1/rank, as surnames are in life: the first few are everywhere, the
/// last few rare.
pub(crate) const SURNAMES: [&str; 60] = [
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
pub(crate) const PLACES: [(&str, &str); 24] = [
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
pub(crate) const WORDS: [&str; 20] = [
    "Alpine", "Harbor", "Granite", "Silver", "Maple", "Cobalt", "Summit", "Willow", "Aurora", "Beacon", "Cedar",
    "Delta", "Ember", "Falcon", "Juniper", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer",
];
pub(crate) const TRADES: [&str; 12] = [
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

pub(crate) fn surname(rng: &mut StdRng) -> &'static str {
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

/// One customer row as `insert_customers` binds it (id, name, city, country, contact first and
/// last name, email, phone, parent, status, created, search text).
type CustomerValues<'a> =
    (i64, String, &'a str, &'a str, &'a str, &'a str, String, String, Option<i64>, &'a str, i64, String);

/// Writes customers in multi-row INSERTs, a few thousand per transaction. Every hundredth is
/// a network; one in ten of the others is a sub-account of an earlier network; one in ten is
/// disabled. With `fields`, 60% have a plan (Basic, Standard, Premium as 5:3:2), 40% answer
/// "key account" (one in twenty-five of them "yes"), and every one has an account code.
pub(crate) async fn insert_customers(db: &Db, tenant: i64, rows: usize, rng_seed: u64, fields: Option<BenchFields>) {
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

/// Audit entries the audit-log bench reads (`--audit-only`).
pub(crate) const AUDIT_ENTRIES: usize = 1_000_000;

/// A log of `entries` entries over the last two years, in time order as a live log is written:
/// nine in ten about the bench tenant, most of them customer edits, some sign-ins, a few
/// made while viewing as a customer, and some of another partner or of the instance. Added to a
/// kept database that has fewer.
pub(crate) async fn ensure_audit(db: &Db, tenant: i64, entries: usize) {
    let have: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log").fetch_one(&db.pool).await.unwrap().get("n");
    if have as usize >= entries {
        return;
    }
    let started = Instant::now();
    let have_max: i64 =
        sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM audit_log").fetch_one(&db.pool).await.unwrap().get("n");
    let id_of =
        |sql: &'static str| async move { sqlx::query(sql).fetch_one(&db.pool).await.unwrap().get::<i64, _>("id") };
    let other = id_of("SELECT id FROM tenants WHERE slug = 'bench-other'").await;
    let admin: i64 =
        sqlx::query("SELECT id FROM persons WHERE email = $1").bind(ADMIN).fetch_one(&db.pool).await.unwrap().get("id");
    let (first, last): (i64, i64) = {
        let r = sqlx::query("SELECT MIN(id) AS a, MAX(id) AS b FROM customers WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        (r.get("a"), r.get("b"))
    };
    let mut rng = StdRng::seed_from_u64(14);
    let now = app::backend::now();
    let span = 2 * 365 * 86_400;
    let todo = entries - have as usize;
    const ACTIONS: [(&str, u32); 9] = [
        ("customer.update", 50),
        ("auth.sign_in", 20),
        ("customer.disable", 8),
        ("customer.activate", 7),
        ("customer.create", 5),
        ("customer_user.invite", 5),
        ("impersonation.start", 2),
        ("consent.set", 2),
        ("partner_user.role_changed", 1),
    ];
    let total: u32 = ACTIONS.iter().map(|(_, w)| w).sum();
    for start in (0..todo).step_by(BATCH) {
        let n = BATCH.min(todo - start);
        let mut sql = String::from(
            "INSERT INTO audit_log (at, actor_person_id, actor_label, acting_as, tenant_id, action, target_type, target_id, target_label, changes) VALUES ",
        );
        for i in 0..n {
            let k = (have as usize + start + i) as i64;
            let at = now - span + k * span / entries as i64;
            let mut pick = rng.gen_range(0..total);
            let action = ACTIONS
                .iter()
                .find(|(_, w)| {
                    if pick < *w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .unwrap()
                .0;
            let roll = rng.gen_range(0..100);
            let tenant_sql = match roll {
                0..90 => tenant.to_string(),
                90..98 => other.to_string(),
                _ => "NULL".to_string(),
            };
            let actor = if rng.gen_range(0..10) < 6 { admin } else { 100_000 + rng.gen_range(0..50) };
            let customer = rng.gen_range(first..=last);
            let acting = if action == "impersonation.start" || (action == "consent.set" && rng.gen_range(0..2) == 0) {
                format!("'Customer {customer} (customer #{customer})'")
            } else {
                "NULL".into()
            };
            let (target_type, target_id, changes) = match action {
                "auth.sign_in" => ("person", actor, "NULL".to_string()),
                "customer_user.invite" => ("customer_user", 500_000 + k, "'{\"role\":[null,\"member\"]}'".to_string()),
                "partner_user.role_changed" => {
                    ("partner_user", 1 + k % 40, "'{\"role\":[\"Viewer\",\"Support\"]}'".to_string())
                }
                _ => ("customer", customer, format!("'{{\"city\":[\"Berlin\",\"Town {}\"]}}'", k % 997)),
            };
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({at}, {actor}, 'Bench Person {actor} <p{actor}@bench.test>', {acting}, {tenant_sql}, '{action}', '{target_type}', {target_id}, 'Target {target_id}', {changes})"
            ));
        }
        sqlx::query(&sql).execute(&db.pool).await.unwrap();
    }
    // The people each entry names, as `audit::record` lists them (actor, person targets).
    sqlx::query(
        "INSERT INTO audit_log_people (person_id, entry_id)
         SELECT actor_person_id, id FROM audit_log WHERE actor_person_id IS NOT NULL AND id > $1
         UNION SELECT target_id, id FROM audit_log WHERE target_type = 'person' AND target_id IS NOT NULL AND id > $1",
    )
    .bind(have_max)
    .execute(&db.pool)
    .await
    .unwrap();
    let settle = if db.is_postgres() { "VACUUM ANALYZE audit_log" } else { "ANALYZE audit_log" };
    sqlx::query(settle).execute(&db.pool).await.unwrap();
    eprintln!("{:?}: {} audit entries written in {:.0?}", db.kind, group(todo), started.elapsed());
}
