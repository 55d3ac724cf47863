//! Reading the audit log (Settings → Audit log, and a customer's own history): the filters, kept
//! in the URL, and the entries as the page shows them.

use crate::types::forms::{check_email, parse_date, FieldErrors};
use serde::{Deserialize, Serialize};

/// Entries per page (keyset paging: "Older entries" continues below the last one shown).
pub const PAGE_SIZE: usize = 50;

/// What the log is narrowed to; every part optional, all parts combined. Kept in the URL as
/// `?actor=…&acting_as=…&action=…&target=customer:12&partner=3&from=2026-11-01&to=2026-11-23`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// The email of whoever made the entries.
    pub actor: String,
    /// Text in the account a partner user was viewing as ("Log in as").
    pub acting_as: String,
    /// An action ("customer.update"), or every action of a kind ("customer.").
    pub action: String,
    /// What the entries are about: `customer:<id>`, `person:<id>`, `partner_user:<id>`, …
    pub target: String,
    /// Operators only: one partner's entries, or `0` for those with no partner.
    pub partner: Option<i64>,
    /// First and last day (UTC), inclusive.
    pub from: String,
    pub to: String,
}

/// The URL keys of an [`AuditFilter`], in the order they are written.
pub const FILTER_KEYS: [&str; 7] = ["actor", "acting_as", "action", "target", "partner", "from", "to"];

impl AuditFilter {
    /// From URL query pairs (unknown keys are ignored).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut filter = Self::default();
        for (key, value) in pairs {
            let value = value.trim().to_string();
            match key {
                "actor" => filter.actor = value,
                "acting_as" => filter.acting_as = value,
                "action" => filter.action = value,
                "target" => filter.target = value,
                "partner" => filter.partner = value.parse().ok(),
                "from" => filter.from = value,
                "to" => filter.to = value,
                _ => {}
            }
        }
        filter
    }

    /// The filter's URL query pairs, empty parts left out.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let partner = self.partner.map(|p| p.to_string()).unwrap_or_default();
        [
            ("actor", self.actor.clone()),
            ("acting_as", self.acting_as.clone()),
            ("action", self.action.clone()),
            ("target", self.target.clone()),
            ("partner", partner),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }

    /// `customer:12` → ("customer", 12).
    pub fn target_parts(&self) -> Option<(&str, i64)> {
        let (kind, id) = self.target.split_once(':')?;
        let kind_ok = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        Some((kind, id.parse().ok()?)).filter(|_| kind_ok)
    }

    /// Field key → problem; empty when the filter can run.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if !self.actor.is_empty() && check_email(&self.actor).is_some() {
            errors.insert("actor".into(), "Enter the email address of the person who acted.".into());
        }
        if !self.action.is_empty() && !self.action.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.') {
            errors
                .insert("action".into(), "Enter an action like customer.update, or customer. for all of them.".into());
        }
        if !self.target.is_empty() && self.target_parts().is_none() {
            errors.insert("target".into(), "Enter what the entries are about as kind:id, like customer:12.".into());
        }
        for (key, value) in [("from", &self.from), ("to", &self.to)] {
            if !value.is_empty() && parse_date(value).is_none() {
                errors.insert(key.into(), "Enter a date as YYYY-MM-DD.".into());
            }
        }
        if let (Some(from), Some(to)) = (parse_date(&self.from), parse_date(&self.to)) {
            if from > to {
                errors.insert("to".into(), "The last day comes before the first.".into());
            }
        }
        for (key, value) in [("acting_as", &self.acting_as)] {
            if value.chars().count() > 200 || value.chars().any(char::is_control) {
                errors.insert(key.into(), "Enter at most 200 characters of plain text.".into());
            }
        }
        errors
    }
}

/// One entry as the page shows it: every value typed by anyone is plain text here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    /// UTC Unix seconds.
    pub at: i64,
    pub actor: String,
    pub acting_as: Option<String>,
    pub partner: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    /// Each changed field with its value before and after, as text ("—" for none).
    pub changes: Vec<FieldChange>,
    pub client_addr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One page of entries, newest first, and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next page; `None` on the last one.
    pub next_before: Option<i64>,
}

/// How the page names an action: in words for the common ones, else the action itself.
pub fn action_label(action: &str) -> &str {
    match action {
        "customer.create" => "Created",
        "customer.update" => "Edited",
        "customer.disable" => "Disabled",
        "customer.activate" => "Activated",
        "customer.delete" => "Deleted",
        "customer.export" => "Exported customers",
        "customer.export_account" => "Exported the account",
        "impersonation.start" => "Logged in as this customer",
        "impersonation.end" => "Returned from logging in as this customer",
        "customer_user.invite" => "Invited a user",
        "customer_user.activate" => "A user accepted the invitation",
        "customer_user.remove" => "Removed a user",
        "partner_user.invite" => "Invited a colleague",
        "partner_user.activate" => "A colleague accepted the invitation",
        "partner_user.role_changed" => "Changed a colleague's role",
        "partner_user.disabled" => "Disabled a colleague",
        "partner_user.enabled" => "Enabled a colleague",
        "partner_user.removed" => "Removed a colleague",
        "role.created" => "Created a role",
        "role.updated" => "Changed a role",
        "role.deleted" => "Deleted a role",
        "partner.created" => "Created a partner",
        "partner.updated" => "Changed a partner",
        "partner.disabled" => "Disabled a partner",
        "partner.enabled" => "Enabled a partner",
        "auth.sign_in" => "Signed in",
        "auth.sign_in_failed" => "Failed to sign in",
        "auth.sign_out" => "Signed out",
        "auth.password_changed" => "Changed their password",
        other => other,
    }
}

/// The actions Clientele records, offered as suggestions in the action filter.
pub const KNOWN_ACTIONS: &[&str] = &[
    "account.renamed",
    "audit.export",
    "auth.password_changed",
    "auth.password_reset",
    "auth.reset_requested",
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.sign_in_refused",
    "auth.sign_out",
    "auth.signed_out_elsewhere",
    "consent.set",
    "customer.activate",
    "customer.create",
    "customer.delete",
    "customer.disable",
    "customer.export",
    "customer.export_account",
    "customer.update",
    "customer_user.activate",
    "customer_user.activate_failed",
    "customer_user.export",
    "customer_user.invite",
    "customer_user.remove",
    "customer_user.resend",
    "customer_user.reset_password",
    "customer_user.revoke",
    "customer_user.unsubscribe_tenant",
    "impersonation.end",
    "impersonation.start",
    "mailbox.read",
    "operator.create",
    "partner.created",
    "partner.disabled",
    "partner.enabled",
    "partner.support_level_confirmed",
    "partner.support_level_withdrawn",
    "partner.updated",
    "partner_user.activate",
    "partner_user.disabled",
    "partner_user.enabled",
    "partner_user.invite",
    "partner_user.removed",
    "partner_user.role_changed",
    "person.delete_own_account",
    "person.erase",
    "person.erase_unsubscribed",
    "role.created",
    "role.deleted",
    "role.updated",
    "tenant.consent_settings",
    "tenant.email_template",
    "tenant.field_mode",
    "tenant.impersonation_settings",
    "tenant.link_lifetime",
    "tenant.workflows",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_round_trips_through_the_url_and_checks_its_parts() {
        let filter = AuditFilter::from_pairs([
            ("action", "customer."),
            ("target", "customer:12"),
            ("from", "2026-11-01"),
            ("x", "y"),
        ]);
        assert_eq!(filter.target_parts(), Some(("customer", 12)));
        assert_eq!(AuditFilter::from_pairs(filter.pairs().iter().map(|(k, v)| (*k, v.as_str()))), filter);
        assert!(filter.validate().is_empty());
        let bad = AuditFilter::from_pairs([
            ("actor", "nobody"),
            ("target", "12"),
            ("from", "2026-13-01"),
            ("action", "DROP TABLE"),
        ]);
        assert_eq!(
            bad.validate().keys().map(String::as_str).collect::<Vec<_>>(),
            ["action", "actor", "from", "target"]
        );
        let backwards = AuditFilter::from_pairs([("from", "2026-11-02"), ("to", "2026-11-01")]);
        assert!(backwards.validate().contains_key("to"));
    }
}
