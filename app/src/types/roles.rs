//! Roles (Settings → Roles): what a role holds, the draft a partner admin saves, and a role as a
//! choice on the Team page.

use crate::types::forms::FieldErrors;
use crate::types::session::Permission;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: i64,
    pub name: String,
}

/// A role as the Roles page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub id: i64,
    pub name: String,
    /// Built-in roles are shared by every partner and cannot be changed.
    pub builtin: bool,
    pub permissions: Vec<Permission>,
    /// The names of this partner's staff who hold it.
    pub holders: Vec<String>,
}

/// Creating (`id: None`) or changing a custom role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleDraft {
    pub id: Option<i64>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

pub const MAX_ROLE_NAME_CHARS: usize = 60;

impl RoleDraft {
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name".into(), "Enter a name for the role.".into());
        } else if name.chars().count() > MAX_ROLE_NAME_CHARS {
            errors.insert("name".into(), format!("Use at most {MAX_ROLE_NAME_CHARS} characters."));
        } else if crate::types::forms::has_hidden_characters(name) {
            errors.insert("name".into(), crate::types::forms::HIDDEN_CHARACTERS.into());
        }
        if self.permissions.is_empty() {
            errors.insert("permissions".into(), "Tick at least one permission.".into());
        } else if self.permissions.contains(&Permission::PersonsErase) {
            errors.insert("permissions".into(), "Erasing people is for platform operators only.".into());
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_needs_a_name_and_partner_side_permissions() {
        let draft = RoleDraft { id: None, name: "  ".into(), permissions: vec![] };
        let errors = draft.validate();
        assert!(errors.contains_key("name") && errors.contains_key("permissions"));
        let draft = RoleDraft { id: None, name: "Billing".into(), permissions: vec![Permission::PersonsErase] };
        assert!(draft.validate().contains_key("permissions"));
        let draft = RoleDraft { id: None, name: "Billing".into(), permissions: vec![Permission::CustomersView] };
        assert!(draft.validate().is_empty());
        let draft = RoleDraft { id: None, name: "x".repeat(61), permissions: vec![Permission::CustomersView] };
        assert!(draft.validate().contains_key("name"));
    }
}
