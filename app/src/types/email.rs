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

/// A tenant's wording of one email: a subject and a plain-text body. `{{name}}`, `{{expiry}}`,
/// `{{customer}}` and `{{partner}}` are filled in when it is sent. `{{link}}` stands on a line of
/// its own in the body, never in the subject: Clientele puts the link there itself (a button in
/// the HTML version, which it lays out from the text), so a tenant's wording can never decide
/// where a credential link goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailTemplate {
    pub subject: String,
    pub body_text: String,
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
        } else if self.subject.contains("{{link}}") {
            errors.insert("subject".into(), "The link goes in the body only.".into());
        } else if let Some(unknown) = unknown_variable(&self.subject) {
            errors.insert("subject".into(), format!("Unknown variable {{{{{unknown}}}}}; use {}.", variables_list()));
        }
        let body = &self.body_text;
        if body.chars().count() > TEMPLATE_MAX_CHARS {
            errors.insert("body_text".into(), format!("Use at most {TEMPLATE_MAX_CHARS} characters."));
        } else if !body.contains("{{link}}") {
            errors.insert("body_text".into(), "Include {{link}}: without it nobody can use the email.".into());
        } else if !link_lines_stand_alone(body) {
            errors.insert(
                "body_text".into(),
                "Put {{link}} on a line of its own: Clientele turns it into the link (a button in the HTML version)."
                    .into(),
            );
        } else if let Some(unknown) = unknown_variable(body) {
            errors.insert("body_text".into(), format!("Unknown variable {{{{{unknown}}}}}; use {}.", variables_list()));
        }
        errors
    }
}

/// Every `{{link}}` is a whole line: nothing a tenant writes around it can wrap the link in
/// another address.
fn link_lines_stand_alone(body: &str) -> bool {
    body.lines().filter(|line| line.contains("{{link}}")).all(|line| line.trim() == "{{link}}")
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
    fn templates_need_the_link_on_its_own_line_and_known_variables() {
        let ok = EmailTemplate { subject: "Hi {{name}}".into(), body_text: "Hello {{name}},\n\n  {{link}}\n".into() };
        assert!(ok.validate().is_empty());
        let no_link = EmailTemplate { body_text: "Hello".into(), ..ok.clone() };
        assert!(no_link.validate().contains_key("body_text"));
        let wrapped = EmailTemplate { body_text: "Go to https://evil.example/?next={{link}}".into(), ..ok.clone() };
        assert!(wrapped.validate()["body_text"].contains("line of its own"));
        let in_subject = EmailTemplate { subject: "Your link: {{link}}".into(), ..ok.clone() };
        assert_eq!(in_subject.validate()["subject"], "The link goes in the body only.");
        let unknown = EmailTemplate { subject: "Hi {{nmae}}".into(), ..ok };
        assert!(unknown.validate()["subject"].contains("{{nmae}}"));
    }
}
