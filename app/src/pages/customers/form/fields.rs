//! The form's fields, each in the kit's labelled `Field`: the built-in ones as the tenant's
//! configuration asks for them, and a custom field of each kind.

use super::state::FormState;
use crate::components::field::{described_by, invalid, Field};
use crate::pages::customers::network_picker::NetworkPicker;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::field_config::{BuiltinField, CustomField, CustomFieldKind, FieldMode};
use leptos::prelude::*;

#[component]
pub(super) fn CustomInput(field: CustomField, state: FormState) -> impl IntoView {
    let key = field.key.clone();
    let form_key = field.form_key();
    let error = state.error_for(form_key.clone());
    let id = format!("field-{form_key}");
    let help = (!field.help_text.is_empty()).then(|| field.help_text.clone());
    let described = described_by(&id, help.is_some());
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
                <select
                    id=id.clone()
                    aria-required=required
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=value
                    on:change=move |ev| {
                        set(event_target_value(&ev));
                        touch();
                    }
                >
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
                <input
                    id=id.clone()
                    type=input_type
                    inputmode=mode
                    aria-required=required
                    aria-invalid=invalid
                    aria-describedby=described
                    prop:value=value
                    on:input=move |ev| set(event_target_value(&ev))
                    on:change=move |_| touch()
                />
            }
            .into_any()
        }
    };
    view! {
        <Field id label=field.label.clone() required=field.required hint=help error>
            {input}
        </Field>
    }
}

/// A built-in text field (address, contact), as the tenant's configuration asks for it.
#[component]
pub(super) fn TextField(field: BuiltinField, state: FormState) -> impl IntoView {
    let key = field.key().to_string();
    let mode = state.config.with_value(|c| c.mode(field));
    let kind = match field {
        BuiltinField::ContactEmail => "email",
        BuiltinField::PhonePrimary | BuiltinField::PhoneSecondary => "tel",
        _ => "text",
    };
    let autocomplete = match field {
        BuiltinField::Street => "street-address",
        BuiltinField::PostalCode => "postal-code",
        BuiltinField::ContactEmail => "email",
        BuiltinField::PhonePrimary | BuiltinField::PhoneSecondary => "tel",
        BuiltinField::ContactFirstName => "given-name",
        BuiltinField::ContactLastName => "family-name",
        _ => "off",
    };
    let error = state.error_for(key.clone());
    let id = format!("field-{key}");
    let values = state.values;
    view! {
        <Field id=id.clone() label=field.label() required=mode == FieldMode::Required error>
            <input
                id=id.clone()
                type=kind
                autocomplete=autocomplete
                maxlength=field.max_chars().to_string()
                aria-required=(mode == FieldMode::Required).to_string()
                aria-invalid=invalid(error)
                aria-describedby=described_by(&id, false)
                prop:value=move || values.with(|v| v.text(field).to_string())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    state
                        .set_field(
                            field.key(),
                            |v| {
                                if let Some(slot) = v.text_mut(field) {
                                    *slot = text;
                                }
                            },
                        );
                }
                on:change=move |_| state.touch(&key)
            />
        </Field>
    }
}

/// The name: always shown and required; changing it takes back a duplicate-name confirmation.
#[component]
pub(super) fn NameField(state: FormState) -> impl IntoView {
    let error = state.error_for("name".into());
    let values = state.values;
    view! {
        <Field id="field-name" label="Name" required=true error>
            <input
                id="field-name"
                type="text"
                maxlength=crate::types::customer_records::NAME_MAX_CHARS.to_string()
                aria-required="true"
                aria-invalid=invalid(error)
                aria-describedby=described_by("field-name", false)
                prop:value=move || values.with(|v| v.name.clone())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    state.set_field("name", |v| v.name = text);
                    state.duplicate_ok.set(false);
                    state.duplicate_of.set(None);
                }
                on:change=move |_| state.touch("name")
            />
        </Field>
    }
}

fn required(state: FormState, field: BuiltinField) -> bool {
    state.config.with_value(|c| c.mode(field) == FieldMode::Required)
}

#[component]
pub(super) fn CountryField(state: FormState) -> impl IntoView {
    let error = state.error_for("country".into());
    let required = required(state, BuiltinField::Country);
    let values = state.values;
    view! {
        <Field id="field-country" label="Country" required error>
            <select
                id="field-country"
                aria-required=required.to_string()
                aria-invalid=invalid(error)
                aria-describedby=described_by("field-country", false)
                prop:value=move || values.with(|v| v.country.clone())
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    state.pick("country", |v| v.country = code);
                }
            >
                <option value="">"—"</option>
                {crate::countries::all_by_name()
                    .into_iter()
                    .map(|(code, name)| view! { <option value=code>{name}</option> })
                    .collect_view()}
            </select>
        </Field>
    }
}

/// The network, picked from every customer of the tenant (not the one edited, `exclude`).
#[component]
pub(super) fn NetworkField(state: FormState, exclude: Option<i64>) -> impl IntoView {
    let error = state.error_for("network".into());
    let required = required(state, BuiltinField::Network);
    let network = state.network;
    view! {
        <Field id="field-network" label="Network" required error>
            <NetworkPicker
                selected=network
                exclude=exclude
                required=required
                invalid=Signal::derive(move || error.get().is_some())
                on_pick=Callback::new(move |choice: Option<NetworkChoice>| {
                    state.pick("network", |v| v.parent_id = choice.as_ref().map(|n| n.id));
                    network.set(choice);
                })
            />
        </Field>
    }
}

/// The workflow, from the tenant's list; one it has since removed stays visible until changed.
#[component]
pub(super) fn WorkflowField(state: FormState) -> impl IntoView {
    let error = state.error_for("workflow".into());
    let required = required(state, BuiltinField::Workflow);
    let workflows = StoredValue::new(state.config.with_value(|c| c.workflows.clone()));
    let values = state.values;
    view! {
        <Field id="field-workflow" label="Workflow" required error>
            <select
                id="field-workflow"
                aria-required=required.to_string()
                aria-invalid=invalid(error)
                aria-describedby=described_by("field-workflow", false)
                prop:value=move || values.with(|v| v.workflow.clone())
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    state.pick("workflow", |v| v.workflow = name);
                }
            >
                <option value="">"—"</option>
                {workflows
                    .get_value()
                    .into_iter()
                    .map(|w| view! { <option value=w.clone()>{w.clone()}</option> })
                    .collect_view()}
                {move || {
                    let current = values.with(|v| v.workflow.clone());
                    (!current.is_empty() && !workflows.with_value(|w| w.contains(&current)))
                        .then(|| {
                            view! { <option value=current.clone()>{format!("{current} (no longer offered)")}</option> }
                        })
                }}
            </select>
        </Field>
    }
}

/// "You have unsaved changes. Discard them?", asked before a changed form closes.
#[component]
pub(super) fn DiscardPrompt(on_keep: Callback<()>, on_discard: Callback<()>) -> impl IntoView {
    view! {
        <div class="notice notice-warning" role="alert">
            "You have unsaved changes. Discard them?"
            <div class="modal-actions">
                <button type="button" class="button" on:click=move |_| on_keep.run(())>
                    "Keep editing"
                </button>
                <button type="button" class="button button-danger" on:click=move |_| on_discard.run(())>
                    "Discard changes"
                </button>
            </div>
        </div>
    }
}
