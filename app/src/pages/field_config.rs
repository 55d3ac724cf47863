//! `/settings/fields`: the partner's customer form (`tenant.configure`) — each built-in field
//! required, optional or hidden; custom fields; workflows. The form follows at once.

use crate::api::field_config::{
    get_field_config, DeleteCustomField, MoveCustomField, SaveCustomField, SetFieldMode, SetWorkflows,
};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::types::field_config::{
    validate_custom_field, BuiltinField, CustomField, CustomFieldDraft, CustomFieldKind, FieldConfig, FieldMode,
};
use crate::types::forms::FieldErrors;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn CustomerFieldsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| get_field_config());
    view! {
        <div class="page-head">
            <h1>"Customer fields"</h1>
        </div>
        <p class="muted">
            "How the customer form looks for everyone in this partner's space. Changes apply at once; hiding a field keeps its stored values."
        </p>
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(config) => Either::Left(view! { <Editor config /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Suspense>
    }
}

/// The page keeps one copy of the configuration; every save answers with the new one.
#[component]
fn Editor(config: FieldConfig) -> impl IntoView {
    let config = RwSignal::new(config);
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(None::<String>);
    let apply = Callback::new(move |(result, what): (Result<FieldConfig, AppError>, String)| match result {
        Ok(new) => {
            config.set(new);
            error.set(None);
            saved.set(Some(what));
        }
        Err(e) => {
            error.set(Some(e));
            saved.set(None);
        }
    });
    let set_mode = ServerAction::<SetFieldMode>::new();
    Effect::new(move |_| {
        if let Some(result) = set_mode.value().get() {
            apply.run((result, "Field setting saved.".into()));
        }
    });
    view! {
        {move || error.get().map(|error| view! { <ErrorNotice error /> })}
        {move || {
            saved
                .get()
                .map(|text| {
                    view! {
                        <div class="notice notice-success" role="status">
                            {text}
                        </div>
                    }
                })
        }}
        <section class="card" aria-labelledby="builtin-heading">
            <h2 id="builtin-heading">"Built-in fields"</h2>
            <p class="muted">"The name is always required."</p>
            <table class="data-table compact">
                <thead>
                    <tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">"In the form"</th>
                    </tr>
                </thead>
                <tbody>
                    {BuiltinField::ALL
                        .into_iter()
                        .map(|field| {
                            view! {
                                <tr>
                                    <td>{field.label()}</td>
                                    <td>
                                        <select
                                            aria-label=format!("{} setting", field.label())
                                            prop:value=move || config.with(|c| c.mode(field).key())
                                            on:change=move |ev| {
                                                if let Some(mode) = FieldMode::from_key(&event_target_value(&ev)) {
                                                    set_mode.dispatch(SetFieldMode { field, mode });
                                                }
                                            }
                                        >
                                            {FieldMode::ALL
                                                .into_iter()
                                                .map(|m| view! { <option value=m.key()>{m.label()}</option> })
                                                .collect_view()}
                                        </select>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <CustomFields config apply />
        <Workflows config apply />
    }
}

#[component]
fn CustomFields(
    config: RwSignal<FieldConfig>,
    apply: Callback<(Result<FieldConfig, AppError>, String)>,
) -> impl IntoView {
    let save = ServerAction::<SaveCustomField>::new();
    let remove = ServerAction::<DeleteCustomField>::new();
    let reorder = ServerAction::<MoveCustomField>::new();
    let draft = RwSignal::new(CustomFieldDraft::default());
    let errors = RwSignal::new(FieldErrors::new());
    let confirm_remove = RwSignal::new(None::<CustomField>);
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            save.clear();
            match result {
                Ok(new) => {
                    apply.run((Ok(new), "Custom field saved.".into()));
                    draft.set(CustomFieldDraft::default());
                    errors.set(FieldErrors::new());
                }
                Err(AppError::Invalid(e)) => errors.set(e),
                Err(other) => apply.run((Err(other), String::new())),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            remove.clear();
            confirm_remove.set(None);
            apply.run((result, "Custom field removed.".into()));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = reorder.value().get() {
            reorder.clear();
            apply.run((result, "Order saved.".into()));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = draft.get_untracked().normalized();
        let problems = validate_custom_field(&d);
        if problems.is_empty() {
            save.dispatch(SaveCustomField { draft: d });
        }
        errors.set(problems);
    };
    let err = move |key: &'static str| move || errors.with(|e| e.get(key).cloned());
    let editing = move || draft.with(|d| d.id.is_some());
    view! {
        <section class="card" aria-labelledby="custom-heading">
            <h2 id="custom-heading">"Custom fields"</h2>
            {move || {
                let fields = config.with(|c| c.custom_fields.clone());
                let last = fields.len().saturating_sub(1);
                if fields.is_empty() {
                    Either::Left(view! { <p class="muted">"No custom fields yet."</p> })
                } else {
                    Either::Right(
                        view! {
                            <table class="data-table compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Label"</th>
                                        <th scope="col">"Key"</th>
                                        <th scope="col">"Type"</th>
                                        <th scope="col">"Required"</th>
                                        <th scope="col">"Options"</th>
                                        <th scope="col">
                                            <span class="visually-hidden">"Actions"</span>
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {fields
                                        .into_iter()
                                        .enumerate()
                                        .map(|(index, f)| {
                                            let id = f.id;
                                            let for_edit = f.clone();
                                            let for_remove = f.clone();
                                            view! {
                                                <tr>
                                                    <td>{f.label.clone()}</td>
                                                    <td>
                                                        <code>{f.key.clone()}</code>
                                                    </td>
                                                    <td>{f.kind.label()}</td>
                                                    <td>{if f.required { "Yes" } else { "No" }}</td>
                                                    <td>{f.options.join(", ")}</td>
                                                    <td class="actions-cell">
                                                        <button
                                                            type="button"
                                                            class="button button-small"
                                                            aria-label=format!("Move {} up", f.label)
                                                            disabled=index == 0
                                                            on:click=move |_| {
                                                                reorder.dispatch(MoveCustomField { id, up: true });
                                                            }
                                                        >
                                                            "↑"
                                                        </button>
                                                        <button
                                                            type="button"
                                                            class="button button-small"
                                                            aria-label=format!("Move {} down", f.label)
                                                            disabled=index == last
                                                            on:click=move |_| {
                                                                reorder.dispatch(MoveCustomField { id, up: false });
                                                            }
                                                        >
                                                            "↓"
                                                        </button>
                                                        <button
                                                            type="button"
                                                            class="button button-small"
                                                            aria-label=format!("Edit field {}", f.label)
                                                            on:click=move |_| {
                                                                errors.set(FieldErrors::new());
                                                                draft
                                                                    .set(CustomFieldDraft {
                                                                        id: Some(for_edit.id),
                                                                        key: for_edit.key.clone(),
                                                                        label: for_edit.label.clone(),
                                                                        kind: Some(for_edit.kind),
                                                                        required: for_edit.required,
                                                                        help_text: for_edit.help_text.clone(),
                                                                        options: for_edit.options.clone(),
                                                                    });
                                                            }
                                                        >
                                                            "Edit"
                                                        </button>
                                                        <button
                                                            type="button"
                                                            class="button button-small button-danger-quiet"
                                                            aria-label=format!("Remove field {}", f.label)
                                                            on:click=move |_| {
                                                                confirm_remove.set(Some(for_remove.clone()))
                                                            }
                                                        >
                                                            "Remove"
                                                        </button>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        },
                    )
                }
            }}
            {move || {
                confirm_remove
                    .get()
                    .map(|f| {
                        let id = f.id;
                        view! {
                            <div class="notice notice-warning" role="alert">
                                {format!(
                                    "Remove \u{201c}{}\u{201d}? Every customer's value of it is deleted too.",
                                    f.label,
                                )}
                                <div class="modal-actions">
                                    <button type="button" class="button" on:click=move |_| confirm_remove.set(None)>
                                        "Cancel"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-danger"
                                        on:click=move |_| {
                                            remove.dispatch(DeleteCustomField { id });
                                        }
                                    >
                                        "Remove field"
                                    </button>
                                </div>
                            </div>
                        }
                    })
            }}
            <form class="custom-field-form" novalidate on:submit=submit>
                <h3>{move || if editing() { "Edit custom field" } else { "Add a custom field" }}</h3>
                <div class="field-grid">
                    <Field id="cf-label" label="Label" required=true error=Signal::derive(err("label"))>
                        <input
                            id="cf-label"
                            aria-describedby=described_by("cf-label", false)
                            type="text"
                            aria-required="true"
                            prop:value=move || draft.with(|d| d.label.clone())
                            on:input=move |ev| draft.update(|d| d.label = event_target_value(&ev))
                        />
                    </Field>
                    <Field id="cf-key" label="Key" error=Signal::derive(err("key"))>
                        <input
                            id="cf-key"
                            aria-describedby=described_by("cf-key", false)
                            type="text"
                            placeholder="from the label"
                            disabled=editing
                            prop:value=move || draft.with(|d| d.key.clone())
                            on:input=move |ev| draft.update(|d| d.key = event_target_value(&ev))
                        />
                    </Field>
                    <Field
                        id="cf-kind"
                        label="Type"
                        required=true
                        error=Signal::derive(err("kind"))
                        hint=Signal::derive(move || {
                            editing().then(|| "A new type applies only if every customer's value fits it.".to_string())
                        })
                    >
                        <select
                            id="cf-kind"
                            aria-describedby=described_by("cf-kind", true)
                            aria-required="true"
                            prop:value=move || draft.with(|d| d.kind.map(|k| k.key()).unwrap_or(""))
                            on:change=move |ev| {
                                draft.update(|d| d.kind = CustomFieldKind::from_key(&event_target_value(&ev)))
                            }
                        >
                            <option value="">"Choose…"</option>
                            {CustomFieldKind::ALL
                                .into_iter()
                                .map(|k| view! { <option value=k.key()>{k.label()}</option> })
                                .collect_view()}
                        </select>
                    </Field>
                    <div class="checkbox-field">
                        <label>
                            <input
                                type="checkbox"
                                prop:checked=move || draft.with(|d| d.required)
                                on:change=move |ev| draft.update(|d| d.required = event_target_checked(&ev))
                            />
                            " Required"
                        </label>
                    </div>
                    <Field id="cf-help" label="Help text" error=Signal::derive(err("help_text"))>
                        <input
                            id="cf-help"
                            aria-describedby=described_by("cf-help", false)
                            type="text"
                            prop:value=move || draft.with(|d| d.help_text.clone())
                            on:input=move |ev| draft.update(|d| d.help_text = event_target_value(&ev))
                        />
                    </Field>
                    <Show when=move || draft.with(|d| d.kind == Some(CustomFieldKind::Choice))>
                        <Field id="cf-options" label="Options (one per line)" error=Signal::derive(err("options"))>
                            <textarea
                                id="cf-options"
                                aria-describedby=described_by("cf-options", false)
                                rows="4"
                                prop:value=move || draft.with(|d| d.options.join("\n"))
                                on:input=move |ev| {
                                    draft
                                        .update(|d| {
                                            d.options = event_target_value(&ev)
                                                .split('\n')
                                                .map(str::to_string)
                                                .collect();
                                        })
                                }
                            ></textarea>
                        </Field>
                    </Show>
                </div>
                <div class="modal-actions">
                    <Show when=editing>
                        <button
                            type="button"
                            class="button"
                            on:click=move |_| {
                                draft.set(CustomFieldDraft::default());
                                errors.set(FieldErrors::new());
                            }
                        >
                            "Cancel"
                        </button>
                    </Show>
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || if editing() { "Save field" } else { "Add field" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn Workflows(config: RwSignal<FieldConfig>, apply: Callback<(Result<FieldConfig, AppError>, String)>) -> impl IntoView {
    let save = ServerAction::<SetWorkflows>::new();
    let text = RwSignal::new(config.with_untracked(|c| c.workflows.join("\n")));
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            save.clear();
            if let Ok(new) = &result {
                text.set(new.workflows.join("\n"));
            }
            apply.run((result, "Workflows saved.".into()));
        }
    });
    view! {
        <section class="card" aria-labelledby="workflows-heading">
            <h2 id="workflows-heading">"Workflows"</h2>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    let workflows = text
                        .get_untracked()
                        .lines()
                        .map(|l| l.trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect();
                    save.dispatch(SetWorkflows { workflows });
                }
            >
                <Field
                    id="workflows"
                    label="Workflows (one per line, in order)"
                    hint="Customers in a workflow you remove keep it until their record is next edited."
                >
                    <textarea
                        id="workflows"
                        aria-describedby=described_by("workflows", true)
                        rows="5"
                        prop:value=text
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                </Field>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save workflows"
                </button>
            </form>
        </section>
    }
}
