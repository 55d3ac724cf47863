//! The app frame around every signed-in page: the shell (which waits for the session, mounts the
//! customer dialogs any page can open and lays out header, sidebar and page), the header and the
//! sidebar. It sits above the pages: it places them, they never reach up into it.

pub mod header;
pub mod shell;
pub mod sidebar;
