//! Customer users (PRODUCT.md §7): the people who sign in to a customer account, their
//! invitations, and the rules for the passwords they choose. Shared by browser and server.

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

pub const MAX_NAME_CHARS: usize = 200;

impl InviteInput {
    /// Field key → problem; empty when the invitation may go out.
    pub fn validate(&self) -> crate::customer_record::FieldErrors {
        let mut errors = crate::customer_record::FieldErrors::new();
        let name = self.full_name.trim();
        if name.is_empty() {
            errors.insert("full_name".into(), "Enter the person's full name.".into());
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.insert("full_name".into(), format!("Use at most {MAX_NAME_CHARS} characters."));
        } else if name.chars().any(char::is_control) {
            errors.insert("full_name".into(), "Remove the control characters.".into());
        }
        if let Some(problem) = crate::customer_record::check_email(self.email.trim()) {
            errors.insert("email".into(), problem);
        }
        errors
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
    /// The person already had an identity here (another account or tenant): they keep their
    /// password, and the link just confirms the new membership.
    pub existing_person: bool,
}

/// What a single-use link is for, as the activation and reset pages show it before the person
/// chooses a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkInfo {
    Activation {
        full_name: String,
        email: String,
        customer_name: String,
        has_password: bool,
    },
    Reset {
        email: String,
    },
    /// Unknown, used, expired, or revoked: the page says what to do next.
    Unusable(LinkProblem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkProblem {
    Expired,
    Used,
    Unknown,
}

impl LinkProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Expired => "This link has expired. For an invitation, ask whoever invited you to send a new one; for a password reset, request a new link.",
            Self::Used => "This link has already been used. Sign in with your password, or request a new password link if you forgot it.",
            Self::Unknown => "This link is not valid. Check that you copied all of it, or ask for a new one.",
        }
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The length rules, checked as the person types; the server adds a check against the most
/// common passwords (`backend::password::strength_problem`).
pub fn password_length_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Some(format!("Use at least {PASSWORD_MIN_CHARS} characters."))
    } else if n > PASSWORD_MAX_CHARS {
        Some(format!("Use at most {PASSWORD_MAX_CHARS} characters."))
    } else {
        None
    }
}

/// A rough strength for the meter under the password field (0 = weak … 4 = very strong): length
/// and variety, with obvious repetition and sequences discounted. Only a hint; the server
/// decides what it refuses.
pub fn password_strength_hint(password: &str) -> u8 {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < PASSWORD_MIN_CHARS {
        return 0;
    }
    let classes = [
        chars.iter().any(|c| c.is_lowercase()),
        chars.iter().any(|c| c.is_uppercase()),
        chars.iter().any(|c| c.is_ascii_digit()),
        chars.iter().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let distinct = chars.iter().collect::<std::collections::BTreeSet<_>>().len();
    let steps = chars.windows(2).filter(|w| (w[1] as i64 - w[0] as i64).abs() <= 1).count();
    let mut score: i32 = match chars.len() {
        0..=9 => 1,
        10..=13 => 2,
        14..=19 => 3,
        _ => 4,
    };
    score += (classes as i32 - 2).max(0);
    if distinct * 3 < chars.len() || steps * 2 >= chars.len() {
        score -= 2;
    }
    score.clamp(0, 4) as u8
}

pub fn strength_label(score: u8) -> &'static str {
    match score {
        0 => "Too weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Strong",
        _ => "Very strong",
    }
}

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
    pub sub_accounts: Vec<crate::customer_record::NetworkChoice>,
    /// The network this account belongs to, when the caller may open it.
    pub network: Option<crate::customer_record::NetworkChoice>,
}

/// An email as the development mailbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEmail {
    pub id: i64,
    pub at: i64,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub transport: String,
    pub error: Option<String>,
}

/// The emails a tenant can word for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailKind {
    Invitation,
    Reset,
}

impl EmailKind {
    pub const ALL: [EmailKind; 2] = [Self::Invitation, Self::Reset];
    pub fn key(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "reset",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Invitation => "Invitation",
            Self::Reset => "Password reset",
        }
    }
}

/// A tenant's wording of one email. `{{name}}`, `{{link}}`, `{{expiry}}`, `{{customer}}` and
/// `{{partner}}` are replaced when it is sent (HTML-escaped in the HTML body).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailTemplate {
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

pub const TEMPLATE_VARIABLES: [&str; 5] = ["name", "link", "expiry", "customer", "partner"];
pub const TEMPLATE_MAX_CHARS: usize = 20_000;
pub const LINK_HOURS_MAX: i64 = 24 * 30;

impl EmailTemplate {
    pub fn validate(&self) -> crate::customer_record::FieldErrors {
        let mut errors = crate::customer_record::FieldErrors::new();
        if self.subject.trim().is_empty() {
            errors.insert("subject".into(), "Enter a subject.".into());
        } else if self.subject.chars().count() > 200 || self.subject.contains(['\r', '\n']) {
            errors.insert("subject".into(), "Use one line of at most 200 characters.".into());
        }
        for (key, body) in [("body_text", &self.body_text), ("body_html", &self.body_html)] {
            if body.chars().count() > TEMPLATE_MAX_CHARS {
                errors.insert(key.into(), format!("Use at most {TEMPLATE_MAX_CHARS} characters."));
            } else if !body.contains("{{link}}") {
                errors.insert(key.into(), "Include {{link}}: without it nobody can use the email.".into());
            } else if let Some(unknown) = unknown_variable(body) {
                errors.insert(key.into(), format!("Unknown variable {{{{{unknown}}}}}; use {}.", variables_list()));
            }
        }
        if let Some(unknown) = unknown_variable(&self.subject) {
            errors.insert("subject".into(), format!("Unknown variable {{{{{unknown}}}}}; use {}.", variables_list()));
        }
        errors
    }
}

fn variables_list() -> String {
    TEMPLATE_VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(", ")
}

fn unknown_variable(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        if !TEMPLATE_VARIABLES.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[end + 2..];
    }
    None
}

/// A tenant's email settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub link_hours: i64,
    /// (kind, the template in use, whether it is the built-in default).
    pub templates: Vec<(EmailKind, EmailTemplate, bool)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_bounds() {
        assert!(password_length_problem("1234567").is_some());
        assert!(password_length_problem("12345678").is_none());
        assert!(password_length_problem(&"x".repeat(128)).is_none());
        assert!(password_length_problem(&"x".repeat(129)).is_some());
        assert!(password_length_problem("ééééééé").is_some(), "characters, not bytes");
    }

    #[test]
    fn strength_hint_rewards_length_and_variety_not_repetition() {
        assert_eq!(password_strength_hint("short"), 0);
        assert!(password_strength_hint("aaaaaaaaaaaa") <= 1);
        assert!(password_strength_hint("abcdefghijkl") <= 1, "a run of neighbours");
        assert!(password_strength_hint("correct horse battery staple") >= 3);
        assert!(password_strength_hint("T4ngo!Harbour#9") >= 3);
    }

    #[test]
    fn invitations_need_a_name_and_a_real_address() {
        let good =
            InviteInput { full_name: "Dana Diaz".into(), email: "dana@example.com".into(), ..Default::default() };
        assert!(good.validate().is_empty());
        let bad = InviteInput { full_name: " ".into(), email: "dana@".into(), ..Default::default() };
        assert_eq!(bad.validate().keys().collect::<Vec<_>>(), ["email", "full_name"]);
    }

    #[test]
    fn templates_need_the_link_and_known_variables() {
        let ok = EmailTemplate {
            subject: "Hi {{name}}".into(),
            body_text: "{{link}}".into(),
            body_html: "<a href=\"{{link}}\">go</a>".into(),
        };
        assert!(ok.validate().is_empty());
        let no_link = EmailTemplate { body_text: "Hello".into(), ..ok.clone() };
        assert!(no_link.validate().contains_key("body_text"));
        let unknown = EmailTemplate { subject: "Hi {{nmae}}".into(), ..ok };
        assert!(unknown.validate()["subject"].contains("{{nmae}}"));
    }
}
