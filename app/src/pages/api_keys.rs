//! `/settings/api` (`api_keys.manage`): the partner's API keys. A new key holds permissions its
//! creator holds, may expire, and its secret is shown once, here, right after it is made; the
//! list shows each key's prefix, permissions, creator, last use and expiry, and revokes keys.

use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::api::portal::{list_account_keys, CreateAccountKey, RevokeAccountKey};
use crate::components::feedback::{field_error, ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::components::modal::{open_when_attached, ConfirmDialog};
use crate::components::shown_once::ShownOnce;
use crate::context::Auth;
use crate::error::AppError;
use crate::format::{format_date, format_datetime};
use crate::types::api_keys::{grantable, ApiKeyInfo, CreatedApiKey, NewAccountKey, NewApiKey};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get(), auth.switch_tenant.version().get()),
        |_| list_api_keys(),
    );
    let creating = RwSignal::new(false);
    let confirming = RwSignal::new(None::<ApiKeyInfo>);
    let created = RwSignal::new(None::<CreatedApiKey>);
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            creating.set(false);
            notice.set(None);
            created.set(Some(key));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = revoke.value().get() {
            notice.set(Some(result.map(|key| format!("Key “{}” revoked: it no longer works.", key.name))));
        }
    });
    view! {
        <div class="page-head">
            <h1>"API keys"</h1>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| {
                    create.value().set(None);
                    creating.set(true);
                }
            >
                "New API key"
            </button>
        </div>
        <p class="muted">
            "Your own software calls the Clientele API at " <code>"/api/v1"</code> " with a key, sent as "
            <code>"Authorization: Bearer <key>"</code>
            ". A key does what its permissions allow, never more than you can \
            yourself; the API and its fields are described in "
            <a href="/api/v1/openapi.json">"its OpenAPI document"</a> ", which "
            <a href="/api/v1/reference" rel="external">
                "the API reference"
            </a> " shows for people."
        </p>
        {move || {
            created.get().map(|key| view! { <KeySecret key on_dismiss=Callback::new(move |_| created.set(None)) /> })
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
                match keys.await {
                    Ok(keys) => Either::Left(view! { <KeyTable keys confirming /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        {move || {
            creating
                .get()
                .then(|| view! { <NewKeyDialog create on_close=Callback::new(move |_| creating.set(false)) /> })
        }}
        {move || {
            confirming
                .get()
                .map(|key| {
                    let id = key.id;
                    view! {
                        <ConfirmDialog
                            title=format!("Revoke the key “{}”?", key.name)
                            text=format!(
                                "Software that uses {}… is refused from its next request on. This cannot be undone: make a new key to let it in again.",
                                key.prefix,
                            )
                            confirm_label="Revoke key"
                            on_confirm=Callback::new(move |_| {
                                confirming.set(None);
                                revoke.dispatch(RevokeApiKey { id });
                            })
                            on_close=Callback::new(move |_| confirming.set(None))
                        />
                    }
                })
        }}
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyInfo>, confirming: RwSignal<Option<ApiKeyInfo>>) -> impl IntoView {
    if keys.is_empty() {
        return Either::Left(view! { <p class="empty-state">"No API keys yet."</p> });
    }
    let rows = keys
        .into_iter()
        .map(|key| {
            let state = key.state();
            let badge = if state == "Active" { "badge badge-active" } else { "badge badge-disabled" };
            let permissions = key
                .permissions
                .iter()
                .map(|p| {
                    view! {
                        <code class="key-permission">{p.key()}</code>
                        " "
                    }
                })
                .collect_view();
            let last_used = key.last_used_at.map_or_else(|| "Never".to_string(), format_datetime);
            let expires = key.expires_at.map_or_else(|| "Never".to_string(), format_date);
            let name = key.name.clone();
            let action = (state == "Active").then(|| {
                let key = key.clone();
                view! {
                    <button
                        type="button"
                        class="button button-small button-danger"
                        aria-label=format!("Revoke key {name}")
                        on:click=move |_| confirming.set(Some(key.clone()))
                    >
                        "Revoke"
                    </button>
                }
            });
            view! {
                <tr>
                    <td class="name">
                        {key.name.clone()} <div class="muted small">
                            <code>{format!("{}…", key.prefix)}</code>
                        </div>
                    </td>
                    <td class="key-permissions">{permissions}</td>
                    <td>{key.created_by.clone()} <div class="muted small">{format_date(key.created_at)}</div></td>
                    <td>{last_used}</td>
                    <td>{expires}</td>
                    <td>
                        <span class=badge>{state}</span>
                    </td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <div class="table-scroll">
            <table class="data-table">
                <caption class="visually-hidden">"API keys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name and key"</th>
                        <th scope="col">"Permissions"</th>
                        <th scope="col">"Created by"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    })
}

/// The choices of the expiry picker, in days (None: never).
const EXPIRY_CHOICES: [(Option<u32>, &str); 5] = [
    (None, "Never"),
    (Some(30), "In 30 days"),
    (Some(90), "In 90 days"),
    (Some(365), "In a year"),
    (Some(730), "In two years"),
];

#[component]
fn NewKeyDialog(create: ServerAction<CreateApiKey>, on_close: Callback<()>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let input = RwSignal::new(NewApiKey::default());
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(NewApiKey::validate));
    let server_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if client_errors.with(|e| e.is_empty()) && !create.pending().get_untracked() {
            create.dispatch(CreateApiKey { input: input.get_untracked() });
        }
    };
    let checkboxes = grantable()
        .map(|p| {
            let held = auth.can(p);
            let id = format!("key-permission-{}", p.key().replace(['.', '_'], "-"));
            let help = format!("{id}-help");
            view! {
                <div class="checkbox-row">
                    <input
                        type="checkbox"
                        id=id.clone()
                        aria-describedby=help.clone()
                        disabled=move || !held.get()
                        prop:checked=move || input.with(|d| d.permissions.contains(&p))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            input
                                .update(|d| {
                                    d.permissions.retain(|x| *x != p);
                                    if on {
                                        d.permissions.push(p);
                                    }
                                });
                        }
                    />
                    <label for=id>
                        <code>{p.key()}</code>
                    </label>
                    <p id=help class="field-help">
                        {p.description()}
                        {move || {
                            (!held.get()).then_some(" You do not hold this permission, so your key cannot either.")
                        }}
                    </p>
                </div>
            }
        })
        .collect_view();
    let expiry_options = EXPIRY_CHOICES
        .iter()
        .map(|(days, label)| {
            let value = days.map(|d| d.to_string()).unwrap_or_default();
            view! { <option value=value>{*label}</option> }
        })
        .collect_view();
    view! {
        <dialog
            node_ref=dialog
            class="modal modal-wide"
            aria-labelledby="new-key-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="new-key-title">"New API key"</h2>
                <Field
                    id="key-name"
                    label="Name"
                    required=true
                    hint="What uses it, e.g. “CRM sync”."
                    error=Signal::derive(error_for("name"))
                >
                    <input
                        id="key-name"
                        aria-describedby=described_by("key-name", true)
                        type="text"
                        autocomplete="off"
                        aria-required="true"
                        autofocus
                        prop:value=move || input.with(|d| d.name.clone())
                        on:input=move |ev| input.update(|d| d.name = event_target_value(&ev))
                    />
                </Field>
                <Field id="key-expiry" label="Expires" error=Signal::derive(error_for("expires_in_days"))>
                    <select
                        id="key-expiry"
                        aria-describedby=described_by("key-expiry", false)
                        on:change=move |ev| {
                            let days = event_target_value(&ev).parse().ok();
                            input.update(|d| d.expires_in_days = days);
                        }
                    >
                        {expiry_options}
                    </select>
                </Field>
                <fieldset class="choice-group permissions">
                    <legend>"Permissions"</legend>
                    {checkboxes}
                    <p class="field-error" aria-live="polite">
                        {error_for("permissions")}
                    </p>
                </fieldset>
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
                    <button type="submit" class="button button-primary" disabled=create.pending()>
                        "Create key"
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// The portal's "API keys" card (an account's owners): keys that reach this account alone,
/// through `/api/v1/account`.
#[component]
pub fn AccountKeys(customer_id: i64) -> impl IntoView {
    let create = ServerAction::<CreateAccountKey>::new();
    let revoke = ServerAction::<RevokeAccountKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| list_account_keys(customer_id),
    );
    let input = RwSignal::new(NewAccountKey::default());
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(NewAccountKey::validate));
    let server_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    let created = RwSignal::new(None::<CreatedApiKey>);
    let confirming = RwSignal::new(None::<ApiKeyInfo>);
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            created.set(Some(key));
            input.set(NewAccountKey::default());
            tried.set(false);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if client_errors.with(|e| e.is_empty()) && !create.pending().get_untracked() {
            create.dispatch(CreateAccountKey { customer_id, input: input.get_untracked() });
        }
    };
    view! {
        <section class="card wide" aria-labelledby="account-keys">
            <h2 id="account-keys">"API keys"</h2>
            <p class="muted">
                "A key lets your own software read this account's details and users ("
                <code>"GET /api/v1/account"</code> "). It works only while the account is active and you are its owner."
            </p>
            {move || {
                created
                    .get()
                    .map(|key| view! { <KeySecret key on_dismiss=Callback::new(move |_| created.set(None)) /> })
            }}
            <form novalidate on:submit=submit class="inline-form">
                <Field id="account-key-name" label="Key name" required=true error=Signal::derive(error_for("name"))>
                    <input
                        id="account-key-name"
                        aria-describedby=described_by("account-key-name", false)
                        type="text"
                        autocomplete="off"
                        aria-required="true"
                        prop:value=move || input.with(|d| d.name.clone())
                        on:input=move |ev| input.update(|d| d.name = event_target_value(&ev))
                    />
                </Field>
                <button type="submit" class="button" disabled=create.pending()>
                    "Create key"
                </button>
            </form>
            {move || {
                server_error
                    .get()
                    .filter(|e| !matches!(e, AppError::Invalid(_)))
                    .map(|error| view! { <ErrorNotice error /> })
            }}
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">"No keys yet."</p> }),
                        Ok(list) => {
                            EitherOf3::B(
                                view! {
                                    <ul class="plain-list">
                                        {list
                                            .into_iter()
                                            .map(|key| {
                                                let state = key.state();
                                                let for_confirm = key.clone();
                                                let name = key.name.clone();
                                                view! {
                                                    <li class="account-key">
                                                        <strong>{key.name.clone()}</strong>
                                                        " "
                                                        <code>{format!("{}…", key.prefix)}</code>
                                                        " · "
                                                        {state}
                                                        " · last used "
                                                        {key
                                                            .last_used_at
                                                            .map_or_else(|| "never".to_string(), format_datetime)}
                                                        {(state == "Active")
                                                            .then(|| {
                                                                view! {
                                                                    " "
                                                                    <button
                                                                        type="button"
                                                                        class="button button-small button-danger"
                                                                        aria-label=format!("Revoke key {name}")
                                                                        on:click=move |_| confirming.set(Some(for_confirm.clone()))
                                                                    >
                                                                        "Revoke"
                                                                    </button>
                                                                }
                                                            })}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                },
                            )
                        }
                        Err(error) => EitherOf3::C(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
            {move || {
                confirming
                    .get()
                    .map(|key| {
                        let id = key.id;
                        view! {
                            <ConfirmDialog
                                title=format!("Revoke the key “{}”?", key.name)
                                text="Software that uses it is refused from its next request on.".to_string()
                                confirm_label="Revoke key"
                                on_confirm=Callback::new(move |_| {
                                    confirming.set(None);
                                    revoke
                                        .dispatch(RevokeAccountKey {
                                            customer_id,
                                            id,
                                        });
                                })
                                on_close=Callback::new(move |_| confirming.set(None))
                            />
                        }
                    })
            }}
        </section>
    }
}

/// The secret of a key just made, shown this once.
#[component]
fn KeySecret(key: CreatedApiKey, on_dismiss: Callback<()>) -> impl IntoView {
    view! {
        <ShownOnce
            region="New API key"
            title=format!("The key “{}” is ready", key.key.name)
            text="Copy it now and keep it somewhere safe: it is shown only this once, and Clientele keeps only a hash of it."
            field="API key secret"
            copy_label="Copy key"
            value=key.secret
            on_dismiss
        />
    }
}
