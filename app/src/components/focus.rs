//! Moving keyboard focus.

/// Moves keyboard focus to `element`, when it is something that can take it.
pub fn focus(element: &web_sys::Element) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}
