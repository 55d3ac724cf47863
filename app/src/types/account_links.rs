//! Single-use links (activation, password reset) and the rules for the passwords people choose
//! through them.

use serde::{Deserialize, Serialize};

/// What a single-use link is for, as the activation and reset pages show it before the person
/// chooses a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkInfo {
    Activation {
        /// The name the inviting partner gave.
        full_name: String,
        email: String,
        customer_name: String,
        accept: Acceptance,
        /// What the inviting partner asks the person to accept.
        consents: crate::types::consents::ConsentPolicy,
    },
    Reset {
        email: String,
    },
    /// Unknown, used, expired, or revoked: the page says what to do next.
    Unusable(LinkProblem),
}

/// How an invitation is accepted. A link that went to the person's inbox chooses the password
/// (a new identity, or one whose address was never confirmed: the inbox's owner takes it over) or
/// accepts with one click (a confirmed account, whose password is never typed here: the page
/// would be a guessing oracle for whoever holds the link). A link the inviter was shown chooses
/// a password only for the identity this very invitation created; for an existing account it
/// accepts only while signed in as that account; anyone else must answer through their own inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acceptance {
    ChoosePassword,
    Accept,
    SignInFirst,
    /// Nothing can be done with this handed-over link: the invitation must reach the address's
    /// own inbox (the inviter resends it by email).
    ConfirmThroughInbox,
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
}
