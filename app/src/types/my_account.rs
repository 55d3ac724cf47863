//! One's own account (the "My account" page): name, password and sessions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub full_name: String,
    pub email: String,
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
