//! Who is calling: the signed-in person with everything they are allowed (built by `authz` from
//! the session), and the "Log in as" view they may be in. Low in the domain layer: the audit log
//! names actors, and nothing here reaches anything but the shared types.

use crate::types::session::{Permission, TenantRef};
use std::collections::BTreeSet;

/// How an operator's audit entries say so, wherever they work.
pub const OPERATOR_MARK: &str = " (platform operator)";

/// The signed-in person with everything they are allowed, as resolved from the session.
#[derive(Debug, Clone)]
pub struct Actor {
    pub session_id: i64,
    pub person_id: i64,
    pub email: String,
    pub full_name: String,
    pub theme: crate::types::my_account::Theme,
    pub is_operator: bool,
    /// Partner tenants the person belongs to, with their role there.
    pub partner_roles: Vec<PartnerRole>,
    /// The tenant this session works in (validated against the memberships).
    pub active_tenant: Option<TenantRef>,
    /// Permissions held in the active tenant.
    pub permissions: BTreeSet<Permission>,
    pub role_name: Option<String>,
    pub client_addr: Option<String>,
    /// Set while the person views a customer account as its users do ("Log in as"): then they
    /// hold no partner or operator rights, only that account (see `impersonation`).
    pub impersonation: Option<Impersonation>,
    /// Set when an API key calls rather than a person (`backend::api_keys`): then `person_id` is
    /// the key's creator, whose name its records' stamps carry, there is no session, and audit
    /// entries name the key.
    pub api_key: Option<ApiKeyRef>,
}

/// The API key behind a request.
#[derive(Debug, Clone)]
pub struct ApiKeyRef {
    pub id: i64,
    pub name: String,
    /// The secret's first characters, as the keys list shows them.
    pub prefix: String,
    /// An account key's customer account: the one account it reaches (`authz::authorize_key_account`).
    pub customer_id: Option<i64>,
    /// Where the key stands against its rate limit after this request.
    pub rate: Option<RateState>,
}

/// A key's requests in the current minute against its limit (`RateLimit-*` headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_seconds: u64,
}

#[derive(Debug, Clone)]
pub struct PartnerRole {
    pub tenant: TenantRef,
    pub role_id: i64,
    pub role_name: String,
}

impl Actor {
    /// How audit entries name this actor; an operator's entries say so, wherever they work.
    pub fn label(&self) -> String {
        if let Some(key) = &self.api_key {
            return format!("API key \u{201c}{}\u{201d} ({}\u{2026})", key.name, key.prefix);
        }
        if self.is_operator {
            format!("{} <{}>{}", self.full_name, self.email, OPERATOR_MARK)
        } else {
            format!("{} <{}>", self.full_name, self.email)
        }
    }

    /// The same person viewing `impersonation`'s account: every staff right set aside.
    pub(in crate::backend) fn impersonating(self, impersonation: Impersonation) -> Self {
        Self {
            is_operator: false,
            partner_roles: Vec::new(),
            active_tenant: None,
            permissions: BTreeSet::new(),
            role_name: None,
            impersonation: Some(impersonation),
            ..self
        }
    }
}

/// A live view, as the request that carries its cookie sees it.
#[derive(Debug, Clone)]
pub struct Impersonation {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant_name: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub expires_at: i64,
    pub return_to: String,
    /// Whether the partner user's own role lets them manage customer users (`customer_users.manage`):
    /// only then may they invite anyone while viewing, and only by email (see `portal::invite`).
    pub may_manage_users: bool,
}

impl Impersonation {
    /// How audit entries name the account acted as.
    pub fn label(&self) -> String {
        format!("{} (customer #{})", self.customer_name, self.customer_id)
    }
}
