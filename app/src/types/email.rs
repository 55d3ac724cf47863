//! Emails: the wording a tenant gives each kind, its settings, and the development mailbox.

use crate::types::forms::FieldErrors;
use serde::{Deserialize, Serialize};

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
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
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
