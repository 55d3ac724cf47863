//! One's own account (the "My account" page): name, password and sessions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub full_name: String,
    pub email: String,
    pub theme: Theme,
    /// Newest first; the one this browser uses is marked.
    pub sessions: Vec<OwnSession>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnSession {
    pub id: i64,
    /// UTC Unix seconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}

/// The colour theme a person chose. `System` follows the browser's `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The stored value, also the `data-theme` attribute on `<html>` that the stylesheet reads.
    pub fn key(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Same as this device",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }

    /// Reads a stored value; anything unknown follows the device.
    pub fn from_key(key: &str) -> Self {
        Self::ALL.into_iter().find(|t| t.key() == key).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn theme_keys_round_trip() {
        for theme in Theme::ALL {
            assert_eq!(Theme::from_key(theme.key()), theme);
        }
        assert_eq!(Theme::from_key("purple"), Theme::System);
    }
}
