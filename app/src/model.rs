//! Types shared by the server and the browser: what server functions take and return.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The permissions of PRODUCT.md §2. An operator holds all of them in every tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    CustomersView,
    CustomersCreate,
    CustomersEdit,
    CustomersDisable,
    CustomersDelete,
    CustomersExport,
    CustomersImpersonate,
    CustomerUsersManage,
    TenantConfigure,
    PartnerUsersManage,
    AuditView,
    PersonsErase,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Self::CustomersView,
        Self::CustomersCreate,
        Self::CustomersEdit,
        Self::CustomersDisable,
        Self::CustomersDelete,
        Self::CustomersExport,
        Self::CustomersImpersonate,
        Self::CustomerUsersManage,
        Self::TenantConfigure,
        Self::PartnerUsersManage,
        Self::AuditView,
        Self::PersonsErase,
    ];

    /// The name stored in `role_permissions` and shown to people.
    pub fn key(self) -> &'static str {
        match self {
            Self::CustomersView => "customers.view",
            Self::CustomersCreate => "customers.create",
            Self::CustomersEdit => "customers.edit",
            Self::CustomersDisable => "customers.disable",
            Self::CustomersDelete => "customers.delete",
            Self::CustomersExport => "customers.export",
            Self::CustomersImpersonate => "customers.impersonate",
            Self::CustomerUsersManage => "customer_users.manage",
            Self::TenantConfigure => "tenant.configure",
            Self::PartnerUsersManage => "partner_users.manage",
            Self::AuditView => "audit.view",
            Self::PersonsErase => "persons.erase",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: i64,
    pub name: String,
}

/// Who is signed in, as the browser needs to know it to shape the UI.
/// The server never trusts this back: every call is authorized again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub person_name: String,
    pub email: String,
    pub is_operator: bool,
    /// The tenant this session works in, if any.
    pub tenant: Option<TenantRef>,
    /// Every tenant the person may switch to.
    pub tenants: Vec<TenantRef>,
    /// The role's name in the active tenant ("Operator" for operators).
    pub role_name: Option<String>,
    /// Permissions held in the active tenant.
    pub permissions: Vec<Permission>,
    /// Customer accounts the person can open in the portal.
    pub accounts: Vec<crate::customer_users::PortalAccountRef>,
}

impl SessionInfo {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerStatus {
    Active,
    Disabled,
}

impl CustomerStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Disabled => "Disabled",
        }
    }
}

/// The page sizes the customer list offers; anything else falls back to the first.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// One line of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub status: CustomerStatus,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub network: Option<String>,
    pub network_id: Option<i64>,
    /// UTC Unix seconds.
    pub created_at: i64,
}

/// How many customers match a list query: exact when small, a floor when large (counting a
/// million rows on every keystroke would cost more than the page itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerCount {
    Exact(u64),
    AtLeast(u64),
}

impl fmt::Display for CustomerCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, plus) = match *self {
            Self::Exact(n) => (n, ""),
            Self::AtLeast(n) => (n, "+"),
        };
        let noun = if matches!(self, Self::Exact(1)) { "customer" } else { "customers" };
        write!(f, "{}{plus} {noun}", group_thousands(n))
    }
}

impl CustomerCount {
    /// The number alone: "1,234" or "10,000+".
    pub fn number(&self) -> String {
        match *self {
            Self::Exact(n) => group_thousands(n),
            Self::AtLeast(n) => format!("{}+", group_thousands(n)),
        }
    }

    pub fn exceeds(&self, n: u64) -> bool {
        match *self {
            Self::Exact(count) => count > n,
            Self::AtLeast(floor) => floor >= n,
        }
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// One page of the customer list, with the cursors of its neighbours. The count comes
/// separately (`count_customers`), so a slow count never holds up the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    pub page_size: u32,
    pub prev: Option<crate::list_query::Cursor>,
    pub next: Option<crate::list_query::Cursor>,
}

/// Which customers a bulk change applies to. `Matching` carries the list's query string: the
/// server evaluates the filter itself, so the browser never ships thousands of ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    Ids(Vec<i64>),
    Matching(String),
}

/// What a status change does (or, previewed, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: CustomerStatus,
    /// Customers whose status changes.
    pub changed: u64,
    /// Selected customers that already had that status.
    pub unchanged: u64,
}

/// The sidebar's "Active customers": one level of them (top-level customers, a network's
/// sub-accounts, or every customer matching a filter), by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidebarCustomers {
    pub customers: Vec<SidebarCustomer>,
    /// True when more matched than are listed.
    pub more: bool,
    /// How many active customers the tenant has in all.
    pub total: CustomerCount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidebarCustomer {
    pub id: i64,
    pub name: String,
    /// Active sub-accounts: more than none makes this a network that expands.
    pub sub_accounts: u64,
}

/// A partner as the operator's Settings area lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub id: i64,
    pub name: String,
    pub support_level_confirmed: bool,
    pub active: bool,
    pub partner_users: u64,
    pub customers: u64,
}

/// Formats UTC Unix seconds as an ISO date, identically on server and browser.
pub fn format_date(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds).map(|t| t.date().to_string()).unwrap_or_default()
}

/// "2026-11-22 14:05 UTC".
pub fn format_datetime(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        assert_eq!(Permission::from_key("customers.fly"), None);
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(CustomerCount::Exact(1).to_string(), "1 customer");
        assert_eq!(CustomerCount::Exact(0).to_string(), "0 customers");
        assert_eq!(CustomerCount::Exact(1234).to_string(), "1,234 customers");
        assert_eq!(CustomerCount::AtLeast(10_000).to_string(), "10,000+ customers");
    }

    #[test]
    fn dates_format_as_iso() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_795_000_000), "2026-11-18");
    }
}
