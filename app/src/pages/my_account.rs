//! `/account` ("My account", every signed-in person): one's name, colour theme, password and
//! sessions.

use crate::api::my_account::{get_my_account, ChangeMyPassword, RenameMyself, SetMyTheme, SignOutEverywhereElse};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::context::{Auth, ThemeChoice};
use crate::error::AppError;
use crate::format::format_datetime;
use crate::types::my_account::{MyAccount, Theme};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let rename = ServerAction::<RenameMyself>::new();
    let password = ServerAction::<ChangeMyPassword>::new();
    let others = ServerAction::<SignOutEverywhereElse>::new();
    // Read again after a change went through (not after a refusal, which would redraw the
    // forms and lose what was typed).
    let refresh = RwSignal::new(0u32);
    let after_success = move |ok: bool| {
        if ok {
            refresh.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| after_success(rename.value().get().is_some_and(|r| r.is_ok())));
    Effect::new(move |_| after_success(password.value().get().is_some_and(|r| r.is_ok())));
    Effect::new(move |_| after_success(others.value().get().is_some_and(|r| r.is_ok())));
    let account = Resource::new(move || refresh.get(), |_| get_my_account());
    view! {
        <div class="page-head">
            <h1>"My account"</h1>
        </div>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(me) => {
                        Either::Left(
                            view! {
                                <NameCard me=me.clone() rename />
                                <ThemeCard saved=me.theme />
                                <PasswordCard password />
                                <SessionsCard me others />
                            },
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
    }
}

fn field_error(result: Option<Result<(), AppError>>, key: &str) -> Option<String> {
    match result {
        Some(Err(AppError::Invalid(errors))) => errors.get(key).cloned(),
        _ => None,
    }
}

fn other_error(result: Option<Result<(), AppError>>) -> Option<AppError> {
    result.and_then(Result::err).filter(|e| !matches!(e, AppError::Invalid(_)))
}

#[component]
fn NameCard(me: MyAccount, rename: ServerAction<RenameMyself>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let name = RwSignal::new(me.full_name.clone());
    // The header shows the name too.
    Effect::new(move |_| {
        if let Some(Ok(())) = rename.value().get() {
            auth.session.refetch();
        }
    });
    view! {
        <section class="card" aria-labelledby="my-name-heading">
            <h2 id="my-name-heading">"Your name"</h2>
            <p class="muted">{format!("You sign in as {}. Partners keep the name they invited you by.", me.email)}</p>
            <form
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    rename
                        .dispatch(RenameMyself {
                            full_name: name.get_untracked(),
                        });
                }
            >
                <Field
                    id="my-name"
                    label="Full name"
                    error=Signal::derive(move || field_error(rename.value().get(), "full_name"))
                >
                    <input
                        id="my-name"
                        type="text"
                        autocomplete="name"
                        aria-describedby=described_by("my-name", false)
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </Field>
                {move || other_error(rename.value().get()).map(|error| view! { <ErrorNotice error /> })}
                {move || {
                    matches!(rename.value().get(), Some(Ok(())))
                        .then(|| {
                            view! {
                                <p class="field-help" role="status">
                                    "Name saved."
                                </p>
                            }
                        })
                }}
                <button type="submit" class="button button-primary" disabled=rename.pending()>
                    "Save name"
                </button>
            </form>
        </section>
    }
}

/// Light, dark, or as the device says: applied at once, remembered for every device.
#[component]
fn ThemeCard(saved: Theme) -> impl IntoView {
    let chosen = expect_context::<ThemeChoice>().0;
    let save = ServerAction::<SetMyTheme>::new();
    let current = move || chosen.get().unwrap_or(saved);
    view! {
        <section class="card" aria-labelledby="my-theme-heading">
            <h2 id="my-theme-heading">"Appearance"</h2>
            <fieldset class="choice-group">
                <legend>"Theme"</legend>
                {Theme::ALL
                    .into_iter()
                    .map(|theme| {
                        view! {
                            <label class="checkbox-line">
                                <input
                                    type="radio"
                                    name="theme"
                                    value=theme.key()
                                    prop:checked=move || current() == theme
                                    on:change=move |_| {
                                        chosen.set(Some(theme));
                                        save.dispatch(SetMyTheme { theme });
                                    }
                                />
                                {theme.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || match save.value().get() {
                Some(Ok(())) => {
                    Some(
                        Either::Left(
                            view! {
                                <p class="field-help" role="status">
                                    "Theme saved for every device you sign in on."
                                </p>
                            },
                        ),
                    )
                }
                Some(Err(error)) => Some(Either::Right(view! { <ErrorNotice error /> })),
                None => None,
            }}
        </section>
    }
}

#[component]
fn PasswordCard(password: ServerAction<ChangeMyPassword>) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = password.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="my-password-heading">
            <h2 id="my-password-heading">"Password"</h2>
            <form
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    password
                        .dispatch(ChangeMyPassword {
                            current_password: current.get_untracked(),
                            new_password: new.get_untracked(),
                        });
                }
            >
                <Field
                    id="current-password"
                    label="Current password"
                    error=Signal::derive(move || field_error(password.value().get(), "current_password"))
                >
                    <input
                        id="current-password"
                        type="password"
                        autocomplete="current-password"
                        aria-describedby=described_by("current-password", false)
                        prop:value=move || current.get()
                        on:input=move |ev| current.set(event_target_value(&ev))
                    />
                </Field>
                <Field
                    id="new-password"
                    label="New password"
                    hint=format!(
                        "At least {} characters, and not easy to guess. Your other sessions end when it changes.",
                        crate::types::account_links::PASSWORD_MIN_CHARS,
                    )
                    error=Signal::derive(move || field_error(password.value().get(), "new_password"))
                >
                    <input
                        id="new-password"
                        type="password"
                        autocomplete="new-password"
                        aria-describedby=described_by("new-password", true)
                        prop:value=move || new.get()
                        on:input=move |ev| new.set(event_target_value(&ev))
                    />
                </Field>
                {move || other_error(password.value().get()).map(|error| view! { <ErrorNotice error /> })}
                {move || {
                    matches!(password.value().get(), Some(Ok(())))
                        .then(|| {
                            view! {
                                <p class="field-help" role="status">
                                    "Password changed. Every other session signed in as you has ended."
                                </p>
                            }
                        })
                }}
                <button type="submit" class="button button-primary" disabled=password.pending()>
                    "Change password"
                </button>
            </form>
        </section>
    }
}

#[component]
fn SessionsCard(me: MyAccount, others: ServerAction<SignOutEverywhereElse>) -> impl IntoView {
    let has_others = me.sessions.iter().any(|s| !s.current);
    view! {
        <section class="card" aria-labelledby="my-sessions-heading">
            <h2 id="my-sessions-heading">"Where you are signed in"</h2>
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Browser"</th>
                    </tr>
                </thead>
                <tbody>
                    {me
                        .sessions
                        .into_iter()
                        .map(|s| {
                            view! {
                                <tr data-testid="own-session">
                                    <td>
                                        {format_datetime(s.created_at)}
                                        {s
                                            .current
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span class="badge badge-active">"This browser"</span>
                                                }
                                            })}
                                    </td>
                                    <td>{format_datetime(s.last_seen_at)}</td>
                                    <td>{s.client_addr.unwrap_or_else(|| "—".into())}</td>
                                    <td class="wrap user-agent">{s.user_agent.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {move || match others.value().get() {
                Some(Ok(n)) => {
                    Some(
                        Either::Left(
                            view! {
                                <p class="field-help" role="status">
                                    {format!("Signed out of {n} other session(s).")}
                                </p>
                            },
                        ),
                    )
                }
                Some(Err(error)) => Some(Either::Right(view! { <ErrorNotice error /> })),
                None => None,
            }}
            <button
                type="button"
                class="button"
                disabled=move || !has_others || others.pending().get()
                on:click=move |_| {
                    others.dispatch(SignOutEverywhereElse {});
                }
            >
                "Sign out everywhere else"
            </button>
        </section>
    }
}
