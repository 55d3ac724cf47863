//! The one way a form field is drawn: its label (with the required mark), the control, a hint
//! and the error, announced as it appears. The control is the caller's (an input, a select, a
//! textarea, a combobox); it takes the field's `id` and, for assistive technology, names the hint
//! and the error with `aria-describedby=described_by(..)` and says `aria-invalid` while there is an
//! error ([`invalid`]).

use leptos::prelude::*;

/// The ids of what describes a control with id `id`: its hint (when it has one) and its error.
pub fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// `aria-invalid` for a control whose error is `error`.
pub fn invalid(error: Signal<Option<String>>) -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    move || if error.get().is_some() { "true" } else { "false" }
}

/// A labelled form field around its control (the children).
#[component]
pub fn Field(
    /// The control's id: the label's `for`, and the stem of the hint's and the error's ids.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// Marks the label (the control itself says `aria-required`).
    #[prop(optional)]
    required: bool,
    /// A line of help under the control.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// The problem to show, if any (live: it is announced when it appears).
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let (label_for, hint_id, error_id) = (id.clone(), format!("{id}-hint"), format!("{id}-error"));
    let mark = required.then(|| {
        view! {
            <span class="required-mark" aria-hidden="true">
                " *"
            </span>
        }
    });
    let hint_line = move || {
        hint.get().map(|h| {
            view! {
                <p class="field-help" id=hint_id.clone()>
                    {h}
                </p>
            }
        })
    };
    view! {
        <div class="form-field" class:has-error=move || error.get().is_some()>
            <label for=label_for>{label}{mark}</label>
            {children()}
            {hint_line}
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_is_described_by_its_hint_and_its_error() {
        assert_eq!(described_by("email", true), "email-hint email-error");
        assert_eq!(described_by("email", false), "email-error");
    }
}
