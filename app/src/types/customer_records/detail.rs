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
    /// Every sub-account below it, at every level, in tree order (a network's own sub-accounts
    /// right after it): they are deleted with it. At most [`DELETE_TREE_MAX`].
    pub sub_accounts: Vec<SubAccountImpact>,
    /// It has more sub-accounts than one confirmation may delete: nothing is deleted from here.
    pub too_many_sub_accounts: bool,
    /// People whose access to these accounts ends.
    pub users: u64,
    pub custom_values: u64,
}

/// The most sub-accounts one delete takes with it: a confirmation must list what goes, and the
/// whole tree goes in one transaction that must stay short.
pub const DELETE_TREE_MAX: usize = 200;

/// A sub-account that a delete takes with its network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAccountImpact {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// 1: directly in the network being deleted; 2: in one of those; …
    pub depth: u8,
}

impl DeleteImpact {
    /// The sub-accounts directly in it, and how many of them are active: the number the
    /// sidebar shows beside a network.
    pub fn direct(&self) -> (usize, usize) {
        let direct = self.sub_accounts.iter().filter(|s| s.depth == 1);
        (direct.clone().count(), direct.filter(|s| s.active).count())
    }
}
