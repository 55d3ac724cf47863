//! `/settings` (Settings → Partners): the platform operator runs the instance's partners — the
//! list with search, a new partner with its first Partner admin, a partner's details, disabling
//! and enabling it, its support level (which unlocks "Log in as"), and "Manage customers", which
//! switches the session to that partner's workspace.

use crate::api::partners::{list_partners, CreatePartner, SetPartnerStatus, SetSupportLevel, UpdatePartner};
use crate::components::debounce::Debounce;
use crate::components::feedback::{field_error, ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::components::modal::{open_when_attached, ConfirmDialog};
use crate::context::Auth;
use crate::error::AppError;
use crate::pages::erasure::EraseAPerson;
use crate::types::partners::{PartnerDraft, PartnerSummary};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn PartnersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let support = ServerAction::<SetSupportLevel>::new();
    let status = ServerAction::<SetPartnerStatus>::new();
    let create = ServerAction::<CreatePartner>::new();
    let update = ServerAction::<UpdatePartner>::new();
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let debounce = Debounce::new();
    let partners = Resource::new(
        move || {
            (
                search.get(),
                support.version().get(),
                status.version().get(),
                create.version().get(),
                update.version().get(),
                auth.switch_tenant.version().get(),
            )
        },
        |(search, ..)| list_partners(Some(search)),
    );
    let editing = RwSignal::new(None::<PartnerDraft>);
    let disabling = RwSignal::new(None::<PartnerSummary>);
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok((partner, outcome))) => {
            editing.set(None);
            notice.set(Some(Ok(format!("{} created; the invitation went to {}.", partner.name, outcome.email))));
        }
        // Field errors show in the dialog; anything else (the email could not go) here too.
        Some(Err(error)) if !matches!(error, AppError::Invalid(_)) => notice.set(Some(Err(error))),
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            editing.set(None);
            notice.set(Some(Ok("Partner saved.".into())));
        }
    });
    Effect::new(move |_| {
        for result in [status.value().get(), support.value().get()] {
            if let Some(Err(error)) = result {
                notice.set(Some(Err(error)));
            }
        }
    });
    view! {
        <div class="page-head">
            <h1>"Partners"</h1>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| {
                    create.value().set(None);
                    editing.set(Some(PartnerDraft::default()));
                }
            >
                "New partner"
            </button>
        </div>
        <div class="toolbar">
            <input
                type="search"
                class="search"
                aria-label="Search partners"
                placeholder="Search partners…"
                prop:value=typed
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    typed.set(text.clone());
                    debounce.call(move || search.set(text.trim().to_string()));
                }
            />
        </div>
        {move || {
            notice
                .get()
                .map(|result| match result {
                    Ok(text) => {
                        Either::Left(
                            view! {
                                <div class="notice notice-success" role="status">
                                    {text}
                                </div>
                            },
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                })
        }}
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match partners.await {
                    Ok(partners) if partners.is_empty() => {
                        Either::Left(Either::Left(view! { <p class="muted empty-note">"No partner matches."</p> }))
                    }
                    Ok(partners) => {
                        Either::Left(
                            Either::Right(
                                view! {
                                    <table class="data-table">
                                        <thead>
                                            <tr>
                                                <th scope="col">"Partner"</th>
                                                <th scope="col">"Status"</th>
                                                <th scope="col">"Support level"</th>
                                                <th scope="col">"Partner users"</th>
                                                <th scope="col">"Customers"</th>
                                                <th scope="col">
                                                    <span class="visually-hidden">"Actions"</span>
                                                </th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {partners
                                                .into_iter()
                                                .map(|p| view! { <PartnerRow p support status editing disabling /> })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                },
                            ),
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        {move || {
            editing
                .get()
                .map(|draft| {
                    view! { <PartnerDialog draft create update on_close=Callback::new(move |_| editing.set(None)) /> }
                })
        }}
        {move || {
            disabling
                .get()
                .map(|p| {
                    let id = p.id;
                    view! {
                        <ConfirmDialog
                            title=format!("Disable {}?", p.name)
                            text=format!(
                                "Its {} partner user(s) can no longer sign in or work there, and the users of its customers cannot open their accounts until it is enabled again. \
                         People with access elsewhere stay signed in there.",
                                p.partner_users,
                            )
                            confirm_label="Disable partner"
                            on_confirm=Callback::new(move |_| {
                                disabling.set(None);
                                status
                                    .dispatch(SetPartnerStatus {
                                        tenant_id: id,
                                        active: false,
                                    });
                            })
                            on_close=Callback::new(move |_| disabling.set(None))
                        />
                    }
                })
        }}
        <EraseAPerson />
    }
}

#[component]
fn PartnerRow(
    p: PartnerSummary,
    support: ServerAction<SetSupportLevel>,
    status: ServerAction<SetPartnerStatus>,
    editing: RwSignal<Option<PartnerDraft>>,
    disabling: RwSignal<Option<PartnerSummary>>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let support_label = if p.support_level_confirmed {
        format!("Withdraw the support level of {}", p.name)
    } else {
        format!("Confirm support level of {}", p.name)
    };
    let contact = match (&p.contact_name, &p.contact_email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    };
    let draft = PartnerDraft {
        id: Some(p.id),
        name: p.name.clone(),
        contact_name: p.contact_name.clone().unwrap_or_default(),
        contact_email: p.contact_email.clone().unwrap_or_default(),
        ..Default::default()
    };
    let (id, name, active) = (p.id, p.name.clone(), p.active);
    let row = p.clone();
    view! {
        <tr data-testid="partner">
            <td class="name">
                {p.name.clone()}{(!contact.is_empty()).then(|| view! { <div class="muted small">{contact}</div> })}
            </td>
            <td>
                {if p.active {
                    Either::Left(view! { <span class="badge badge-active">"Active"</span> })
                } else {
                    Either::Right(
                        view! {
                            <span
                                class="badge badge-disabled"
                                title="Its staff cannot sign in; its customers' portal access is paused"
                            >
                                "Disabled"
                            </span>
                        },
                    )
                }}
            </td>
            <td>
                {if p.support_level_confirmed { "Confirmed" } else { "Not confirmed" }}
                <ActionForm action=support attr:class="cell-form">
                    <input type="hidden" name="tenant_id" value=p.id.to_string() />
                    <input type="hidden" name="confirmed" value=(!p.support_level_confirmed).to_string() />
                    <button type="submit" class="button button-small" aria-label=support_label>
                        {if p.support_level_confirmed { "Withdraw" } else { "Confirm support level" }}
                    </button>
                </ActionForm>
            </td>
            <td>{p.partner_users}</td>
            <td>{p.customers.number()}</td>
            <td class="row-buttons">
                <button
                    type="button"
                    class="button button-small"
                    aria-label=format!("Edit {name}")
                    on:click=move |_| editing.set(Some(draft.clone()))
                >
                    "Edit"
                </button>
                {if active {
                    Either::Left(
                        view! {
                            <button
                                type="button"
                                class="button button-small button-danger"
                                aria-label=format!("Disable {name}")
                                on:click=move |_| disabling.set(Some(row.clone()))
                            >
                                "Disable"
                            </button>
                        },
                    )
                } else {
                    Either::Right(
                        view! {
                            <button
                                type="button"
                                class="button button-small"
                                aria-label=format!("Enable {name}")
                                on:click=move |_| {
                                    status
                                        .dispatch(SetPartnerStatus {
                                            tenant_id: id,
                                            active: true,
                                        });
                                }
                            >
                                "Enable"
                            </button>
                        },
                    )
                }}
                <ActionForm action=auth.switch_tenant attr:class="cell-form">
                    <input type="hidden" name="tenant_id" value=p.id.to_string() />
                    <button
                        type="submit"
                        class="button button-small"
                        aria-label=format!("Manage customers of {}", p.name)
                    >
                        "Manage customers"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn PartnerDialog(
    draft: PartnerDraft,
    create: ServerAction<CreatePartner>,
    update: ServerAction<UpdatePartner>,
    on_close: Callback<()>,
) -> impl IntoView {
    let is_new = draft.id.is_none();
    let input = RwSignal::new(draft);
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(PartnerDraft::validate));
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let server_error = Signal::derive(move || {
        if is_new {
            create.value().get().and_then(Result::err)
        } else {
            update.value().get().and_then(Result::err)
        }
    });
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if !client_errors.with(|e| e.is_empty()) || pending.get_untracked() {
            return;
        }
        let draft = input.get_untracked();
        if is_new {
            create.dispatch(CreatePartner { draft });
        } else {
            update.dispatch(UpdatePartner { draft });
        }
    };
    let text_field = move |id: &'static str,
                           label: &'static str,
                           key: &'static str,
                           get: fn(&PartnerDraft) -> String,
                           set: fn(&mut PartnerDraft, String),
                           kind: &'static str| {
        view! {
            <Field id=id label=label error=Signal::derive(error_for(key))>
                <input
                    id=id
                    aria-describedby=described_by(id, false)
                    type=kind
                    autocomplete="off"
                    prop:value=move || input.with(get)
                    on:input=move |ev| input.update(|d| set(d, event_target_value(&ev)))
                />
            </Field>
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="partner-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="partner-title">{if is_new { "New partner" } else { "Edit partner" }}</h2>
                {text_field("partner-name", "Partner name", "name", |d| d.name.clone(), |d, v| d.name = v, "text")}
                {text_field(
                    "partner-contact-name",
                    "Contact name",
                    "contact_name",
                    |d| d.contact_name.clone(),
                    |d, v| d.contact_name = v,
                    "text",
                )}
                {text_field(
                    "partner-contact-email",
                    "Contact email",
                    "contact_email",
                    |d| d.contact_email.clone(),
                    |d, v| d.contact_email = v,
                    "email",
                )}
                {is_new
                    .then(|| {
                        view! {
                            <div class="checkbox-row">
                                <input
                                    type="checkbox"
                                    id="partner-support"
                                    aria-describedby="partner-support-help"
                                    prop:checked=move || input.with(|d| d.support_level_confirmed)
                                    on:change=move |ev| {
                                        input.update(|d| d.support_level_confirmed = event_target_checked(&ev))
                                    }
                                />
                                <label for="partner-support">"Support level confirmed"</label>
                                <p id="partner-support-help" class="field-help">
                                    "Unlocks “Log in as” for its staff. You can confirm it later too."
                                </p>
                            </div>
                            <fieldset class="choice-group">
                                <legend>"First Partner admin (invited by email)"</legend>
                                {text_field(
                                    "partner-admin-name",
                                    "Admin's full name",
                                    "admin_name",
                                    |d| d.admin_name.clone(),
                                    |d, v| d.admin_name = v,
                                    "text",
                                )}
                                {text_field(
                                    "partner-admin-email",
                                    "Admin's email",
                                    "admin_email",
                                    |d| d.admin_email.clone(),
                                    |d, v| d.admin_email = v,
                                    "email",
                                )}
                            </fieldset>
                        }
                    })}
                {move || {
                    server_error
                        .get()
                        .filter(|e| !matches!(e, AppError::Invalid(_)))
                        .map(|error| view! { <ErrorNotice error /> })
                }}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=pending>
                        {if is_new { "Create partner" } else { "Save partner" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
