//! Small shared pieces for loading and error states.

use crate::AppError;
use leptos::prelude::*;

/// An error as a person should see it, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <div class="notice notice-error" role="alert">{error.to_string()}</div> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="loading" aria-live="polite">"Loading…"</div> }
}
