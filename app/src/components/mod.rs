//! The generic UI kit every page uses: the app shell with its header and sidebar, the modal,
//! loading and error notices, debouncing. Feature dialogs live beside their pages.

pub mod debounce;
pub mod feedback;
pub mod header;
pub mod modal;
pub mod shell;
pub mod sidebar;
