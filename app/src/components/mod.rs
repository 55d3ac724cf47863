//! The generic UI kit every page uses: the modal, loading and error notices, form fields,
//! debouncing, moving focus, a credential shown once. Nothing here knows a page, a server function or the session: the
//! app frame around the pages (shell, header, sidebar) is `crate::frame`; feature dialogs live
//! beside their pages.

pub mod debounce;
pub mod feedback;
pub mod field;
pub mod focus;
pub mod modal;
pub mod shown_once;
