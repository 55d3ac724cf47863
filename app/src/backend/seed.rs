//! Demo data (the server's `--demo` flag) and the small builders it is made of, which the
//! integration tests use too. Seeding is idempotent: a partner that exists is left alone.

use super::{now, password, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

pub const DEMO_PASSWORD: &str = "clientele-demo";

/// The built-in roles seeded by the first migration, by key.
pub const BUILTIN_ROLES: [(&str, &str); 4] =
    [("partner_admin", "admin"), ("account_manager", "manager"), ("support", "support"), ("viewer", "viewer")];

pub async fn create_tenant(db: &Db, name: &str, slug: &str) -> Result<i64, sqlx::Error> {
    let at = now();
    sqlx::query("INSERT INTO tenants (name, slug, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
        .bind(name)
        .bind(slug)
        .bind(at)
        .fetch_one(&db.pool)
        .await?
        .try_get("id")
}

/// Creates a person with a password (hashed here), returning the id.
pub async fn create_person(db: &Db, email: &str, full_name: &str, password_plain: &str) -> Result<i64, sqlx::Error> {
    let hash = password::hash(password_plain);
    let at = now();
    sqlx::query(
        "INSERT INTO persons (email, full_name, password_hash, created_at, updated_at, email_verified_at)
         VALUES ($1, $2, $3, $4, $4, $4) RETURNING id",
    )
    .bind(crate::types::forms::normalize_email(email))
    .bind(full_name)
    .bind(hash)
    .bind(at)
    .fetch_one(&db.pool)
    .await?
    .try_get("id")
}

pub async fn make_operator(db: &Db, person_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO memberships (person_id, kind, created_at) VALUES ($1, 'operator', $2)")
        .bind(person_id)
        .bind(now())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Makes a person a partner user of a tenant with a role by key: a built-in one (e.g. "viewer")
/// or one of the tenant's own (`create_role`).
pub async fn add_partner_user(db: &Db, person_id: i64, tenant_id: i64, role_key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, role_id, created_at)
         SELECT $1, 'partner', $2, id, $3 FROM roles WHERE (tenant_id IS NULL OR tenant_id = $2) AND key = $4",
    )
    .bind(person_id)
    .bind(tenant_id)
    .bind(now())
    .bind(role_key)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A tenant's own role, granting nothing until permissions are added to it.
pub async fn create_role(db: &Db, tenant_id: i64, key: &str, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("INSERT INTO roles (tenant_id, key, name) VALUES ($1, $2, $3) RETURNING id")
        .bind(tenant_id)
        .bind(key)
        .bind(name)
        .fetch_one(&db.pool)
        .await?
        .try_get("id")
}

/// Gives a person access to a customer account, active at once (no invitation).
pub async fn add_customer_user(
    db: &Db,
    person_id: i64,
    tenant_id: i64,
    customer_id: i64,
    role: crate::types::customer_users::AccountRole,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, customer_id, customer_role, created_at)
         VALUES ($1, 'customer', $2, $3, $4, $5)",
    )
    .bind(person_id)
    .bind(tenant_id)
    .bind(customer_id)
    .bind(role.key())
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A custom field of a tenant (`options`: the choices of a choice field), appended last.
pub async fn add_custom_field(
    db: &Db,
    tenant_id: i64,
    key: &str,
    label: &str,
    kind: crate::types::field_config::CustomFieldKind,
    options: &[&str],
) -> Result<i64, sqlx::Error> {
    let options = serde_json::to_string(options).expect("strings encode as JSON");
    sqlx::query(
        "INSERT INTO custom_fields (tenant_id, key, label, kind, options, position)
         SELECT $1, $2, $3, $4, $5, COALESCE(MAX(position), 0) + 1 FROM custom_fields WHERE tenant_id = $1
         RETURNING id",
    )
    .bind(tenant_id)
    .bind(key)
    .bind(label)
    .bind(kind.key())
    .bind(options)
    .fetch_one(&db.pool)
    .await?
    .try_get("id")
}

/// Stores one custom value of a customer, as the form would.
pub async fn set_custom_value(db: &Db, customer_id: i64, field_id: i64, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO customer_field_values (customer_id, field_id, value) VALUES ($1, $2, $3)")
        .bind(customer_id)
        .bind(field_id)
        .bind(value)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The fields of a new customer that the demo and tests vary.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub name: String,
    pub city: Option<String>,
    pub country: Option<String>,
    pub contact_first_name: Option<String>,
    pub contact_last_name: Option<String>,
    pub contact_email: Option<String>,
    pub phone_primary: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub parent_id: Option<i64>,
    pub disabled: bool,
    pub created_at: Option<i64>,
    pub workflow: Option<String>,
}

pub async fn insert_customer(
    conn: &mut sqlx::AnyConnection,
    tenant_id: i64,
    c: &NewCustomer,
) -> Result<i64, sqlx::Error> {
    let at = c.created_at.unwrap_or_else(now);
    sqlx::query(
        "INSERT INTO customers (tenant_id, name, street, city, postal_code, country, contact_first_name,
                                contact_last_name, contact_email, phone_primary, parent_id, status,
                                status_changed_at, created_at, updated_at, search_text, workflow)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $14, $15) RETURNING id",
    )
    .bind(tenant_id)
    .bind(&c.name)
    .bind(&c.street)
    .bind(&c.city)
    .bind(&c.postal_code)
    .bind(&c.country)
    .bind(&c.contact_first_name)
    .bind(&c.contact_last_name)
    .bind(&c.contact_email)
    .bind(&c.phone_primary)
    .bind(c.parent_id)
    .bind(if c.disabled { "disabled" } else { "active" })
    .bind(at)
    .bind(super::customers::search_text::search_text(&[
        Some(&c.name),
        c.contact_first_name.as_deref(),
        c.contact_last_name.as_deref(),
        c.contact_email.as_deref(),
        c.phone_primary.as_deref(),
        c.city.as_deref(),
    ]))
    .bind(&c.workflow)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")
}

const PARTNERS: [(&str, &str, u64); 2] = [("Northwind Telecom", "northwind", 1), ("Bluebird Networks", "bluebird", 2)];
const CUSTOMERS_PER_PARTNER: usize = 1000;

/// What `--demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSeed {
    Seeded,
    AlreadyPresent,
    /// The database holds people who are not the demo's: demo accounts with their public
    /// password must never be added to a real instance.
    RefusedOtherData,
}

/// Seeds the demo instance into an empty database, or completes one that holds only the demo's
/// people. A database with anyone else in it is never written to: demo passwords are public, and
/// a real instance must not gain (or regain, after its operator removed them) accounts anyone can
/// sign in to. Such a database starts as it is when the demo is already complete, and is refused
/// when the demo would have to add anything.
pub async fn demo(db: &Db) -> Result<DemoSeed, sqlx::Error> {
    let demo_people = demo_emails();
    let mut outsiders = 0;
    for row in sqlx::query("SELECT email FROM persons").fetch_all(&db.pool).await? {
        if !demo_people.contains(&row.try_get::<String, _>("email")?) {
            outsiders += 1;
        }
    }
    if outsiders > 0 {
        return Ok(if demo_complete(db).await? { DemoSeed::AlreadyPresent } else { DemoSeed::RefusedOtherData });
    }
    Ok(if demo_data(db).await? { DemoSeed::Seeded } else { DemoSeed::AlreadyPresent })
}

/// Every person the demo creates.
pub fn demo_emails() -> Vec<String> {
    let mut emails = vec![DEMO_OPERATOR.to_string()];
    for (_, slug, _) in PARTNERS {
        emails.extend(BUILTIN_ROLES.iter().map(|(_, local)| format!("{local}@{slug}.test")));
    }
    emails
}

/// Whether `demo_data` would write nothing: the demo operator and every demo partner are there.
async fn demo_complete(db: &Db) -> Result<bool, sqlx::Error> {
    if person_id(db, DEMO_OPERATOR).await?.is_none() {
        return Ok(false);
    }
    for (_, slug, _) in PARTNERS {
        if sqlx::query("SELECT id FROM tenants WHERE slug = $1").bind(slug).fetch_optional(&db.pool).await?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

const DEMO_OPERATOR: &str = "operator@clientele.test";

/// Writes whatever part of the demo is missing, whatever else the database holds (tests build on
/// it; the server goes through [`demo`]). Returns true when it wrote anything.
pub async fn demo_data(db: &Db) -> Result<bool, sqlx::Error> {
    let mut wrote = false;
    if person_id(db, DEMO_OPERATOR).await?.is_none() {
        let id = create_person(db, DEMO_OPERATOR, "Olivia Operator", DEMO_PASSWORD).await?;
        make_operator(db, id).await?;
        wrote = true;
    }
    for (name, slug, rng_seed) in PARTNERS {
        let exists = sqlx::query("SELECT id FROM tenants WHERE slug = $1").bind(slug).fetch_optional(&db.pool).await?;
        if exists.is_some() {
            continue;
        }
        wrote = true;
        let tenant_id = create_tenant(db, name, slug).await?;
        if slug == "northwind" {
            sqlx::query("UPDATE tenants SET support_level_confirmed = 1 WHERE id = $1")
                .bind(tenant_id)
                .execute(&db.pool)
                .await?;
        }
        for (role_key, local) in BUILTIN_ROLES {
            let email = format!("{local}@{slug}.test");
            let full_name = format!("{} {}", capitalize(local), name.split(' ').next().unwrap_or(name));
            let pid = create_person(db, &email, &full_name, DEMO_PASSWORD).await?;
            add_partner_user(db, pid, tenant_id, role_key).await?;
        }
        for (position, workflow) in DEMO_WORKFLOWS.iter().enumerate() {
            sqlx::query("INSERT INTO workflows (tenant_id, name, position) VALUES ($1, $2, $3)")
                .bind(tenant_id)
                .bind(*workflow)
                .bind(position as i64 + 1)
                .execute(&db.pool)
                .await?;
        }
        sqlx::query(
            "INSERT INTO custom_fields (tenant_id, key, label, kind, required, help_text, options, position)
             VALUES ($1, 'support_plan', 'Support plan', 'choice', 0, 'The plan in the customer''s contract.', '[\"Basic\",\"Standard\",\"Premium\"]', 1)",
        )
        .bind(tenant_id)
        .execute(&db.pool)
        .await?;
        seed_customers(db, tenant_id, slug, rng_seed).await?;
    }
    Ok(wrote)
}

async fn person_id(db: &Db, email: &str) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM persons WHERE email = $1").bind(email).fetch_optional(&db.pool).await?;
    row.map(|r| r.try_get("id")).transpose()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

const PLACES: [(&str, &str); 20] = [
    ("DE", "Berlin"),
    ("DE", "Munich"),
    ("DE", "Hamburg"),
    ("FR", "Paris"),
    ("FR", "Lyon"),
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
];
const FIRST: [&str; 16] = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
    "Nora", "Oskar", "Priya",
];
const LAST: [&str; 16] = [
    "Schmidt",
    "Dubois",
    "Smith",
    "de Vries",
    "García",
    "Rossi",
    "Johnson",
    "Nowak",
    "Andersson",
    "Müller",
    "Martin",
    "Brown",
    "Jansen",
    "López",
    "Bianchi",
    "Kowalski",
];
const NAME_A: [&str; 16] = [
    "Alpine", "Harbor", "Granite", "Silver", "Maple", "Cobalt", "Summit", "Willow", "Aurora", "Beacon", "Cedar",
    "Delta", "Ember", "Falcon", "Juniper", "Lumen",
];
const NAME_B: [&str; 12] = [
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
const NAME_C: [&str; 6] = ["GmbH", "Ltd", "SARL", "BV", "Inc", "& Co"];

const DEMO_WORKFLOWS: [&str; 3] = ["Onboarding", "Live", "Renewal due"];

/// A landline number that is valid for the country by libphonenumber's rules, so demo
/// customers pass the form's checks when edited.
fn demo_phone(country: &str, rng: &mut StdRng) -> String {
    let (prefix, digits) = match country {
        "DE" => ("+49 30 ", 8),
        "FR" => ("+33 1 ", 8),
        "GB" => ("+44 20 7", 7),
        "NL" => ("+31 20 ", 7),
        "ES" => ("+34 91 ", 7),
        "IT" => ("+39 02 ", 8),
        "US" => ("+1 512 2", 6),
        "CA" => ("+1 416 2", 6),
        "SE" => ("+46 8 ", 7),
        "PL" => ("+48 22 ", 7),
        _ => ("+41 44 ", 7),
    };
    let number: String = (0..digits).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect();
    format!("{prefix}{number}")
}

/// About 1,000 plausible customers: varied places and contacts, one in ten disabled, and a few
/// dozen networks with sub-accounts.
async fn seed_customers(db: &Db, tenant_id: i64, slug: &str, rng_seed: u64) -> Result<(), sqlx::Error> {
    let mut rng = StdRng::seed_from_u64(rng_seed);
    let mut tx = db.begin().await?;
    let start = now() - 3 * 365 * 86_400;
    let mut networks: Vec<i64> = Vec::new();
    for i in 0..CUSTOMERS_PER_PARTNER {
        let (country, city) = PLACES[rng.gen_range(0..PLACES.len())];
        let first = FIRST[rng.gen_range(0..FIRST.len())];
        let last = LAST[rng.gen_range(0..LAST.len())];
        let is_network = i % 40 == 0;
        let parent = if !is_network && !networks.is_empty() && rng.gen_bool(0.15) {
            Some(networks[rng.gen_range(0..networks.len())])
        } else {
            None
        };
        let name = if is_network {
            format!("{} Group {}", NAME_A[rng.gen_range(0..NAME_A.len())], city)
        } else {
            format!(
                "{} {} {} {}",
                NAME_A[rng.gen_range(0..NAME_A.len())],
                NAME_B[rng.gen_range(0..NAME_B.len())],
                NAME_C[rng.gen_range(0..NAME_C.len())],
                i + 1
            )
        };
        let email_local = format!("{}.{}", first, last).to_lowercase().replace([' ', 'é', 'ü', 'í', 'ó'], "");
        let customer = NewCustomer {
            name,
            city: Some(city.to_string()),
            country: Some(country.to_string()),
            contact_first_name: Some(first.to_string()),
            contact_last_name: Some(last.to_string()),
            contact_email: Some(format!("{email_local}{}@example-{slug}.test", i + 1)),
            phone_primary: Some(demo_phone(country, &mut rng)),
            street: Some(format!(
                "{} {}",
                rng.gen_range(1..200),
                ["Main Street", "Station Road", "Market Square", "Park Lane"][rng.gen_range(0..4)]
            )),
            postal_code: Some(format!("{:05}", rng.gen_range(1000..99999))),
            parent_id: parent,
            disabled: !is_network && rng.gen_bool(0.1),
            created_at: Some(start + rng.gen_range(0..3 * 365 * 86_400)),
            workflow: Some(DEMO_WORKFLOWS[rng.gen_range(0..DEMO_WORKFLOWS.len())].to_string()),
        };
        let id = insert_customer(&mut tx, tenant_id, &customer).await?;
        if is_network {
            networks.push(id);
        }
    }
    tx.commit().await
}
