//! Every integration test, in one binary: one link of the whole app instead of one per file.
//! Each module is a domain, named as in `app/src`, or one concern across domains (authorization,
//! hostile input, pages, reliability, schema, trust); each test runs on SQLite and on PostgreSQL
//! through `on_both_databases!`, against the real router in-process.

#[macro_use]
mod common;

mod account_links;
mod api;
mod audit;
mod authorization;
mod authorization_matrix;
mod backup;
mod consents;
mod customer_records;
mod customer_users;
mod customers;
mod email;
mod erasure;
mod export;
mod field_config;
mod hostile_input;
mod impersonation;
mod my_account;
mod pages;
mod partners;
mod portal;
mod reliability;
mod schema;
mod session;
mod team;
mod trust;
mod webhooks;
