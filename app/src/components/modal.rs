//! Pieces every modal dialog shares: opening a native `<dialog>` modally, and the frames shown
//! while its data loads or when it cannot load.

use super::feedback::{ErrorNotice, Loading};
use super::focus::focus;
use crate::error::AppError;
use leptos::prelude::*;

/// Opens `dialog` modally once it is in the document, and gives focus back to the control that
/// opened it when the dialog goes. The element exists before it is attached, and only a
/// connected dialog can be shown modally, hence the next frame.
pub fn open_when_attached(dialog: NodeRef<leptos::html::Dialog>) {
    // The opener, and its accessible name to find its twin if a refreshed list replaced it.
    // Browser only: a DOM element lives in thread-local storage, which a server render (that
    // may hop threads) must not touch, and the server has no focus to give back anyway.
    #[cfg(target_arch = "wasm32")]
    let opener = {
        let opener = StoredValue::new_local(None::<(web_sys::Element, Option<String>)>);
        on_cleanup(move || {
            if let Some((element, name)) = opener.try_get_value().flatten() {
                return_focus(element, name);
            }
        });
        opener
    };
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            #[cfg(target_arch = "wasm32")]
            if opener.with_value(Option::is_none) {
                if let Some(active) = document().active_element() {
                    let name = active.get_attribute("aria-label");
                    opener.set_value(Some((active, name)));
                }
            }
            let _ = request_animation_frame(move || {
                if d.is_connected() && !d.open() {
                    let _ = d.show_modal();
                }
            });
        }
    });
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn return_focus(element: web_sys::Element, name: Option<String>) {
    let twin = move || {
        let name = name.as_deref().filter(|n| !n.contains(['"', '\\']))?;
        document().query_selector(&format!("[aria-label=\"{name}\"]")).ok().flatten()
    };
    let _ = request_animation_frame(move || {
        if element.is_connected() {
            focus(&element);
        }
        // A save refreshes the list a moment later, replacing the opener: then its twin in
        // the new rows (same accessible name) takes the focus, if nothing else has it.
        let _ = set_timeout(
            move || {
                let lost = document().active_element().is_none_or(|a| a.tag_name() == "BODY");
                if lost {
                    if let Some(el) = if element.is_connected() { Some(element) } else { twin() } {
                        focus(&el);
                    }
                }
            },
            std::time::Duration::from_millis(700),
        );
    });
}

/// Shown while a dialog's data loads.
#[component]
pub fn ModalLoading() -> impl IntoView {
    view! {
        <div class="modal-backdrop">
            <div class="modal">
                <Loading />
            </div>
        </div>
    }
}

/// Shown instead of a dialog whose data could not be loaded.
#[component]
pub fn ModalLoadFailed(error: AppError, label: &'static str, on_close: Callback<()>) -> impl IntoView {
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="alertdialog" aria-modal="true" aria-label=label>
                <ErrorNotice error />
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
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
        <dialog
            node_ref=dialog
            class="modal"
            role="alertdialog"
            aria-labelledby="confirm-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <h2 id="confirm-title">{title}</h2>
            <p>{text}</p>
            <div class="modal-actions">
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="button" class="button button-danger" on:click=move |_| on_confirm.run(())>
                    {confirm_label}
                </button>
            </div>
        </dialog>
    }
}
