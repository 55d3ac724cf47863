//! Webhooks (Settings → Webhooks, `webhooks.manage`): the events a partner can hear about, the
//! endpoint form and what the page shows. Delivery follows the Standard Webhooks convention; see
//! `backend::webhooks` and `docs/API.md`.

use crate::types::forms::{clean_text, FieldErrors};
use serde::{Deserialize, Serialize};

/// Every event type, in the order the form lists them.
pub const EVENT_TYPES: [(&str, &str); 8] = [
    ("customer.created", "A customer account was added."),
    ("customer.updated", "A customer's details changed (the event lists the changed fields)."),
    ("customer.status_changed", "A customer was activated or disabled."),
    ("customer.deleted", "A customer was deleted."),
    ("customer_user.invited", "Someone was invited to a customer account."),
    ("customer_user.activated", "An invited person accepted and can now sign in."),
    ("customer_user.removed", "A person's access to a customer account ended (or their invitation was withdrawn)."),
    ("network.changed", "A customer joined or left a network (one event per network)."),
];
/// What "Send test event" sends; no subscription needed.
pub const TEST_EVENT: &str = "webhook.test";
pub const URL_MAX_CHARS: usize = 2000;
pub const DESCRIPTION_MAX_CHARS: usize = 200;
/// How many endpoints a partner may have.
pub const MAX_ENDPOINTS: i64 = 20;

pub fn is_event_type(name: &str) -> bool {
    EVENT_TYPES.iter().any(|(t, _)| *t == name)
}

/// What the endpoint form submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EndpointDraft {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

impl EndpointDraft {
    /// Field key → problem; the server checks again, and the address the URL names.
    /// `local_allowed`: the instance delivers to private addresses (`--webhook-allow-private`,
    /// for development and tests), and then plain http:// too.
    pub fn validate(&self, local_allowed: bool) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let url = self.url.trim();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        let host = url.split_once("://").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
        if url.is_empty() {
            errors.insert("url".into(), "Enter the address Clientele should post events to.".into());
        } else if url.chars().count() > URL_MAX_CHARS {
            errors.insert("url".into(), format!("At most {URL_MAX_CHARS} characters."));
        } else if !scheme_ok || host.is_none_or(|h| h.is_empty()) || url.chars().any(char::is_whitespace) {
            errors.insert("url".into(), "Enter a full address, like https://example.com/hooks/clientele.".into());
        } else if !url.starts_with("https://") && !local_allowed {
            errors.insert("url".into(), "Use https:// — events carry customer data.".into());
        }
        if clean_text(&self.description).chars().count() > DESCRIPTION_MAX_CHARS {
            errors.insert("description".into(), format!("At most {DESCRIPTION_MAX_CHARS} characters."));
        }
        if self.events.is_empty() {
            errors.insert("events".into(), "Choose at least one event.".into());
        } else if let Some(unknown) = self.events.iter().find(|e| !is_event_type(e)) {
            errors.insert("events".into(), format!("There is no event “{unknown}”."));
        }
        errors
    }
}

/// The Webhooks page: the partner's endpoints, and what this instance allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    pub endpoints: Vec<EndpointInfo>,
    /// `--webhook-allow-private`: local and plain-http receivers are allowed.
    pub local_allowed: bool,
}

/// One endpoint as the page shows it (its secret only once, in [`CreatedEndpoint`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointInfo {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// Set when deliveries kept failing for a day: the partner should look at its receiver.
    pub failing_since: Option<i64>,
    /// Until when the secret before the last rotation is still signed with too.
    pub previous_secret_until: Option<i64>,
    pub created_at: i64,
    /// Deliveries waiting or being retried.
    pub pending: u64,
}

/// An endpoint just made, or its secret just rotated: the signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub endpoint: EndpointInfo,
    pub secret: String,
}

/// One delivery of one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    pub id: i64,
    /// The `webhook-id` header: the same on every attempt.
    pub message_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
    pub last_attempt_at: Option<i64>,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_latency_ms: Option<i64>,
    /// The start of the receiver's answer, or why there was none.
    pub last_response: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_needs_an_https_address_and_known_events() {
        let good = EndpointDraft {
            url: "https://hooks.example.com/clientele".into(),
            description: String::new(),
            events: vec!["customer.created".into()],
        };
        assert!(good.validate(false).is_empty());
        for (url, why) in [
            ("", "Enter the address"),
            ("hooks.example.com", "full address"),
            ("https://", "full address"),
            ("http://hooks.example.com", "https://"),
            ("https://a b.example", "full address"),
        ] {
            let errors = EndpointDraft { url: url.into(), ..good.clone() }.validate(false);
            assert!(errors.get("url").is_some_and(|e| e.contains(why)), "{url}: {errors:?}");
        }
        let local = EndpointDraft { url: "http://127.0.0.1:9000/hook".into(), ..good.clone() };
        assert!(local.validate(true).is_empty());
        let none = EndpointDraft { events: vec![], ..good.clone() }.validate(false);
        assert!(none.contains_key("events"));
        let unknown = EndpointDraft { events: vec!["customer.exploded".into()], ..good }.validate(false);
        assert!(unknown.contains_key("events"));
    }
}
