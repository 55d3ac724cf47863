//! Partners (tenants) as the platform operator manages them.

use crate::types::customers::CustomerCount;
use crate::types::forms::{check_email, has_hidden_characters, person_name_problem, FieldErrors, HIDDEN_CHARACTERS};
use serde::{Deserialize, Serialize};

/// A partner as the operator's Settings area lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub id: i64,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub support_level_confirmed: bool,
    pub active: bool,
    pub partner_users: u64,
    /// Capped like the customer list's count ("10,000+"): counting a million takes 25 ms.
    pub customers: CustomerCount,
}

/// A new partner (`id: None`, with its first Partner admin) or a partner's details changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerDraft {
    pub id: Option<i64>,
    pub name: String,
    pub contact_name: String,
    pub contact_email: String,
    /// New partners only: confirmed at once (it unlocks "Log in as" for its staff).
    pub support_level_confirmed: bool,
    /// New partners only: who gets the emailed invitation as the first Partner admin.
    pub admin_name: String,
    pub admin_email: String,
}

pub const MAX_PARTNER_NAME_CHARS: usize = 120;

impl PartnerDraft {
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name".into(), "Enter the partner's name.".into());
        } else if name.chars().count() > MAX_PARTNER_NAME_CHARS {
            errors.insert("name".into(), format!("Use at most {MAX_PARTNER_NAME_CHARS} characters."));
        } else if has_hidden_characters(name) {
            errors.insert("name".into(), HIDDEN_CHARACTERS.into());
        } else if !name.chars().any(char::is_alphanumeric) {
            errors.insert("name".into(), "Use at least one letter or digit.".into());
        }
        if !self.contact_name.trim().is_empty() {
            if let Some(problem) = person_name_problem(&self.contact_name) {
                errors.insert("contact_name".into(), problem);
            }
        }
        if !self.contact_email.trim().is_empty() {
            if let Some(problem) = check_email(self.contact_email.trim()) {
                errors.insert("contact_email".into(), problem);
            }
        }
        if self.id.is_none() {
            if let Some(problem) = person_name_problem(&self.admin_name) {
                errors.insert("admin_name".into(), problem);
            }
            if let Some(problem) = check_email(self.admin_email.trim()) {
                errors.insert("admin_email".into(), problem);
            }
        }
        errors
    }
}

/// The part of a URL-safe name ("Acme Partners GmbH" → "acme-partners-gmbh") a partner is known
/// by inside the instance (file names of exports and the like).
pub fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').chars().take(48).collect::<String>();
    if slug.is_empty() {
        "partner".into()
    } else {
        slug.trim_end_matches('-').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_partner_needs_a_name_and_its_first_admin() {
        let errors = PartnerDraft::default().validate();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["admin_email", "admin_name", "name"]);
        let edit = PartnerDraft { id: Some(3), name: "Acme".into(), ..Default::default() };
        assert!(edit.validate().is_empty(), "editing needs no admin");
        let bad = PartnerDraft { id: Some(3), name: "Acme".into(), contact_email: "nope".into(), ..Default::default() };
        assert!(bad.validate().contains_key("contact_email"));
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slug_of("  Acme Partners GmbH "), "acme-partners-gmbh");
        assert_eq!(slug_of("Müller & Söhne"), "m-ller-s-hne");
        assert_eq!(slug_of("!!!"), "partner");
    }
}
