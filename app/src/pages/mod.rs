//! One module per page or area, named like the domain it shows; a feature's dialogs and parts
//! sit beside its page.

pub mod account_links;
pub mod api_keys;
pub mod audit;
pub mod consents;
pub mod customer_users;
pub mod customers;
pub mod email;
pub mod erasure;
pub mod field_config;
pub mod home;
pub mod impersonation_settings;
pub mod my_account;
pub mod not_found;
pub mod partners;
pub mod portal;
pub mod roles;
pub mod session;
pub mod team;
pub mod webhooks;
