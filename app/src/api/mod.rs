//! Server functions: the browser's API. Each one is thin: authorize, call the domain layer,
//! and let `respond` give failures their HTTP status.

pub mod accounts;
pub mod auth;
pub mod customer_records;
pub mod customer_users;
pub mod customers;
pub mod email;
pub mod field_config;
pub mod partners;
pub mod portal;
