//! Pieces every modal dialog shares: opening a native `<dialog>` modally, and the frames shown
//! while its data loads or when it cannot load.

use super::feedback::{ErrorNotice, Loading};
use crate::AppError;
use leptos::prelude::*;

/// Opens `dialog` modally once it is in the document. The element exists before it is
/// attached, and only a connected dialog can be shown modally, hence the next frame.
pub fn open_when_attached(dialog: NodeRef<leptos::html::Dialog>) {
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            request_animation_frame(move || {
                if d.is_connected() && !d.open() {
                    let _ = d.show_modal();
                }
            });
        }
    });
}

/// Shown while a dialog's data loads.
#[component]
pub fn ModalLoading() -> impl IntoView {
    view! { <div class="modal-backdrop"><div class="modal"><Loading/></div></div> }
}

/// Shown instead of a dialog whose data could not be loaded.
#[component]
pub fn ModalLoadFailed(error: AppError, label: &'static str, on_close: Callback<()>) -> impl IntoView {
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="alertdialog" aria-modal="true" aria-label=label>
                <ErrorNotice error/>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button>
                </div>
            </div>
        </div>
    }
}

/// A yes-or-no question before something that cannot be taken back: `title`, what it does, and
/// a button saying what happens. Escape or Cancel closes it.
#[component]
pub fn ConfirmDialog(
    title: String,
    text: String,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    view! {
        <dialog node_ref=dialog class="modal" role="alertdialog" aria-labelledby="confirm-title"
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); on_close.run(()); }>
            <h2 id="confirm-title">{title}</h2>
            <p>{text}</p>
            <div class="modal-actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button-danger" on:click=move |_| on_confirm.run(())>{confirm_label}</button>
            </div>
        </dialog>
    }
}
