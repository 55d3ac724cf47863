//! Types shared by the server and the browser: what server functions take and return, and the
//! rules both sides check. One module per domain, named as in `api/`, `backend/` and `pages/`.

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
pub mod forms;
pub mod impersonation;
pub mod my_account;
pub mod partners;
pub mod portal;
pub mod roles;
pub mod session;
pub mod team;
pub mod webhooks;
