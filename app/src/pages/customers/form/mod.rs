//! The add/edit customer dialog (PRODUCT.md §3, §5): a native modal `<dialog>` (focus stays
//! inside, the page behind is inert), Esc closes and asks first when something changed, Enter
//! submits, errors stand next to their fields and the first one gets focus. The rules are
//! `types::customer_records::validate`, the same ones the server applies.

use crate::api::customer_records::{get_customer_form, CreateCustomer, UpdateCustomer};
use crate::components::feedback::ErrorNotice;
use crate::components::modal::{open_when_attached, ModalLoadFailed, ModalLoading};
use crate::context::{CustomerActions, FormTarget};
use crate::error::AppError;
use crate::types::customer_records::detail::{CustomerForm, NetworkChoice};
use crate::types::field_config::BuiltinField;
use leptos::either::Either;
use leptos::prelude::*;
mod conflict;
mod fields;
mod state;

use conflict::ConflictPanel;
use fields::{CountryField, CustomInput, DiscardPrompt, NameField, NetworkField, TextField, WorkflowField};
use state::FormState;

/// Mounted once in the shell; opens whenever `CustomerActions::editor` is set.
#[component]
pub fn CustomerFormDialog() -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    view! { {move || actions.editor.get().map(|target| view! { <FormLoader target /> })} }
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
        <Suspense fallback=|| {
            view! { <ModalLoading /> }
        }>
            {move || {
                let inside = inside.clone();
                Suspend::new(async move {
                    match form.await {
                        Ok(form) => Either::Left(view! { <FormDialog form inside /> }),
                        Err(error) => {
                            Either::Right(
                                view! {
                                    <ModalLoadFailed
                                        error
                                        label="Cannot open the form"
                                        on_close=Callback::new(move |_| actions.editor.set(None))
                                    />
                                },
                            )
                        }
                    }
                })
            }}
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
    let FormState { config, values, duplicate_ok, duplicate_of, conflict, failure, .. } = state;
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

    let shows = move |field: BuiltinField| config.with_value(|c| c.shows(field));

    view! {
        <dialog
            node_ref=dialog
            class="modal modal-form"
            aria-labelledby="customer-form-title"
            on:keydown=move |ev| {
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
                {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
                {move || conflict.get().map(|theirs| view! { <ConflictPanel theirs state /> })}
                <NameField state />
                {move || {
                    duplicate_of
                        .get()
                        .map(|name| {
                            view! {
                                <p class="field-warning" role="status">
                                    {format!(
                                        "Another customer is already called \u{201c}{name}\u{201d}. Save again to create it anyway, or change the name.",
                                    )}
                                </p>
                            }
                        })
                }}
                <fieldset>
                    <legend>"Address"</legend>
                    <div class="field-grid">
                        {[
                            BuiltinField::Street,
                            BuiltinField::Suite,
                            BuiltinField::City,
                            BuiltinField::StateProvince,
                            BuiltinField::PostalCode,
                        ]
                            .into_iter()
                            .filter(|f| shows(*f))
                            .map(|field| view! { <TextField field state /> })
                            .collect_view()} <Show when=move || shows(BuiltinField::Country)>
                            <CountryField state />
                        </Show>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>"Contact"</legend>
                    <div class="field-grid">
                        {[
                            BuiltinField::ContactFirstName,
                            BuiltinField::ContactLastName,
                            BuiltinField::ContactEmail,
                            BuiltinField::PhonePrimary,
                            BuiltinField::PhoneSecondary,
                        ]
                            .into_iter()
                            .filter(|f| shows(*f))
                            .map(|field| view! { <TextField field state /> })
                            .collect_view()}
                    </div>
                </fieldset>
                <div class="field-grid">
                    <Show when=move || shows(BuiltinField::Network)>
                        <NetworkField state exclude=editing_id />
                    </Show>
                    <Show when=move || shows(BuiltinField::Workflow)>
                        <WorkflowField state />
                    </Show>
                </div>
                {config
                    .with_value(|c| !c.custom_fields.is_empty())
                    .then(|| {
                        view! {
                            <fieldset>
                                <legend>"More"</legend>
                                <div class="field-grid">
                                    {config
                                        .with_value(|c| c.custom_fields.clone())
                                        .into_iter()
                                        .map(|field| {
                                            view! { <CustomInput field state /> }
                                        })
                                        .collect_view()}
                                </div>
                            </fieldset>
                        }
                    })}
                <Show when=move || asking_discard.get()>
                    <DiscardPrompt
                        on_keep=Callback::new(move |_| asking_discard.set(false))
                        on_discard=Callback::new(move |_| close())
                    />
                </Show>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| request_close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=move || pending.get()>
                        {move || {
                            if pending.get() {
                                "Saving…"
                            } else if duplicate_ok.get() {
                                "Save anyway"
                            } else if editing_id.is_some() {
                                "Save changes"
                            } else {
                                "Create customer"
                            }
                        }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
