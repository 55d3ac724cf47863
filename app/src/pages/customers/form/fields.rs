//! The form's fields: a labelled frame with required mark, help and error, and the input for a
//! custom field of each kind.

use super::state::FormState;
use crate::types::field_config::{CustomField, CustomFieldKind};
use leptos::prelude::*;

/// A labelled field with its required mark, help and error (announced as it appears).
#[component]
pub(super) fn Field(
    id: String,
    label: &'static str,
    required: bool,
    error: Signal<Option<String>>,
    help: Option<String>,
    children: Children,
) -> impl IntoView {
    field_frame(id, label.to_string(), required, error, help, children().into_any())
}

fn field_frame(
    id: String,
    label: String,
    required: bool,
    error: Signal<Option<String>>,
    help: Option<String>,
    input: AnyView,
) -> impl IntoView {
    view! {
        <div class="form-field" class:has-error=move || error.get().is_some()>
            <label for=format!("field-{id}")>
                {label}
                {required.then(|| view! { <span class="required-mark" aria-hidden="true">" *"</span> })}
            </label>
            {input}
            {help.map(|h| view! { <p class="field-help">{h}</p> })}
            <p class="field-error" id=format!("error-{id}") aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

#[component]
pub(super) fn CustomInput(field: CustomField, state: FormState) -> impl IntoView {
    let key = field.key.clone();
    let form_key = field.form_key();
    let error = state.error_for(form_key.clone());
    let id = format!("field-{form_key}");
    let described = format!("error-{form_key}");
    let value = {
        let key = key.clone();
        move || state.values.with(|v| v.custom.get(&key).cloned().unwrap_or_default())
    };
    let set = {
        let (key, form_key) = (key.clone(), form_key.clone());
        move |text: String| {
            state.set_field(&form_key, |v| {
                v.custom.insert(key.clone(), text);
            })
        }
    };
    let touch = {
        let form_key = form_key.clone();
        move || state.touch(&form_key)
    };
    let required = field.required.to_string();
    let invalid = move || error.get().is_some().to_string();
    let input = match field.kind {
        CustomFieldKind::YesNo | CustomFieldKind::Choice => {
            let options: Vec<(String, String)> = match field.kind {
                CustomFieldKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
                _ => field.options.iter().map(|o| (o.clone(), o.clone())).collect(),
            };
            view! {
                <select id=id aria-required=required aria-invalid=invalid aria-describedby=described prop:value=value
                    on:change=move |ev| { set(event_target_value(&ev)); touch(); }>
                    <option value="">"—"</option>
                    {options.into_iter().map(|(v, label)| view! { <option value=v>{label}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        kind => {
            let (input_type, mode) = match kind {
                CustomFieldKind::Date => ("date", "text"),
                CustomFieldKind::Number => ("text", "decimal"),
                _ => ("text", "text"),
            };
            view! {
                <input id=id type=input_type inputmode=mode aria-required=required aria-invalid=invalid aria-describedby=described
                    prop:value=value
                    on:input=move |ev| set(event_target_value(&ev))
                    on:change=move |_| touch()/>
            }
            .into_any()
        }
    };
    let help = (!field.help_text.is_empty()).then(|| field.help_text.clone());
    field_frame(form_key, field.label.clone(), field.required, error, help, input)
}
