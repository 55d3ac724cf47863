//! A partner's own staff (Settings → Team) and the roles they hold (Settings → Roles).

use crate::types::customer_users::{ActivationMethod, MembershipState};
use crate::types::forms::{invitee_errors, FieldErrors};
use crate::types::roles::RoleRef;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_needs_a_name_an_email_and_a_role() {
        let errors = StaffInvite::default().validate();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "full_name", "role_id"]);
        let ok =
            StaffInvite { full_name: "Ann".into(), email: "ann@example.com".into(), role_id: 2, ..Default::default() };
        assert!(ok.validate().is_empty());
    }
}
