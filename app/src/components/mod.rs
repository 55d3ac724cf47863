pub mod customer_form;
pub mod debounce;
pub mod delete_customer;
pub mod feedback;
pub mod header;
pub mod modal;
pub mod shell;
pub mod sidebar;
