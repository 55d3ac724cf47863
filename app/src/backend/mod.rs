//! Server-only domain layer: database access, authentication, authorization, audit and the
//! repositories. Server functions in `crate::api` stay thin and call into here.

pub mod account_links;
pub mod actor;
pub mod api_keys;
pub mod audit;
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
pub mod idempotency;
pub mod impersonation;
pub mod invitations;
pub mod memberships;
pub mod my_account;
pub mod partners;
pub mod password;
pub mod portal;
pub mod request;
pub mod roles;
pub mod seed;
pub mod session;
pub mod sql;
pub mod state;
pub mod team;
pub mod throttle;
pub mod tokens;
pub mod webhooks;

pub use actor::Actor;
pub use authz::{
    authorize, authorize_account, authorize_audit, authorize_key_account, authorize_operator, current_actor,
    AccountScope, AuditScope, OperatorScope, TenantScope,
};
pub use db::{Db, DbKind};
pub use state::{now, state, AppState, MailConfig, SecurityConfig, SmtpConfig, SmtpTls};
