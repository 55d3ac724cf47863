//! A credential shown once, right after it was made (an API key, a signing secret): a titled
//! notice with the value in a read-only field that selects itself, a copy button and "Done".

use leptos::prelude::*;

#[component]
pub fn ShownOnce(
    /// The notice's name for assistive technology.
    region: &'static str,
    title: String,
    /// Why to copy it now.
    text: &'static str,
    /// The field's label.
    field: &'static str,
    /// The copy button's label ("Copy key").
    copy_label: &'static str,
    value: String,
    on_dismiss: Callback<()>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let for_copy = value.clone();
    view! {
        <section class="notice notice-info shown-link" role="region" aria-label=region>
            <p>
                <strong>{title}</strong>
            </p>
            <p class="muted">{text}</p>
            <div class="copy-row">
                <input
                    type="text"
                    readonly
                    aria-label=field
                    value=value
                    on:focus=move |ev| {
                        use leptos::wasm_bindgen::JsCast;
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                />
                <button
                    type="button"
                    class="button"
                    on:click=move |_| {
                        let _ = window().navigator().clipboard().write_text(&for_copy);
                        copied.set(true);
                    }
                >
                    {move || if copied.get() { "Copied" } else { copy_label }}
                </button>
                <button type="button" class="button" on:click=move |_| on_dismiss.run(())>
                    "Done"
                </button>
            </div>
        </section>
    }
}
