//! The optimistic-concurrency conflict: someone else saved the customer while this dialog was open.

use super::state::FormState;
use crate::types::customer_records::detail::StoredCustomer;
use crate::types::field_config::BuiltinField;
use leptos::prelude::*;

/// Someone saved this customer meanwhile: show what they changed and let the user choose.
#[component]
pub(super) fn ConflictPanel(theirs: StoredCustomer, state: FormState) -> impl IntoView {
    let FormState { values, initial, version, network, conflict, .. } = state;
    let started = initial.get_untracked();
    let mut changed: Vec<(String, String)> = Vec::new();
    if theirs.values.name != started.name {
        changed.push(("Name".into(), theirs.values.name.clone()));
    }
    for field in BuiltinField::ALL {
        if field != BuiltinField::Network && theirs.values.text(field) != started.text(field) {
            changed.push((field.label().into(), theirs.values.text(field).to_string()));
        }
    }
    if theirs.values.parent_id != started.parent_id {
        changed.push(("Network".into(), theirs.network.as_ref().map(|n| n.name.clone()).unwrap_or_default()));
    }
    if theirs.values.custom != started.custom {
        changed.push(("Custom fields".into(), "changed".into()));
    }
    let theirs_for_load = theirs.clone();
    view! {
        <div class="notice notice-warning" role="alert" data-testid="conflict">
            <strong>"Someone else saved this customer while you were editing."</strong>
            <p>"Their values:"</p>
            <ul class="conflict-list">
                {changed
                    .into_iter()
                    .map(|(label, value)| {
                        view! {
                            <li>
                                <span class="muted">{label}": "</span>
                                {if value.is_empty() { "(empty)".to_string() } else { value }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="modal-actions">
                <button
                    type="button"
                    class="button"
                    on:click=move |_| {
                        values.set(theirs_for_load.values.clone());
                        initial.set(theirs_for_load.values.clone());
                        network.set(theirs_for_load.network.clone());
                        version.set(theirs_for_load.version);
                        conflict.set(None);
                    }
                >
                    "Discard mine, load theirs"
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| {
                        initial.set(theirs.values.clone());
                        version.set(theirs.version);
                        conflict.set(None);
                    }
                >
                    "Keep mine (save again to apply)"
                </button>
            </div>
        </div>
    }
}
