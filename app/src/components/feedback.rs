//! Small shared pieces for loading and error states.

use crate::error::AppError;
use leptos::prelude::*;

/// An error as a person should see it, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            {error.to_string()}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" aria-live="polite">
            "Loading…"
        </div>
    }
}

/// The message under form field `key`: the server's answer for it, else (once the person has
/// tried to submit) what the browser's own check of the same rules says.
pub fn field_error(
    server: Signal<Option<AppError>>,
    client: Memo<crate::types::forms::FieldErrors>,
    tried: RwSignal<bool>,
    key: &'static str,
) -> impl Fn() -> Option<String> + Send + Sync + Copy + 'static {
    move || {
        if let Some(AppError::Invalid(errors)) = server.get() {
            if let Some(e) = errors.get(key) {
                return Some(e.clone());
            }
        }
        tried.get().then(|| client.with(|e| e.get(key).cloned())).flatten()
    }
}
