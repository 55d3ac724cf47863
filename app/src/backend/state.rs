//! What every request of the domain layer runs with: the application state (database, security
//! policy, mail), the one way to reach it from a server function, and the clock.

use super::Db;
use std::time::Duration;

/// Everything a request handler needs, provided to every server function as Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: leptos::config::LeptosOptions,
    pub db: Db,
    pub security: SecurityConfig,
    pub mail: MailConfig,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Session and sign-in policy (PRODUCT.md §12); the server's flags fill it in.
#[derive(Clone, Debug)]
pub struct SecurityConfig {
    /// Mark the session cookie `Secure` (serve over https).
    pub secure_cookies: bool,
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout: Duration,
    /// Take the client address from the first `X-Forwarded-For` entry (behind a trusted proxy).
    /// Proxies whose `X-Forwarded-For` is believed: the client is the right-most address in it
    /// that is not one of them. Empty: the socket peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// "Log in as" allowed on this instance (`--impersonation off` forbids it everywhere).
    pub impersonation: bool,
    /// The longest a "Log in as" view may last, whatever a tenant sets.
    pub impersonation_max: Duration,
    /// Requests an API key may make per minute (`--api-rate-limit`), counted in the database
    /// across every instance.
    pub api_rate_limit: u32,
    /// Webhooks may be delivered to private, loopback and link-local addresses, and over plain
    /// http (`--webhook-allow-private`: development and tests only).
    pub webhook_allow_private: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            trusted_proxies: Vec::new(),
            impersonation: true,
            impersonation_max: Duration::from_secs(120 * 60),
            api_rate_limit: 600,
            webhook_allow_private: false,
        }
    }
}

/// The current time as UTC Unix seconds, the unit of every timestamp column.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// The application state of the request being handled.
pub fn state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::error::AppError::internal("reading the request context", "AppState is missing"))
}

/// How outgoing email leaves the instance; `smtp: None` means the development mailbox.
#[derive(Clone, Debug)]
pub struct MailConfig {
    pub smtp: Option<SmtpConfig>,
    /// The From address ("Clientele <no-reply@example.com>").
    pub from: String,
    /// The address people reach this instance at, for links in emails (no trailing slash).
    pub public_url: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            from: "Clientele <no-reply@clientele.invalid>".into(),
            public_url: "http://127.0.0.1:3000".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same host or network.
    None,
    /// Connect in the clear, then STARTTLS (refusing to go on without it).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}
