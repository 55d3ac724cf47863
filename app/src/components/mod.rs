//! The generic UI kit every page uses: the app shell with its header and sidebar, the modal,
//! loading and error notices, debouncing. Feature dialogs live beside their pages.

pub mod debounce;
pub mod feedback;
pub mod header;
pub mod modal;
pub mod shell;
pub mod sidebar;

/// Moves keyboard focus to `element`, when it is something that can take it.
pub fn focus(element: &web_sys::Element) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}
