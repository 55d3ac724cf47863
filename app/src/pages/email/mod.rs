//! Email: a tenant's email settings and the operator's development mailbox.

pub mod mailbox;
pub mod settings;
