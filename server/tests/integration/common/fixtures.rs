//! The standard fixture every test starts from, and the builders that add to it (people with a
//! role, customer users, sessions) through the same seed functions the demo uses.

use super::client::Client;
use super::{Fixture, TestApp, PASSWORD};
use app::backend::{seed, Db};
use app::types::customer_users::AccountRole;

/// Two partners (Acme, Globex) with users and customers, and one operator:
/// admin@acme.test (Partner admin), viewer@acme.test (Viewer), admin@globex.test, op@platform.test.
pub(super) async fn standard_fixture(db: &Db) -> Fixture {
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

/// The ids of the standard fixture in a database copied from the template.
pub(super) async fn fixture_ids(db: &Db) -> Fixture {
    use sqlx::Row;
    let id = |sql: &'static str| async move {
        sqlx::query(sql).fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get::<i64, _>(0)
    };
    Fixture {
        acme: id("SELECT id FROM tenants WHERE slug = 'acme'").await,
        globex: id("SELECT id FROM tenants WHERE slug = 'globex'").await,
        acme_customer: id("SELECT id FROM customers WHERE name = 'Alpha Bakery'").await,
        globex_customer: id("SELECT id FROM customers WHERE name = 'Globex Secret Customer'").await,
    }
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
    pub(super) app: &'a TestApp,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) partner: Option<(i64, Role)>,
    pub(super) customers: Vec<(i64, AccountRole)>,
    pub(super) session: bool,
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

    /// A customer user of `customer`, active at once (call again for more accounts).
    pub fn customer_user(mut self, customer: i64, role: AccountRole) -> Self {
        self.customers.push((customer, role));
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
        for (customer, role) in self.customers {
            let tenant = self.app.scalar(&format!("SELECT tenant_id FROM customers WHERE id = {customer}")).await;
            seed::add_customer_user(db, person, tenant, customer, role).await.expect("add customer user");
        }
        if self.session {
            let mut conn = db.pool.acquire().await.expect("connection");
            app::backend::session::store::create(&mut conn, person, None, None, None).await.expect("session");
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
