//! What the add/edit form, the detail page and the delete dialog receive about one customer.

use super::CustomerInput;
use crate::types::field_config::FieldConfig;
use serde::{Deserialize, Serialize};

/// What the add/edit form needs: the configuration and, when editing, the stored values with
/// their version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub config: FieldConfig,
    pub current: Option<StoredCustomer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkChoice {
    pub id: i64,
    pub name: String,
}

/// A customer's editable values as stored, with the version an edit must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCustomer {
    pub id: i64,
    pub version: i64,
    pub values: CustomerInput,
    /// The network `values.parent_id` names, for the form's network picker (which searches
    /// every customer as the user types for other choices).
    pub network: Option<NetworkChoice>,
}

/// When something happened and who did it (None when that person no longer exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// UTC Unix seconds.
    pub at: i64,
    pub by: Option<String>,
}

/// Everything the detail page shows about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub stored: StoredCustomer,
    pub config: FieldConfig,
    pub status: crate::types::customers::CustomerStatus,
    pub status_changed: Option<Stamp>,
    pub created: Stamp,
    pub updated: Stamp,
    pub network: Option<NetworkChoice>,
    /// The first sub-accounts by name, and how many there are in all.
    pub sub_accounts: Vec<NetworkChoice>,
    pub sub_account_count: u64,
    /// The people who can sign in to this account (first ones), and how many in all.
    pub users: Vec<AccountUser>,
    pub user_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUser {
    pub name: String,
    pub email: String,
    /// "owner" or "member".
    pub role: String,
    /// "invited", "active" or "disabled".
    pub state: String,
}

/// What deleting a customer takes with it, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteImpact {
    pub id: i64,
    pub name: String,
    /// Sub-accounts block the delete until they are moved or deleted.
    pub sub_accounts: u64,
    /// People whose access to this account ends.
    pub users: u64,
    pub custom_values: u64,
}
