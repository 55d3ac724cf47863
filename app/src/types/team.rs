//! A partner's own staff (Settings → Team) and the roles they hold (Settings → Roles).

use crate::types::customer_users::{ActivationMethod, MembershipState};
use crate::types::forms::{invitee_errors, FieldErrors};
use crate::types::session::Permission;
use serde::{Deserialize, Serialize};

/// One colleague on the Team page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub membership_id: i64,
    /// The name this partner knows them by.
    pub name: String,
    pub email: String,
    pub role_id: i64,
    pub role_name: String,
    pub state: MembershipState,
    /// UTC Unix seconds of their last sign-in anywhere on the instance.
    pub last_sign_in: Option<i64>,
    /// The caller themselves: their own role and state cannot be changed by them.
    pub is_self: bool,
}

/// The Team page: the colleagues, and the roles the caller may hand out (those whose
/// permissions the caller holds too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<StaffMember>,
    pub assignable: Vec<RoleRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: i64,
    pub name: String,
}

/// Inviting a colleague.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffInvite {
    pub full_name: String,
    pub email: String,
    pub role_id: i64,
    pub method: ActivationMethod,
}

impl StaffInvite {
    /// Field key → problem; empty when the invitation may go out (the role is checked on the
    /// server, against the caller's own permissions).
    pub fn validate(&self) -> FieldErrors {
        let mut errors = invitee_errors(&self.full_name, &self.email);
        if self.role_id <= 0 {
            errors.insert("role_id".into(), "Choose a role.".into());
        }
        errors
    }
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

    #[test]
    fn an_invitation_needs_a_name_an_email_and_a_role() {
        let errors = StaffInvite::default().validate();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "full_name", "role_id"]);
        let ok =
            StaffInvite { full_name: "Ann".into(), email: "ann@example.com".into(), role_id: 2, ..Default::default() };
        assert!(ok.validate().is_empty());
    }
}
