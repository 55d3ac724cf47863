//! Server functions: the browser's API, one module per domain. Each one is thin: authorize,
//! call the domain layer in `crate::backend`, and let `respond` give failures their HTTP status.

pub mod account_links;
pub mod api_keys;
pub mod audit;
pub mod consents;
pub mod customer_records;
pub mod customer_users;
pub mod customers;
pub mod email;
pub mod erasure;
pub mod field_config;
pub mod impersonation;
pub mod my_account;
pub mod partners;
pub mod portal;
pub mod roles;
pub mod session;
pub mod team;
pub mod webhooks;
