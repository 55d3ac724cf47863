//! The customer portal (PRODUCT.md §8): the accounts a customer user can open.

use serde::{Deserialize, Serialize};

use crate::types::customer_users::{AccountRole, CustomerUser};

/// A customer account a customer user can open in the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalAccountRef {
    pub customer_id: i64,
    pub name: String,
    pub tenant_id: i64,
    pub tenant_name: String,
    pub role: AccountRole,
}

/// One account as its own users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalAccount {
    pub customer_id: i64,
    pub name: String,
    pub tenant_name: String,
    /// The caller's role here (an owner of a network is an owner of its sub-accounts).
    pub role: AccountRole,
    /// (label, value) of the filled-in details, in form order.
    pub details: Vec<(String, String)>,
    pub users: Vec<CustomerUser>,
    pub sub_accounts: Vec<crate::types::customer_records::detail::NetworkChoice>,
    /// The network this account belongs to, when the caller may open it.
    pub network: Option<crate::types::customer_records::detail::NetworkChoice>,
}
