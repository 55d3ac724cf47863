//! "Log in as" (PRODUCT.md §8, issue 12): a partner user views a customer account exactly as its
//! users do, for a limited time, under a banner, with both identities in the audit log.

use serde::{Deserialize, Serialize};

/// Why "Log in as" is shown disabled until the operator confirms the partner's support level
/// (tooltip and accessible description, word for word).
pub const AWAITING_SUPPORT_LEVEL: &str = "Available once the platform operator has confirmed your support level";
/// Why it is shown disabled when the instance's operators turned it off.
pub const TURNED_OFF: &str = "Log in as is turned off on this instance";

/// The longest reason a partner user may give.
pub const REASON_MAX_CHARS: usize = 500;

/// Whether a partner user is asked why they log in as a customer (a tenant setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReasonPolicy {
    Required,
    #[default]
    Optional,
    Off,
}

impl ReasonPolicy {
    pub const ALL: [ReasonPolicy; 3] = [Self::Required, Self::Optional, Self::Off];

    pub fn key(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Off => "off",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Required => "Required",
            Self::Optional => "Optional",
            Self::Off => "Not asked",
        }
    }
}

/// Whether the signed-in partner user can log in as customers here, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImpersonationAvailability {
    Available {
        reason: ReasonPolicy,
        minutes: i64,
    },
    /// The operator has not confirmed this partner's support level.
    AwaitingSupportLevel,
    /// `--impersonation off`.
    TurnedOff,
}

impl ImpersonationAvailability {
    /// Why the action is disabled, when it is.
    pub fn blocked_because(self) -> Option<&'static str> {
        match self {
            Self::Available { .. } => None,
            Self::AwaitingSupportLevel => Some(AWAITING_SUPPORT_LEVEL),
            Self::TurnedOff => Some(TURNED_OFF),
        }
    }
}

/// The view in progress, as the banner shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationInfo {
    pub customer_id: i64,
    pub customer_name: String,
    /// The real person, who stays signed in as themselves.
    pub partner_user: String,
    /// UTC Unix seconds.
    pub expires_at: i64,
    /// Seconds left when the server answered: the banner counts down from this, so a browser
    /// clock that is off does not matter.
    pub seconds_left: i64,
    /// Where "Return to Clientele" leads: the page the partner user came from.
    pub return_to: String,
    /// Whether the partner user's own role manages customer users: only then may they invite
    /// anyone meanwhile, and only by email (nothing they do as the customer outlasts the view).
    #[serde(default)]
    pub may_invite: bool,
}

/// A tenant's "Log in as" settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationSettings {
    pub minutes: i64,
    pub reason: ReasonPolicy,
    /// The instance's cap (`--impersonation-max-minutes`).
    pub max_minutes: i64,
}

/// "29:41": minutes and seconds left, never negative.
pub fn time_left(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// A path inside this site to come back to, or the customer list: never another origin
/// (`//evil.example`, `/\evil.example`), never anything with control characters.
pub fn safe_return_path(path: &str) -> String {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 2000
        && !path.chars().any(char::is_control);
    if ok {
        path.to_string()
    } else {
        "/customers".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path("/customers?q=ann&status=active"), "/customers?q=ann&status=active");
        assert_eq!(safe_return_path("/customers/7"), "/customers/7");
        for hostile in
            ["//evil.example/", "/\\evil.example", "https://evil.example", "", "javascript:alert(1)", "/a\nb"]
        {
            assert_eq!(safe_return_path(hostile), "/customers", "{hostile:?}");
        }
    }

    #[test]
    fn time_left_reads_as_minutes_and_seconds() {
        assert_eq!(time_left(30 * 60), "30:00");
        assert_eq!(time_left(61), "1:01");
        assert_eq!(time_left(-5), "0:00");
    }

    #[test]
    fn reason_policies_round_trip() {
        for p in ReasonPolicy::ALL {
            assert_eq!(ReasonPolicy::from_key(p.key()), Some(p));
        }
        assert_eq!(ReasonPolicy::from_key("sometimes"), None);
    }
}
