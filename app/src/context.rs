//! The app-wide contexts every page may read: the session and sign-in actions (`Auth`), the theme
//! just chosen (`ThemeChoice`), and the customer dialogs and changes any page can open or follow
//! (`CustomerActions`). Provided once by `App`; pages and the frame `expect_context` them.

use crate::api::customers::SetCustomersStatus;
use crate::api::session::{Login, Logout, SwitchTenant};
use crate::error::AppError;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::my_account::Theme;
use crate::types::session::{Permission, SessionInfo};
use leptos::prelude::*;

/// Sign-in state shared by every page. The actions' versions key the session resource, so
/// signing in, out or switching partner refreshes what the UI shows.
#[derive(Clone, Copy)]
pub struct Auth {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub switch_tenant: ServerAction<SwitchTenant>,
    pub session: Resource<Result<Option<SessionInfo>, AppError>>,
}

impl Auth {
    /// Whether the signed-in person may do `permission` in the active tenant, to hide what
    /// they may not (the server checks again on every call).
    pub fn can(&self, permission: Permission) -> Signal<bool> {
        let session = self.session;
        Signal::derive(move || session.get().and_then(Result::ok).flatten().is_some_and(|s| s.can(permission)))
    }
}

/// The theme the person just chose on this page, ahead of the session that will say so next
/// time. Forgotten at sign-in and sign-out, when the session speaks for a person again.
#[derive(Clone, Copy)]
pub struct ThemeChoice(pub RwSignal<Option<Theme>>);

/// Which customer the add/edit dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormTarget {
    New,
    /// "Create sub-account": a new customer inside this network.
    SubAccountOf(NetworkChoice),
    Edit(i64),
}

/// Changes to customers that other parts of the page (the list, the sidebar, the detail page)
/// must follow at once, and the dialogs any page can open.
#[derive(Clone, Copy)]
pub struct CustomerActions {
    pub set_status: ServerAction<SetCustomersStatus>,
    /// The add/edit dialog, when open.
    pub editor: RwSignal<Option<FormTarget>>,
    /// The customer whose delete dialog is open.
    pub deleting: RwSignal<Option<i64>>,
    /// The customer (id, name) whose "Log in as" dialog is open.
    pub impersonating: RwSignal<Option<(i64, String)>>,
    /// Bumped after every create, edit or delete: views that show customers fetch again.
    pub changed: RwSignal<u64>,
    /// What the last change did, announced at the top of the page.
    pub notice: RwSignal<Option<String>>,
}

impl CustomerActions {
    /// Anything that changes what customers look like: a status change or a saved record.
    pub fn version(&self) -> (usize, u64) {
        (self.set_status.version().get(), self.changed.get())
    }
}
