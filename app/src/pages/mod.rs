pub mod customer_detail;
pub mod customer_fields;
pub mod customers;
pub mod home;
pub mod login;
pub mod not_found;
pub mod settings;
