//! "Add network account" from the selection toolbar: asks for the network's name; the server
//! creates it where the selected customer was and moves the customer inside. ("Create
//! sub-account" opens the usual customer dialog with the network chosen.)

use super::bulk::Picked;
use crate::api::customer_records::AddNetwork;
use crate::components::feedback::ErrorNotice;
use crate::components::field::{described_by, Field};
use crate::components::modal::open_when_attached;
use crate::context::CustomerActions;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub(super) fn AddNetworkDialog(picked: Picked) -> impl IntoView {
    view! {
        {move || {
            picked
                .network_for
                .get()
                .map(|customer| {
                    view! { <NetworkNameDialog picked customer_id=customer.id customer_name=customer.name /> }
                })
        }}
    }
}

#[component]
fn NetworkNameDialog(picked: Picked, customer_id: i64, customer_name: String) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let add = ServerAction::<AddNetwork>::new();
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || picked.network_for.set(None);
    let moved = customer_name.clone();
    Effect::new(move |_| match add.value().get() {
        Some(Ok(network)) => {
            actions.notice.set(Some(format!("Created network {}; {moved} is now inside it.", network.name)));
            // The list, its network filter and the sidebar all follow.
            actions.changed.update(|n| *n += 1);
            picked.clear();
            picked.network_for.set(None);
        }
        Some(Err(AppError::Invalid(errors))) => problem.set(errors.get("name").cloned()),
        _ => {}
    });
    let failure = Signal::derive(move || match add.value().get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = name.get_untracked().trim().to_string();
        if text.is_empty() {
            problem.set(Some("Name is required.".into()));
            return;
        }
        problem.set(None);
        add.dispatch(AddNetwork { customer_id, name: text });
    };
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="add-network-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                close();
            }
            on:close=move |_| close()
        >
            <form novalidate on:submit=submit>
                <h2 id="add-network-title">"Add network account"</h2>
                <p>
                    {format!(
                        "A new network takes {customer_name}'s place, with {customer_name} inside it. Its users keep their access.",
                    )}
                </p>
                <Field id="network-name" label="Network name" error=Signal::derive(move || problem.get())>
                    <input
                        id="network-name"
                        type="text"
                        autocomplete="off"
                        maxlength="200"
                        aria-required="true"
                        aria-invalid=move || problem.get().is_some().to_string()
                        aria-describedby=described_by("network-name", false)
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </Field>
                {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                        "Create network"
                    </button>
                </div>
            </form>
        </dialog>
    }
}
