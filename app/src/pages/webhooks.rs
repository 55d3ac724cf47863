//! `/settings/webhooks` (`webhooks.manage`): the partner's webhook endpoints — the events each
//! hears about, its signing secret (shown once, rotated with a day's overlap), a test event, and
//! every delivery with its status, time and the receiver's answer, to redeliver.

use crate::api::webhooks::{
    get_webhook_settings, list_webhook_deliveries, CreateWebhook, DeleteWebhook, EnableWebhook, RedeliverWebhook,
    RotateWebhookSecret, SendTestWebhook, UpdateWebhook,
};
use crate::components::feedback::{field_error, ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::components::modal::{open_when_attached, ConfirmDialog};
use crate::components::shown_once::ShownOnce;
use crate::context::Auth;
use crate::error::AppError;
use crate::format::format_datetime;
use crate::types::webhooks::{CreatedEndpoint, DeliveryInfo, EndpointDraft, EndpointInfo, EVENT_TYPES};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// The page's actions, shared by its parts.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateWebhook>,
    update: ServerAction<UpdateWebhook>,
    enable: ServerAction<EnableWebhook>,
    delete: ServerAction<DeleteWebhook>,
    rotate: ServerAction<RotateWebhookSecret>,
    test: ServerAction<SendTestWebhook>,
    redeliver: ServerAction<RedeliverWebhook>,
    /// The endpoint being added (None inside) or changed.
    editing: RwSignal<Option<(Option<i64>, EndpointDraft)>>,
    deleting: RwSignal<Option<EndpointInfo>>,
    /// Bumped to refetch open delivery lists.
    deliveries_changed: RwSignal<u32>,
    /// The endpoints whose deliveries are shown (kept here: the cards are drawn anew on refetch).
    showing: RwSignal<Vec<i64>>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let actions = Actions {
        create: ServerAction::new(),
        update: ServerAction::new(),
        enable: ServerAction::new(),
        delete: ServerAction::new(),
        rotate: ServerAction::new(),
        test: ServerAction::new(),
        redeliver: ServerAction::new(),
        editing: RwSignal::new(None),
        deleting: RwSignal::new(None),
        deliveries_changed: RwSignal::new(0),
        showing: RwSignal::new(Vec::new()),
    };
    let settings = Resource::new(
        move || {
            (
                actions.create.version().get(),
                actions.update.version().get(),
                actions.enable.version().get(),
                actions.delete.version().get(),
                actions.rotate.version().get(),
                (actions.test.version().get(), actions.redeliver.version().get(), actions.deliveries_changed.get()),
                auth.switch_tenant.version().get(),
            )
        },
        |_| get_webhook_settings(),
    );
    let secret = RwSignal::new(None::<CreatedEndpoint>);
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        if let Some(Ok(created)) = actions.create.value().get() {
            actions.editing.set(None);
            notice.set(None);
            secret.set(Some(created));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(rotated)) = actions.rotate.value().get() {
            notice.set(None);
            secret.set(Some(rotated));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = actions.update.value().get() {
            if result.is_ok() {
                actions.editing.set(None);
            }
            notice.set(Some(result.map(|e| format!("Endpoint {} saved.", e.url))));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = actions.enable.value().get() {
            notice.set(Some(result.map(|e| {
                if e.enabled {
                    format!("{} receives events again.", e.url)
                } else {
                    format!("{} is paused: it gets no new events.", e.url)
                }
            })));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = actions.delete.value().get() {
            notice.set(Some(result.map(|()| "Endpoint removed.".to_string())));
        }
    });
    Effect::new(move |_| {
        let sent = actions.test.value().get().map(|r| r.map(|_| "Test event queued: it is on its way.".to_string()));
        let again = actions.redeliver.value().get().map(|r| r.map(|d| format!("{} queued again.", d.message_id)));
        if let Some(result) = sent.or(again) {
            actions.deliveries_changed.update(|n| *n += 1);
            notice.set(Some(result));
        }
    });
    view! {
        <div class="page-head">
            <h1>"Webhooks"</h1>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| {
                    actions.create.value().set(None);
                    actions.editing.set(Some((None, EndpointDraft::default())));
                }
            >
                "Add endpoint"
            </button>
        </div>
        <p class="muted">
            "Clientele posts events about your customers to your endpoints as they happen. Each is signed as the \
            Standard Webhooks convention describes: webhook-signature holds the base64 HMAC-SHA256, keyed with your \
            endpoint's secret, of the webhook-id, the webhook-timestamp and the body joined by dots. An answer other \
            than 2xx is retried, at growing intervals, for a day."
        </p>
        {move || {
            secret
                .get()
                .map(|created| {
                    view! {
                        <ShownOnce
                            region="Signing secret"
                            title=format!("The signing secret of {}", created.endpoint.url)
                            text="Copy it now into your receiver: it is shown only this once. Your receiver checks each event's webhook-signature with it."
                            field="Signing secret"
                            copy_label="Copy secret"
                            value=created.secret
                            on_dismiss=Callback::new(move |_| secret.set(None))
                        />
                    }
                })
        }}
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
                match settings.await {
                    Ok(settings) if settings.endpoints.is_empty() => {
                        EitherOf3::A(view! { <p class="empty-state">"No endpoints yet."</p> })
                    }
                    Ok(settings) => {
                        EitherOf3::B(
                            settings
                                .endpoints
                                .into_iter()
                                .map(|endpoint| view! { <EndpointCard endpoint actions /> })
                                .collect_view(),
                        )
                    }
                    Err(error) => EitherOf3::C(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        {move || {
            actions
                .editing
                .get()
                .map(|(id, draft)| {
                    let local_allowed = settings.get().and_then(Result::ok).is_some_and(|s| s.local_allowed);
                    // The settings are read only once a dialog opens: read while the page hydrates, outside
                    // the Transition above, they would be a resource read that no Suspense waits for (which
                    // Leptos warns may not hydrate as rendered).
                    view! { <EndpointDialog id draft local_allowed actions /> }
                })
        }}
        {move || {
            actions
                .deleting
                .get()
                .map(|endpoint| {
                    let id = endpoint.id;
                    view! {
                        <ConfirmDialog
                            title=format!("Remove the endpoint {}?", endpoint.url)
                            text="It gets no more events, and its deliveries and their history go with it.".to_string()
                            confirm_label="Remove endpoint"
                            on_confirm=Callback::new(move |_| {
                                actions.deleting.set(None);
                                actions.delete.dispatch(DeleteWebhook { id });
                            })
                            on_close=Callback::new(move |_| actions.deleting.set(None))
                        />
                    }
                })
        }}
    }
}

#[component]
fn EndpointCard(endpoint: EndpointInfo, actions: Actions) -> impl IntoView {
    let id = endpoint.id;
    let showing = Signal::derive(move || actions.showing.with(|s| s.contains(&id)));
    let show = move |on: bool| {
        actions.showing.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        })
    };
    let state = match (endpoint.enabled, endpoint.failing_since) {
        (false, _) => ("badge badge-disabled", "Paused".to_string()),
        (true, Some(since)) => ("badge badge-danger", format!("Failing since {}", format_datetime(since))),
        (true, None) => ("badge badge-active", "Active".to_string()),
    };
    let events =
        endpoint.events.iter().map(|e| view! { <code class="key-permission">{e.clone()}</code> }).collect_view();
    let url = endpoint.url.clone();
    let for_edit = endpoint.clone();
    let for_delete = endpoint.clone();
    let enabled = endpoint.enabled;
    view! {
        <section class="card webhook-endpoint" aria-label=format!("Endpoint {url}")>
            <div class="webhook-head">
                <h2 class="webhook-url">{url.clone()}</h2>
                <span class=state.0>{state.1}</span>
            </div>
            {(!endpoint.description.is_empty()).then(|| view! { <p class="muted">{endpoint.description.clone()}</p> })}
            <p>"Events: " {events}</p>
            <p class="muted small">
                {format!("{} waiting or being retried.", endpoint.pending)}
                {endpoint
                    .previous_secret_until
                    .map(|until| {
                        format!(" The secret before the last rotation also signs until {}.", format_datetime(until))
                    })}
            </p>
            <div class="row-buttons">
                <button type="button" class="button button-small" on:click=move |_| show(!showing.get_untracked())>
                    {move || if showing.get() { "Hide deliveries" } else { "Deliveries" }}
                </button>
                <button
                    type="button"
                    class="button button-small"
                    on:click=move |_| {
                        actions.test.dispatch(SendTestWebhook { id });
                        show(true);
                    }
                >
                    "Send test event"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    on:click=move |_| {
                        actions.update.value().set(None);
                        let draft = EndpointDraft {
                            url: for_edit.url.clone(),
                            description: for_edit.description.clone(),
                            events: for_edit.events.clone(),
                        };
                        actions.editing.set(Some((Some(id), draft)));
                    }
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    on:click=move |_| {
                        actions.rotate.dispatch(RotateWebhookSecret { id });
                    }
                >
                    "Rotate secret"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    on:click=move |_| {
                        actions
                            .enable
                            .dispatch(EnableWebhook {
                                id,
                                enabled: !enabled,
                            });
                    }
                >
                    {if enabled { "Pause" } else { "Resume" }}
                </button>
                <button
                    type="button"
                    class="button button-small button-danger"
                    on:click=move |_| actions.deleting.set(Some(for_delete.clone()))
                >
                    "Remove"
                </button>
            </div>
            {move || showing.get().then(|| view! { <Deliveries endpoint_id=id actions /> })}
        </section>
    }
}

#[component]
fn Deliveries(endpoint_id: i64, actions: Actions) -> impl IntoView {
    let deliveries =
        Resource::new(move || actions.deliveries_changed.get(), move |_| list_webhook_deliveries(endpoint_id));
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match deliveries.await {
                    Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">"No deliveries yet."</p> }),
                    Ok(list) => EitherOf3::B(view! { <DeliveryTable list actions /> }),
                    Err(error) => EitherOf3::C(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        <button
            type="button"
            class="button button-small"
            on:click=move |_| actions.deliveries_changed.update(|n| *n += 1)
        >
            "Refresh deliveries"
        </button>
    }
}

#[component]
fn DeliveryTable(list: Vec<DeliveryInfo>, actions: Actions) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|d| {
            let id = d.id;
            let status = d.last_status.map_or_else(|| "—".to_string(), |s| s.to_string());
            let latency = d.last_latency_ms.map_or_else(|| "—".to_string(), |ms| format!("{ms} ms"));
            let when = match (d.state.as_str(), d.next_attempt_at, d.last_attempt_at) {
                ("pending", Some(next), _) => format!("next try {}", format_datetime(next)),
                (_, _, Some(last)) => format_datetime(last),
                _ => format_datetime(d.created_at),
            };
            let message = d.message_id.clone();
            view! {
                <tr>
                    <td>
                        <code>{d.event_type.clone()}</code>
                        <div class="muted small">{d.message_id.clone()}</div>
                    </td>
                    <td>
                        {d.state.clone()}
                        <div class="muted small">
                            {if d.attempts == 1 { "1 attempt".to_string() } else { format!("{} attempts", d.attempts) }}
                        </div>
                    </td>
                    <td>{status}</td>
                    <td>{latency}</td>
                    <td>{when}</td>
                    <td class="webhook-response">
                        <code>{d.last_response.clone().unwrap_or_default()}</code>
                    </td>
                    <td>
                        <button
                            type="button"
                            class="button button-small"
                            aria-label=format!("Redeliver {message}")
                            on:click=move |_| {
                                actions
                                    .redeliver
                                    .dispatch(RedeliverWebhook {
                                        delivery_id: id,
                                    });
                            }
                        >
                            "Redeliver"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table">
                <caption class="visually-hidden">"Deliveries"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Event"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Time taken"</th>
                        <th scope="col">"When"</th>
                        <th scope="col">"Answer"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn EndpointDialog(id: Option<i64>, draft: EndpointDraft, local_allowed: bool, actions: Actions) -> impl IntoView {
    let input = RwSignal::new(draft);
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(|d| d.validate(local_allowed)));
    let server_error = Signal::derive(move || {
        if id.is_some() {
            actions.update.value().get().and_then(Result::err)
        } else {
            actions.create.value().get().and_then(Result::err)
        }
    });
    let pending = Signal::derive(move || actions.create.pending().get() || actions.update.pending().get());
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || actions.editing.set(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if client_errors.with(|e| e.is_empty()) && !pending.get_untracked() {
            let draft = input.get_untracked();
            match id {
                Some(id) => {
                    actions.update.dispatch(UpdateWebhook { id, draft });
                }
                None => {
                    actions.create.dispatch(CreateWebhook { draft });
                }
            }
        }
    };
    let checkboxes = EVENT_TYPES
        .iter()
        .map(|(event, description)| {
            let event = event.to_string();
            let box_id = format!("event-{}", event.replace(['.', '_'], "-"));
            let help = format!("{box_id}-help");
            let for_check = event.clone();
            let label = event.clone();
            view! {
                <div class="checkbox-row">
                    <input
                        type="checkbox"
                        id=box_id.clone()
                        aria-describedby=help.clone()
                        prop:checked=move || input.with(|d| d.events.contains(&for_check))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let event = event.clone();
                            input
                                .update(|d| {
                                    d.events.retain(|e| *e != event);
                                    if on {
                                        d.events.push(event);
                                    }
                                });
                        }
                    />
                    <label for=box_id>
                        <code>{label}</code>
                    </label>
                    <p id=help class="field-help">
                        {*description}
                    </p>
                </div>
            }
        })
        .collect_view();
    let title = if id.is_some() { "Edit endpoint" } else { "Add endpoint" };
    view! {
        <dialog
            node_ref=dialog
            class="modal modal-wide"
            aria-labelledby="endpoint-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                close();
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="endpoint-title">{title}</h2>
                <Field
                    id="endpoint-url"
                    label="URL"
                    required=true
                    hint="Where Clientele posts events, e.g. https://example.com/hooks/clientele."
                    error=Signal::derive(error_for("url"))
                >
                    <input
                        id="endpoint-url"
                        aria-describedby=described_by("endpoint-url", true)
                        type="url"
                        autocomplete="off"
                        aria-required="true"
                        autofocus
                        prop:value=move || input.with(|d| d.url.clone())
                        on:input=move |ev| input.update(|d| d.url = event_target_value(&ev))
                    />
                </Field>
                <Field id="endpoint-description" label="Description" error=Signal::derive(error_for("description"))>
                    <input
                        id="endpoint-description"
                        aria-describedby=described_by("endpoint-description", false)
                        type="text"
                        autocomplete="off"
                        prop:value=move || input.with(|d| d.description.clone())
                        on:input=move |ev| input.update(|d| d.description = event_target_value(&ev))
                    />
                </Field>
                <fieldset class="choice-group permissions">
                    <legend>"Events"</legend>
                    {checkboxes}
                    <p class="field-error" aria-live="polite">
                        {error_for("events")}
                    </p>
                </fieldset>
                {move || {
                    server_error
                        .get()
                        .filter(|e| !matches!(e, AppError::Invalid(_)))
                        .map(|error| view! { <ErrorNotice error /> })
                }}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=pending>
                        {if id.is_some() { "Save endpoint" } else { "Add endpoint" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
