//! The add/edit customer dialog (PRODUCT.md §3, §5): a native modal `<dialog>` (focus stays
//! inside, the page behind is inert), Esc closes and asks first when something changed, Enter
//! submits, errors stand next to their fields and the first one gets focus. The rules are
//! `types::customer_records::validate`, the same ones the server applies.

use crate::api::customer_records::{get_customer_form, CreateCustomer, UpdateCustomer};
use crate::components::feedback::ErrorNotice;
use crate::components::modal::{open_when_attached, ModalLoadFailed, ModalLoading};
use crate::context::{CustomerActions, FormTarget};
use crate::error::AppError;
use crate::pages::customers::network_picker::NetworkPicker;
use crate::types::customer_records::detail::{CustomerForm, NetworkChoice};
use crate::types::field_config::{BuiltinField, FieldMode};
use leptos::either::Either;
use leptos::prelude::*;
mod conflict;
mod fields;
mod state;

use conflict::ConflictPanel;
use fields::{CustomInput, Field};
use state::FormState;

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
    let id = match &target {
        FormTarget::New | FormTarget::SubAccountOf(_) => None,
        FormTarget::Edit(id) => Some(*id),
    };
    let inside = match target {
        FormTarget::SubAccountOf(network) => Some(network),
        _ => None,
    };
    let form = Resource::new(|| (), move |_| get_customer_form(id));
    let actions = expect_context::<CustomerActions>();
    view! {
        <Suspense fallback=|| view! { <ModalLoading/> }>
            {move || {
                let inside = inside.clone();
                Suspend::new(async move {
                match form.await {
                    Ok(form) => Either::Left(view! { <FormDialog form inside/> }),
                    Err(error) => Either::Right(view! {
                        <ModalLoadFailed error label="Cannot open the form" on_close=Callback::new(move |_| actions.editor.set(None))/>
                    }),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn FormDialog(form: CustomerForm, inside: Option<NetworkChoice>) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let editing_id = form.current.as_ref().map(|c| c.id);
    let state = FormState::new(form);
    if let Some(network) = &inside {
        state.start_inside(network.clone());
    }
    let FormState { config, values, network, duplicate_ok, duplicate_of, conflict, failure, .. } = state;
    let asking_discard = RwSignal::new(false);
    let create = ServerAction::<CreateCustomer>::new();
    let update = ServerAction::<UpdateCustomer>::new();
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let title = match (&inside, editing_id) {
        (_, Some(_)) => "Edit customer".to_string(),
        (Some(network), None) => format!("New sub-account of {}", network.name),
        (None, None) => "New customer".to_string(),
    };

    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || actions.editor.set(None);
    let request_close = move || {
        if state.dirty() && !asking_discard.get_untracked() {
            asking_discard.set(true);
        } else {
            close();
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let errors = state.begin_submit();
        if !errors.is_empty() {
            state.focus_first_error(&errors);
            return;
        }
        let input = values.get_untracked();
        let allow_duplicate_name = duplicate_ok.get_untracked();
        match editing_id {
            Some(id) => {
                update.dispatch(UpdateCustomer {
                    id,
                    version: state.version.get_untracked(),
                    input,
                    allow_duplicate_name,
                });
            }
            None => {
                create.dispatch(CreateCustomer { input, allow_duplicate_name });
            }
        }
    };
    // Whichever action answered: close on success; the state puts any other answer in place.
    let on_result = move |result: Result<(), AppError>| {
        if state.on_result(result) {
            let name = values.with_untracked(|v| v.name.trim().to_string());
            let verb = if editing_id.is_some() { "Saved" } else { "Created" };
            actions.notice.set(Some(format!("{verb} {name}.")));
            actions.changed.update(|n| *n += 1);
            close();
        }
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
        let error = state.error_for(key.clone());
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
                        state.set_field(field.key(), |v| if let Some(slot) = v.text_mut(field) { *slot = text });
                    }
                    on:change=move |_| state.touch(&touch_key)
                />
            </Field>
        }
    };
    let shows = move |field: BuiltinField| config.with_value(|c| c.shows(field));
    let required = move |field: BuiltinField| config.with_value(|c| c.mode(field) == FieldMode::Required);

    let country_error = state.error_for("country".into());
    let network_error = state.error_for("network".into());
    let workflow_error = state.error_for("workflow".into());
    let name_error = state.error_for("name".into());
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
                {move || conflict.get().map(|theirs| view! { <ConflictPanel theirs state/> })}
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
                            state.set_field("name", |v| v.name = text);
                            duplicate_ok.set(false);
                            duplicate_of.set(None);
                        }
                        on:change=move |_| state.touch("name")
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
                                        state.pick("country", |v| v.country = code);
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
                                    state.pick("network", |v| v.parent_id = choice.as_ref().map(|n| n.id));
                                    network.set(choice);
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
                                    state.pick("workflow", |v| v.workflow = name);
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
                                view! { <CustomInput field state/> }
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
