//! Customer users (PRODUCT.md §7): the people who sign in to a customer account and their
//! invitations.

use crate::types::forms::{invitee_errors, FieldErrors};
use serde::{Deserialize, Serialize};

/// A person's role in one customer account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AccountRole {
    Owner,
    #[default]
    Member,
}

impl AccountRole {
    pub fn key(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Member => "member",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "owner" => Some(Self::Owner),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Member => "Member",
        }
    }
}

/// Where a membership stands: invited until the person sets a password through the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipState {
    Invited,
    Active,
    Disabled,
}

impl MembershipState {
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "invited" => Some(Self::Invited),
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Invited => "Invited",
            Self::Active => "Active",
            Self::Disabled => "Disabled",
        }
    }
}

/// One row of a customer account's users page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUser {
    pub membership_id: i64,
    pub full_name: String,
    pub email: String,
    pub role: AccountRole,
    pub state: MembershipState,
    /// UTC Unix seconds.
    pub invited_at: Option<i64>,
    pub activated_at: Option<i64>,
    pub last_login_at: Option<i64>,
    /// When the newest unused activation link of a pending invitation expires.
    pub link_expires_at: Option<i64>,
    /// The person's answers to this partner (terms, privacy, marketing), for the partner's eyes.
    pub consents: Vec<crate::types::consents::Consent>,
}

/// A customer account's users, with what the page needs around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUsers {
    pub customer_id: i64,
    pub customer_name: String,
    pub users: Vec<CustomerUser>,
    /// The tenant's activation link lifetime, to say how long a new link will live.
    pub link_hours: i64,
}

/// How the invited person gets their activation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ActivationMethod {
    #[default]
    SendEmail,
    DisplayLink,
}

/// The invitation form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteInput {
    pub full_name: String,
    pub email: String,
    pub role: AccountRole,
    pub method: ActivationMethod,
}

impl InviteInput {
    /// Field key → problem; empty when the invitation may go out.
    pub fn validate(&self) -> FieldErrors {
        invitee_errors(&self.full_name, &self.email)
    }
}

/// What an invitation (or a resend) produced: the link itself only when it is to be shown,
/// once; never stored in readable form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOutcome {
    pub membership_id: i64,
    pub email: String,
    pub link: Option<String>,
    /// UTC Unix seconds.
    pub expires_at: i64,
    /// The link was asked to be displayed, but the address already has an identity, which only
    /// its own inbox may answer for: the invitation was emailed instead.
    #[serde(default)]
    pub emailed_instead: bool,
}

impl InviteOutcome {
    /// What the inviter is told when no link is shown.
    pub fn sent_notice(&self) -> String {
        if self.emailed_instead {
            format!(
                "{} already has a Clientele account, so the invitation was emailed to that address: only its owner can accept it.",
                self.email
            )
        } else {
            format!("Invitation sent to {}.", self.email)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_need_a_name_and_a_real_address() {
        let good =
            InviteInput { full_name: "Dana Diaz".into(), email: "dana@example.com".into(), ..Default::default() };
        assert!(good.validate().is_empty());
        let bad = InviteInput { full_name: " ".into(), email: "dana@".into(), ..Default::default() };
        assert_eq!(bad.validate().keys().collect::<Vec<_>>(), ["email", "full_name"]);
    }
}
