//! API keys (Settings → API, `api_keys.manage`): what the page shows and submits, and the rules
//! both sides check. A key is the second kind of caller beside a signed-in person; see
//! `backend::authz` and `docs/API.md`.

use crate::types::forms::{clean_text, FieldErrors};
use crate::types::session::Permission;
use serde::{Deserialize, Serialize};

/// Every secret starts so: it tells people (and secret scanners) what the string is.
pub const SECRET_PREFIX: &str = "clt_live_";
/// How much of the secret lists show, the prefix included, to tell keys apart.
pub const SHOWN_PREFIX_CHARS: usize = SECRET_PREFIX.len() + 6;
pub const NAME_MAX_CHARS: usize = 100;
/// The longest a key may live when it expires at all.
pub const MAX_EXPIRY_DAYS: u32 = 730;

/// The permissions a key may hold: the partner-side ones, less the power to make more keys.
pub fn grantable() -> impl Iterator<Item = Permission> {
    Permission::partner_side().filter(|p| *p != Permission::ApiKeysManage)
}

/// What the "New API key" form submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewApiKey {
    pub name: String,
    pub permissions: Vec<Permission>,
    /// Days until it stops working; None: until revoked.
    pub expires_in_days: Option<u32>,
}

impl NewApiKey {
    /// Field key → problem. The server checks again, and that the creator holds each permission.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = name_and_expiry_errors(&self.name, self.expires_in_days);
        if self.permissions.is_empty() {
            errors.insert("permissions".into(), "Choose at least one permission.".into());
        } else if let Some(p) = self.permissions.iter().find(|p| !grantable().any(|g| g == **p)) {
            errors.insert("permissions".into(), format!("A key cannot hold {p}."));
        }
        errors
    }
}

/// The rules every key's name and expiry follow.
fn name_and_expiry_errors(name: &str, expires_in_days: Option<u32>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let name = clean_text(name);
    if name.is_empty() {
        errors.insert("name".into(), "Give the key a name that says what uses it.".into());
    } else if name.chars().count() > NAME_MAX_CHARS {
        errors.insert("name".into(), format!("At most {NAME_MAX_CHARS} characters."));
    }
    if let Some(days) = expires_in_days {
        if days == 0 || days > MAX_EXPIRY_DAYS {
            errors.insert("expires_in_days".into(), format!("Between 1 and {MAX_EXPIRY_DAYS} days."));
        }
    }
    errors
}

/// What an account owner's "New key" form submits (portal): an account key reaches that one
/// account's details and users through `/api/v1/account`, and holds no partner permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewAccountKey {
    pub name: String,
    pub expires_in_days: Option<u32>,
}

impl NewAccountKey {
    pub fn validate(&self) -> FieldErrors {
        name_and_expiry_errors(&self.name, self.expires_in_days)
    }
}

/// One key as the list shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    /// The secret's first characters, e.g. `clt_live_3fa9c1`.
    pub prefix: String,
    pub permissions: Vec<Permission>,
    pub created_by: String,
    /// UTC Unix seconds, like every time below.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Past its expiry when the list was read (the server's clock decides).
    pub expired: bool,
}

impl ApiKeyInfo {
    /// "Active", "Expired" or "Revoked".
    pub fn state(&self) -> &'static str {
        if self.revoked_at.is_some() {
            "Revoked"
        } else if self.expired {
            "Expired"
        } else {
            "Active"
        }
    }
}

/// A key just made: its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeyInfo,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_needs_a_name_and_a_permission_it_may_hold() {
        let good =
            NewApiKey { name: "CRM sync".into(), permissions: vec![Permission::CustomersView], expires_in_days: None };
        assert!(good.validate().is_empty());
        let errors = NewApiKey { name: "  ".into(), permissions: vec![], expires_in_days: Some(0) }.validate();
        assert_eq!(errors.len(), 3, "{errors:?}");
        for refused in [Permission::ApiKeysManage, Permission::PersonsErase] {
            let errors = NewApiKey { permissions: vec![refused], ..good.clone() }.validate();
            assert!(errors.contains_key("permissions"), "{refused}");
        }
        let too_long = NewApiKey { expires_in_days: Some(MAX_EXPIRY_DAYS + 1), ..good.clone() }.validate();
        assert!(too_long.contains_key("expires_in_days"));
    }
}
