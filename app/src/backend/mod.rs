//! Server-only domain layer: database access, authentication, authorization, audit and the
//! repositories. Server functions in `crate::api` stay thin and call into here.

pub mod account_links;
pub mod audit;
pub mod audit_log;
pub mod authz;
pub mod backup;
pub mod consents;
pub mod customer_records;
pub mod customer_users;
pub mod customers;
pub mod db;
pub mod email;
pub mod erasure;
pub mod export;
pub mod field_config;
pub mod health;
pub mod impersonation;
pub mod memberships;
pub mod my_account;
pub mod partners;
pub mod password;
pub mod portal;
pub mod request;
pub mod roles;
pub mod seed;
pub mod session;
pub mod team;
pub mod throttle;
pub mod tokens;

use std::time::Duration;

pub use authz::{
    authorize, authorize_account, authorize_audit, authorize_operator, current_actor, AccountScope, Actor, AuditScope,
    OperatorScope, TenantScope,
};
pub use db::{Db, DbKind};

/// Everything a request handler needs, provided to every server function as Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: leptos::config::LeptosOptions,
    pub db: Db,
    pub security: SecurityConfig,
    pub mail: email::MailConfig,
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
        }
    }
}

/// The current time as UTC Unix seconds, the unit of every timestamp column.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// The application state of the request being handled.
pub fn state() -> Result<AppState, crate::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::AppError::internal("reading the request context", "AppState is missing"))
}
