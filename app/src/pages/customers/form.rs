//! The add/edit customer dialog (PRODUCT.md §3, §5): a native modal `<dialog>` (focus stays
//! inside, the page behind is inert), Esc closes and asks first when something changed, Enter
//! submits, errors stand next to their fields and the first one gets focus. The rules are
//! `types::customer_records::validate`, the same ones the server applies.

use crate::api::customer_records::{get_customer_form, CreateCustomer, UpdateCustomer};
use crate::components::feedback::ErrorNotice;
use crate::components::modal::{open_when_attached, ModalLoadFailed, ModalLoading};
use crate::pages::customers::network_picker::NetworkPicker;
use crate::types::customer_records::detail::{CustomerForm, NetworkChoice, StoredCustomer};
use crate::types::customer_records::{validate, CustomerInput};
use crate::types::field_config::{BuiltinField, CustomField, CustomFieldKind, FieldConfig, FieldMode};
use crate::types::forms::FieldErrors;
use crate::{AppError, CustomerActions};
use leptos::either::Either;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Which customer the dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTarget {
    New,
    Edit(i64),
}

/// Mounted once in the shell; opens whenever `CustomerActions::editor` is set.
#[component]
pub fn CustomerFormDialog() -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    view! {
        {move || actions.editor.get().map(|target| view! { <FormLoader target/> })}
    }
}

#[component]
fn FormLoader(target: FormTarget) -> impl IntoView {
    let id = match target {
        FormTarget::New => None,
        FormTarget::Edit(id) => Some(id),
    };
    let form = Resource::new(|| (), move |_| get_customer_form(id));
    let actions = expect_context::<CustomerActions>();
    view! {
        <Suspense fallback=|| view! { <ModalLoading/> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => Either::Left(view! { <FormDialog form/> }),
                    Err(error) => Either::Right(view! {
                        <ModalLoadFailed error label="Cannot open the form" on_close=Callback::new(move |_| actions.editor.set(None))/>
                    }),
                }
            })}
        </Suspense>
    }
}

/// Form fields in the order they appear (and are focused when invalid).
fn field_order(config: &FieldConfig) -> Vec<String> {
    let mut keys = vec!["name".to_string()];
    keys.extend(BuiltinField::ALL.into_iter().filter(|f| config.shows(*f)).map(|f| f.key().to_string()));
    keys.extend(config.custom_fields.iter().map(CustomField::form_key));
    keys
}

fn focus_field(key: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) =
        document().get_element_by_id(&format!("field-{key}")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
fn FormDialog(form: CustomerForm) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let CustomerForm { config, current } = form;
    let editing_id = current.as_ref().map(|c| c.id);
    let start = current.as_ref().map(|c| c.values.clone()).unwrap_or_default();
    let values = RwSignal::new(start.clone());
    let initial = RwSignal::new(start);
    let version = RwSignal::new(current.as_ref().map(|c| c.version).unwrap_or(0));
    let network = RwSignal::new(current.as_ref().and_then(|c| c.network.clone()));
    let config = StoredValue::new(config);
    let touched = RwSignal::new(BTreeSet::<String>::new());
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(FieldErrors::new());
    let duplicate_ok = RwSignal::new(false);
    let duplicate_of = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<StoredCustomer>);
    let asking_discard = RwSignal::new(false);
    let failure = RwSignal::new(None::<AppError>);
    let create = ServerAction::<CreateCustomer>::new();
    let update = ServerAction::<UpdateCustomer>::new();
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());

    let client_errors = Memo::new(move |_| config.with_value(|c| validate(&values.get().normalized(c), c)));
    // What to show next to a field: the server's word first, else ours once the field was
    // touched or a save was tried.
    let error_for = move |key: String| {
        Signal::derive(move || {
            server_errors.with(|e| e.get(&key).cloned()).or_else(|| {
                (submitted.get() || touched.with(|t| t.contains(&key)))
                    .then(|| client_errors.with(|e| e.get(&key).cloned()))
                    .flatten()
            })
        })
    };
    let dirty = move || values.with(|v| initial.with(|i| v != i));
    let title = if editing_id.is_some() { "Edit customer" } else { "New customer" };

    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || actions.editor.set(None);
    let request_close = move || {
        if dirty() && !asking_discard.get_untracked() {
            asking_discard.set(true);
        } else {
            close();
        }
    };

    let first_error_focus = move |errors: &FieldErrors| {
        let order = config.with_value(field_order);
        if let Some(key) = order.iter().find(|k| errors.contains_key(*k)) {
            focus_field(key);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        server_errors.set(FieldErrors::new());
        failure.set(None);
        let errors = client_errors.get_untracked();
        if !errors.is_empty() {
            first_error_focus(&errors);
            return;
        }
        let input = values.get_untracked();
        let allow_duplicate_name = duplicate_ok.get_untracked();
        match editing_id {
            Some(id) => {
                update.dispatch(UpdateCustomer { id, version: version.get_untracked(), input, allow_duplicate_name });
            }
            None => {
                create.dispatch(CreateCustomer { input, allow_duplicate_name });
            }
        }
    };
    // Whichever action answered: close on success, otherwise put the answer where it belongs.
    let on_result = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            let name = values.with_untracked(|v| v.name.trim().to_string());
            let verb = if editing_id.is_some() { "Saved" } else { "Created" };
            actions.notice.set(Some(format!("{verb} {name}.")));
            actions.changed.update(|n| *n += 1);
            close();
        }
        Err(AppError::Invalid(errors)) => {
            first_error_focus(&errors);
            server_errors.set(errors);
        }
        Err(AppError::DuplicateName(name)) => {
            duplicate_of.set(Some(name));
            duplicate_ok.set(true);
            focus_field("name");
        }
        Err(AppError::Conflict(current)) => conflict.set(Some(*current)),
        Err(other) => failure.set(Some(other)),
    };
    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            create.clear();
            on_result(result.map(|_| ()));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = update.value().get() {
            update.clear();
            on_result(result.map(|_| ()));
        }
    });

    let text_field = move |field: BuiltinField| {
        let key = field.key().to_string();
        let mode = config.with_value(|c| c.mode(field));
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
        let error = error_for(key.clone());
        let touch_key = key.clone();
        view! {
            <Field id=key.clone() label=field.label() required=mode == FieldMode::Required error help=None>
                <input
                    id=format!("field-{key}")
                    type=kind
                    autocomplete=autocomplete
                    maxlength=field.max_chars().to_string()
                    aria-required=(mode == FieldMode::Required).to_string()
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=format!("error-{key}")
                    prop:value=move || values.with(|v| v.text(field).to_string())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        values.update(|v| if let Some(slot) = v.text_mut(field) { *slot = text });
                        server_errors.update(|e| { e.remove(field.key()); });
                    }
                    on:change=move |_| touched.update(|t| { t.insert(touch_key.clone()); })
                />
            </Field>
        }
    };
    let shows = move |field: BuiltinField| config.with_value(|c| c.shows(field));
    let required = move |field: BuiltinField| config.with_value(|c| c.mode(field) == FieldMode::Required);

    let country_error = error_for("country".into());
    let network_error = error_for("network".into());
    let workflow_error = error_for("workflow".into());
    let name_error = error_for("name".into());
    let workflows = StoredValue::new(config.with_value(|c| c.workflows.clone()));

    view! {
        <dialog
            node_ref=dialog
            class="modal modal-form"
            aria-labelledby="customer-form-title"
            on:keydown=move |ev| {
                // Esc: never lose changes silently. Handled here rather than by the dialog's
                // own cancel, which browsers may skip without recent user activation.
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    request_close();
                }
            }
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                request_close();
            }
            on:close=move |_| close()
        >
            <form novalidate on:submit=submit>
                <h2 id="customer-form-title">{title}</h2>
                {move || failure.get().map(|error| view! { <ErrorNotice error/> })}
                {move || conflict.get().map(|theirs| view! { <ConflictPanel theirs values initial version network conflict/> })}
                <Field id="name".into() label="Name" required=true error=name_error help=None>
                    <input
                        id="field-name"
                        type="text"
                        maxlength=crate::types::customer_records::NAME_MAX_CHARS.to_string()
                        aria-required="true"
                        aria-invalid=move || name_error.get().is_some().to_string()
                        aria-describedby="error-name"
                        prop:value=move || values.with(|v| v.name.clone())
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            values.update(|v| v.name = text);
                            server_errors.update(|e| { e.remove("name"); });
                            duplicate_ok.set(false);
                            duplicate_of.set(None);
                        }
                        on:change=move |_| touched.update(|t| { t.insert("name".into()); })
                    />
                </Field>
                {move || duplicate_of.get().map(|name| view! {
                    <p class="field-warning" role="status">
                        {format!("Another customer is already called \u{201c}{name}\u{201d}. Save again to create it anyway, or change the name.")}
                    </p>
                })}
                <fieldset>
                    <legend>"Address"</legend>
                    <div class="field-grid">
                        {[BuiltinField::Street, BuiltinField::Suite, BuiltinField::City, BuiltinField::StateProvince, BuiltinField::PostalCode]
                            .into_iter().filter(|f| shows(*f)).map(text_field).collect_view()}
                        <Show when=move || shows(BuiltinField::Country)>
                            <Field id="country".into() label="Country" required=required(BuiltinField::Country) error=country_error help=None>
                                <select
                                    id="field-country"
                                    aria-required=required(BuiltinField::Country).to_string()
                                    aria-invalid=move || country_error.get().is_some().to_string()
                                    aria-describedby="error-country"
                                    prop:value=move || values.with(|v| v.country.clone())
                                    on:change=move |ev| {
                                        let code = event_target_value(&ev);
                                        values.update(|v| v.country = code);
                                        server_errors.update(|e| { e.remove("country"); });
                                        touched.update(|t| { t.insert("country".into()); });
                                    }
                                >
                                    <option value="">"—"</option>
                                    {crate::countries::all_by_name().into_iter().map(|(code, name)| view! {
                                        <option value=code>{name}</option>
                                    }).collect_view()}
                                </select>
                            </Field>
                        </Show>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>"Contact"</legend>
                    <div class="field-grid">
                        {[BuiltinField::ContactFirstName, BuiltinField::ContactLastName, BuiltinField::ContactEmail, BuiltinField::PhonePrimary, BuiltinField::PhoneSecondary]
                            .into_iter().filter(|f| shows(*f)).map(text_field).collect_view()}
                    </div>
                </fieldset>
                <div class="field-grid">
                    <Show when=move || shows(BuiltinField::Network)>
                        <Field id="network".into() label="Network" required=required(BuiltinField::Network) error=network_error help=None>
                            <NetworkPicker
                                selected=network
                                exclude=editing_id
                                required=required(BuiltinField::Network)
                                invalid=Signal::derive(move || network_error.get().is_some())
                                on_pick=Callback::new(move |choice: Option<NetworkChoice>| {
                                    values.update(|v| v.parent_id = choice.as_ref().map(|n| n.id));
                                    network.set(choice);
                                    server_errors.update(|e| { e.remove("network"); });
                                    touched.update(|t| { t.insert("network".into()); });
                                })
                            />
                        </Field>
                    </Show>
                    <Show when=move || shows(BuiltinField::Workflow)>
                        <Field id="workflow".into() label="Workflow" required=required(BuiltinField::Workflow) error=workflow_error help=None>
                            <select
                                id="field-workflow"
                                aria-required=required(BuiltinField::Workflow).to_string()
                                aria-invalid=move || workflow_error.get().is_some().to_string()
                                aria-describedby="error-workflow"
                                prop:value=move || values.with(|v| v.workflow.clone())
                                on:change=move |ev| {
                                    let name = event_target_value(&ev);
                                    values.update(|v| v.workflow = name);
                                    server_errors.update(|e| { e.remove("workflow"); });
                                    touched.update(|t| { t.insert("workflow".into()); });
                                }
                            >
                                <option value="">"—"</option>
                                {workflows.get_value().into_iter().map(|w| view! { <option value=w.clone()>{w.clone()}</option> }).collect_view()}
                                // A workflow the partner has since removed stays visible until changed.
                                {move || {
                                    let current = values.with(|v| v.workflow.clone());
                                    (!current.is_empty() && !workflows.with_value(|w| w.contains(&current)))
                                        .then(|| view! { <option value=current.clone()>{format!("{current} (no longer offered)")}</option> })
                                }}
                            </select>
                        </Field>
                    </Show>
                </div>
                {config.with_value(|c| !c.custom_fields.is_empty()).then(|| view! {
                    <fieldset>
                        <legend>"More"</legend>
                        <div class="field-grid">
                            {config.with_value(|c| c.custom_fields.clone()).into_iter().map(|field| {
                                let error = error_for(field.form_key());
                                view! { <CustomInput field values touched server_errors error/> }
                            }).collect_view()}
                        </div>
                    </fieldset>
                })}
                <Show when=move || asking_discard.get()>
                    <div class="notice notice-warning" role="alert">
                        "You have unsaved changes. Discard them?"
                        <div class="modal-actions">
                            <button type="button" class="button" on:click=move |_| asking_discard.set(false)>"Keep editing"</button>
                            <button type="button" class="button button-danger" on:click=move |_| close()>"Discard changes"</button>
                        </div>
                    </div>
                </Show>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| request_close()>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || pending.get()>
                        {move || if pending.get() {
                            "Saving…"
                        } else if duplicate_ok.get() {
                            "Save anyway"
                        } else if editing_id.is_some() {
                            "Save changes"
                        } else {
                            "Create customer"
                        }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// A labelled field with its required mark, help and error (announced as it appears).
#[component]
fn Field(
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
fn CustomInput(
    field: CustomField,
    values: RwSignal<CustomerInput>,
    touched: RwSignal<BTreeSet<String>>,
    server_errors: RwSignal<FieldErrors>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let key = field.key.clone();
    let form_key = field.form_key();
    let id = format!("field-{form_key}");
    let described = format!("error-{form_key}");
    let value = {
        let key = key.clone();
        move || values.with(|v| v.custom.get(&key).cloned().unwrap_or_default())
    };
    let set = {
        let (key, form_key) = (key.clone(), form_key.clone());
        move |text: String| {
            values.update(|v| {
                v.custom.insert(key.clone(), text);
            });
            server_errors.update(|e| {
                e.remove(&form_key);
            });
        }
    };
    let touch = {
        let form_key = form_key.clone();
        move || {
            touched.update(|t| {
                t.insert(form_key.clone());
            })
        }
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

/// Someone saved this customer meanwhile: show what they changed and let the user choose.
#[component]
fn ConflictPanel(
    theirs: StoredCustomer,
    values: RwSignal<CustomerInput>,
    initial: RwSignal<CustomerInput>,
    version: RwSignal<i64>,
    network: RwSignal<Option<NetworkChoice>>,
    conflict: RwSignal<Option<StoredCustomer>>,
) -> impl IntoView {
    let started = initial.get_untracked();
    let mut changed: Vec<(String, String)> = Vec::new();
    if theirs.values.name != started.name {
        changed.push(("Name".into(), theirs.values.name.clone()));
    }
    for field in BuiltinField::ALL {
        if field != BuiltinField::Network && theirs.values.text(field) != started.text(field) {
            changed.push((field.label().into(), theirs.values.text(field).to_string()));
        }
    }
    if theirs.values.parent_id != started.parent_id {
        changed.push(("Network".into(), theirs.network.as_ref().map(|n| n.name.clone()).unwrap_or_default()));
    }
    if theirs.values.custom != started.custom {
        changed.push(("Custom fields".into(), "changed".into()));
    }
    let theirs_for_load = theirs.clone();
    view! {
        <div class="notice notice-warning" role="alert" data-testid="conflict">
            <strong>"Someone else saved this customer while you were editing."</strong>
            <p>"Their values:"</p>
            <ul class="conflict-list">
                {changed.into_iter().map(|(label, value)| view! {
                    <li><span class="muted">{label}": "</span>{if value.is_empty() { "(empty)".to_string() } else { value }}</li>
                }).collect_view()}
            </ul>
            <div class="modal-actions">
                <button type="button" class="button" on:click=move |_| {
                    values.set(theirs_for_load.values.clone());
                    initial.set(theirs_for_load.values.clone());
                    network.set(theirs_for_load.network.clone());
                    version.set(theirs_for_load.version);
                    conflict.set(None);
                }>"Discard mine, load theirs"</button>
                <button type="button" class="button button-primary" on:click=move |_| {
                    // Keep the user's values, now based on the current version: the next save applies them.
                    initial.set(theirs.values.clone());
                    version.set(theirs.version);
                    conflict.set(None);
                }>"Keep mine (save again to apply)"</button>
            </div>
        </div>
    }
}
