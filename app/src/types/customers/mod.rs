//! The customer list (PRODUCT.md §3): its rows, counts, bulk selections and the sidebar's
//! customers. The list's view state (search, filters, sort, page) is in [`query`].

pub mod query;

use crate::format::group_thousands;
use crate::types::field_config::{BuiltinField, CustomField, CustomFieldKind, FieldConfig, FieldMode};
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// The status a change to this one comes from (there are two).
    pub fn other(self) -> Self {
        match self {
            Self::Active => Self::Disabled,
            Self::Disabled => Self::Active,
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
    /// Whether this customer is a network (has sub-accounts).
    pub is_network: bool,
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

/// One page of the customer list, with the cursors of its neighbours. The count comes
/// separately (`count_customers`), so a slow count never holds up the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    pub page_size: u32,
    pub prev: Option<query::Cursor>,
    pub next: Option<query::Cursor>,
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
    /// Sub-accounts directly inside the networks that change (filled in by the preview): access
    /// through those networks follows their status.
    pub sub_accounts: u64,
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

/// What the customer list can filter by beyond its fixed filters: the tenant's workflows and
/// its choice and yes/no custom fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListFilters {
    pub workflows: Vec<String>,
    pub fields: Vec<CustomField>,
}

impl ListFilters {
    pub fn from_config(config: FieldConfig) -> Self {
        let fields = config
            .custom_fields
            .into_iter()
            .filter(|f| matches!(f.kind, CustomFieldKind::Choice | CustomFieldKind::YesNo))
            .collect();
        Self {
            workflows: if config.modes.get(&BuiltinField::Workflow) == Some(&FieldMode::Hidden) {
                Vec::new()
            } else {
                config.workflows
            },
            fields,
        }
    }

    /// The values a field can be filtered by, as (value, label).
    pub fn choices(field: &CustomField) -> Vec<(String, String)> {
        match field.kind {
            CustomFieldKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            _ => field.options.iter().map(|o| (o.clone(), o.clone())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(CustomerCount::Exact(1).to_string(), "1 customer");
        assert_eq!(CustomerCount::Exact(0).to_string(), "0 customers");
        assert_eq!(CustomerCount::Exact(1234).to_string(), "1,234 customers");
        assert_eq!(CustomerCount::AtLeast(10_000).to_string(), "10,000+ customers");
    }
}
