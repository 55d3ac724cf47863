pub mod debounce;
pub mod feedback;
pub mod header;
pub mod shell;
pub mod sidebar;
