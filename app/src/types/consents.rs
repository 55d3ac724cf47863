//! Consents per person and partner (PRODUCT.md §9, issue 13): the partner's terms and privacy
//! policy, and marketing information, each accepted or not with its date.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConsentKind {
    Terms,
    Privacy,
    Marketing,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] = [Self::Terms, Self::Privacy, Self::Marketing];

    pub fn key(self) -> &'static str {
        match self {
            Self::Terms => "terms",
            Self::Privacy => "privacy",
            Self::Marketing => "marketing",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Terms => "Terms",
            Self::Privacy => "Privacy policy",
            Self::Marketing => "Marketing information",
        }
    }
}

/// What a partner asks of the people it invites.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPolicy {
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    pub terms_required: bool,
    pub privacy_required: bool,
}

/// The longest link a partner may give.
pub const URL_MAX_CHARS: usize = 500;

impl ConsentPolicy {
    /// Field key → problem; empty when the policy can be saved.
    pub fn problems(&self) -> crate::types::forms::FieldErrors {
        let mut errors = crate::types::forms::FieldErrors::new();
        for (key, url, required) in [
            ("terms_url", &self.terms_url, self.terms_required),
            ("privacy_url", &self.privacy_url, self.privacy_required),
        ] {
            match url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                None if required => {
                    errors.insert(key.into(), "Give the address people must read before accepting.".into());
                }
                None => {}
                Some(url) => {
                    let web = url.starts_with("https://") || url.starts_with("http://");
                    if !web
                        || url.chars().count() > URL_MAX_CHARS
                        || url.chars().any(|c| c.is_whitespace() || c.is_control())
                    {
                        errors.insert(key.into(), "Enter a web address starting with https://".into());
                    }
                }
            }
        }
        errors
    }
    /// The policy with blank links as None and links trimmed.
    pub fn normalized(&self) -> Self {
        let clean = |u: &Option<String>| u.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(String::from);
        Self { terms_url: clean(&self.terms_url), privacy_url: clean(&self.privacy_url), ..self.clone() }
    }
}

/// What a person ticked when activating an invitation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChoices {
    pub terms: bool,
    pub privacy: bool,
    pub marketing: bool,
}

/// One recorded answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub kind: ConsentKind,
    pub accepted: bool,
    /// UTC Unix seconds.
    pub at: i64,
}

/// A person's answers to one partner, as the portal shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerConsents {
    pub tenant_id: i64,
    pub partner: String,
    pub policy: ConsentPolicy,
    pub consents: Vec<Consent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_consent_needs_a_web_address() {
        let mut p = ConsentPolicy { terms_required: true, ..Default::default() };
        assert!(p.problems().contains_key("terms_url"));
        p.terms_url = Some("javascript:alert(1)".into());
        assert!(p.problems().contains_key("terms_url"));
        p.terms_url = Some(" https://partner.example/terms ".into());
        assert!(p.problems().is_empty());
        assert_eq!(p.normalized().terms_url.as_deref(), Some("https://partner.example/terms"));
        p.privacy_url = Some("https://x.example/a b".into());
        assert!(p.problems().contains_key("privacy_url"));
    }
}
