//! Signed-out pages reached from an email or a handed-over link: `/activate` (accept an
//! invitation), `/reset-password`, and `/forgot-password` (ask for a reset link).

use crate::api::account_links::{get_link_info, ActivateAccount, RequestPasswordReset, ResetPassword};
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::types::account_links::{
    password_length_problem, password_strength_hint, strength_label, Acceptance, LinkInfo,
};
use crate::types::consents::{ConsentChoices, ConsentPolicy};
use leptos::either::{Either, EitherOf3, EitherOf4};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

fn token_from_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("token").unwrap_or_default()))
}

/// After a successful activation or reset: a full page load, so the app starts again with
/// the new session (and the person lands where their work is).
fn go_home() {
    let _ = window().location().set_href("/");
}

#[component]
pub fn ActivatePage() -> impl IntoView {
    let token = token_from_query();
    let info = Resource::new(move || token.get(), |token| get_link_info(token, false));
    let action = ServerAction::<ActivateAccount>::new();
    let choices = RwSignal::new(ConsentChoices::default());
    view! {
        <main class="standalone login">
            <h1>"Activate your account"</h1>
            <Transition fallback=|| {
                view! { <p>"Checking your link…"</p> }
            }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(LinkInfo::Activation { full_name, email, customer_name, accept, consents }) => {
                            EitherOf4::A(
                                view! {
                                    <p>
                                        "Welcome, "<strong>{full_name}</strong>". You are invited to "
                                        <strong>{customer_name}</strong>"."
                                    </p>
                                    {matches!(accept, Acceptance::ChoosePassword | Acceptance::Accept)
                                        .then(|| {
                                            view! {
                                                <ConsentBoxes
                                                    policy=consents
                                                    choices
                                                    result=Signal::derive(move || action.value().get())
                                                />
                                            }
                                        })}
                                    {match accept {
                                        Acceptance::ChoosePassword => {
                                            EitherOf3::A(
                                                view! {
                                                    <p class="muted">
                                                        {format!("Choose a password to sign in as {email}.")}
                                                    </p>
                                                    <PasswordForm
                                                        submit_label="Activate and sign in"
                                                        pending=action.pending().into()
                                                        result=Signal::derive(move || action.value().get())
                                                        on_submit=Callback::new(move |password: String| {
                                                            action
                                                                .dispatch(ActivateAccount {
                                                                    token: token.get_untracked(),
                                                                    password,
                                                                    consents: Some(choices.get_untracked()),
                                                                });
                                                        })
                                                    />
                                                },
                                            )
                                        }
                                        Acceptance::Accept => {
                                            EitherOf3::B(
                                                view! {
                                                    <p class="muted">
                                                        {format!(
                                                            "You already have an account as {email}; it keeps its password.",
                                                        )}
                                                    </p>
                                                    <AcceptButton action token choices />
                                                },
                                            )
                                        }
                                        Acceptance::SignInFirst => {
                                            EitherOf3::C(
                                                Either::Left(
                                                    view! {
                                                        <p class="muted">
                                                            {format!(
                                                                "This invitation is for an existing account. Sign in as {email}, then open this link again to accept it.",
                                                            )}
                                                        </p>
                                                        <p>
                                                            <A href="/login">"Sign in"</A>
                                                        </p>
                                                    },
                                                ),
                                            )
                                        }
                                        Acceptance::ConfirmThroughInbox => {
                                            EitherOf3::C(
                                                Either::Right(
                                                    view! {
                                                        <p class="muted">
                                                            {format!(
                                                                "{email} already has a Clientele account, or another invitation waiting, so this handed-over link cannot set its password. Ask whoever invited you to send the invitation to {email} by email, and open it from there. Nothing was changed.",
                                                            )}
                                                        </p>
                                                    },
                                                ),
                                            )
                                        }
                                    }}
                                },
                            )
                        }
                        Ok(LinkInfo::Unusable(problem)) => {
                            EitherOf4::B(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        {problem.message()}
                                    </div>
                                    <p>
                                        <A href="/forgot-password">"Request a new password link"</A>
                                        " · "
                                        <A href="/login">"Sign in"</A>
                                    </p>
                                },
                            )
                        }
                        Ok(LinkInfo::Reset { .. }) => {
                            EitherOf4::C(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        "This is a password reset link."
                                    </div>
                                    <p>
                                        <A href=format!(
                                            "/reset-password?token={}",
                                            token.get_untracked(),
                                        )>"Reset your password"</A>
                                    </p>
                                },
                            )
                        }
                        Err(error) => {
                            EitherOf4::D(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        {error.to_string()}
                                    </div>
                                },
                            )
                        }
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = token_from_query();
    let info = Resource::new(move || token.get(), |token| get_link_info(token, true));
    let action = ServerAction::<ResetPassword>::new();
    view! {
        <main class="standalone login">
            <h1>"Choose a new password"</h1>
            <Transition fallback=|| {
                view! { <p>"Checking your link…"</p> }
            }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(LinkInfo::Reset { email }) => {
                            Either::Left(
                                view! {
                                    <p class="muted">
                                        {format!(
                                            "For {email}. Every session of this account ends when the password changes.",
                                        )}
                                    </p>
                                    <PasswordForm
                                        submit_label="Set password and sign in"
                                        pending=action.pending().into()
                                        result=Signal::derive(move || action.value().get())
                                        on_submit=Callback::new(move |password: String| {
                                            action
                                                .dispatch(ResetPassword {
                                                    token: token.get_untracked(),
                                                    password,
                                                });
                                        })
                                    />
                                },
                            )
                        }
                        Ok(LinkInfo::Unusable(problem)) => {
                            Either::Right(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        {problem.message()}
                                    </div>
                                    <p>
                                        <A href="/forgot-password">"Request a new password link"</A>
                                        " · "
                                        <A href="/login">"Sign in"</A>
                                    </p>
                                }
                                    .into_any(),
                            )
                        }
                        Ok(LinkInfo::Activation { .. }) => {
                            Either::Right(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        "This is an invitation link."
                                    </div>
                                    <p>
                                        <A href=format!(
                                            "/activate?token={}",
                                            token.get_untracked(),
                                        )>"Accept the invitation"</A>
                                    </p>
                                }
                                    .into_any(),
                            )
                        }
                        Err(error) => {
                            Either::Right(
                                view! {
                                    <div class="notice notice-error" role="alert">
                                        {error.to_string()}
                                    </div>
                                }
                                    .into_any(),
                            )
                        }
                    }
                })}
            </Transition>
        </main>
    }
}

/// Accepts an invitation for an existing account: no password, the link (or the session) is
/// the proof.
#[component]
fn AcceptButton(
    action: ServerAction<ActivateAccount>,
    token: Memo<String>,
    choices: RwSignal<ConsentChoices>,
) -> impl IntoView {
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            go_home();
        }
    });
    view! {
        {move || {
            action
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| {
                    view! {
                        <div class="notice notice-error" role="alert">
                            {e.to_string()}
                        </div>
                    }
                })
        }}
        <button
            type="button"
            class="button button-primary"
            disabled=move || action.pending().get()
            on:click=move |_| {
                action
                    .dispatch(ActivateAccount {
                        token: token.get_untracked(),
                        password: String::new(),
                        consents: Some(choices.get_untracked()),
                    });
            }
        >
            "Accept invitation"
        </button>
    }
}

/// The partner's terms and privacy policy (when it has them) and marketing information, each a
/// checkbox; required ones say so, and the server refuses the activation without them.
#[component]
fn ConsentBoxes(
    policy: ConsentPolicy,
    choices: RwSignal<ConsentChoices>,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let problem = move |key: &'static str| {
        move || match result.get() {
            Some(Err(AppError::Invalid(errors))) => errors.get(key).cloned(),
            _ => None,
        }
    };
    let required = |r: bool| if r { " (required)" } else { "" };
    view! {
        <fieldset class="consents">
            <legend>"Your consent"</legend>
            {policy
                .terms_url
                .clone()
                .map(|url| {
                    view! {
                        <label class="checkbox-line">
                            <input
                                type="checkbox"
                                aria-describedby="consent-terms-error"
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    choices.update(|c| c.terms = on);
                                }
                            />
                            "I accept the "
                            <a href=url target="_blank" rel="noopener noreferrer">
                                "terms"
                            </a>
                            {required(policy.terms_required)}
                        </label>
                        <p id="consent-terms-error" class="field-error" aria-live="polite">
                            {problem("terms")}
                        </p>
                    }
                })}
            {policy
                .privacy_url
                .clone()
                .map(|url| {
                    view! {
                        <label class="checkbox-line">
                            <input
                                type="checkbox"
                                aria-describedby="consent-privacy-error"
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    choices.update(|c| c.privacy = on);
                                }
                            />
                            "I accept the "
                            <a href=url target="_blank" rel="noopener noreferrer">
                                "privacy policy"
                            </a>
                            {required(policy.privacy_required)}
                        </label>
                        <p id="consent-privacy-error" class="field-error" aria-live="polite">
                            {problem("privacy")}
                        </p>
                    }
                })}
            <label class="checkbox-line">
                <input
                    type="checkbox"
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        choices.update(|c| c.marketing = on);
                    }
                />
                "Send me marketing information (optional; you can withdraw it any time in the portal)"
            </label>
        </fieldset>
    }
}

/// A password and its confirmation, with the length rule and a strength meter as the person
/// types. The server checks again, and also
/// refuses the most common passwords.
#[component]
fn PasswordForm(
    submit_label: &'static str,
    pending: Signal<bool>,
    result: Signal<Option<Result<(), AppError>>>,
    on_submit: Callback<String>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let strength = Memo::new(move |_| password.with(|p| password_strength_hint(p)));
    let length_problem = Memo::new(move |_| password.with(|p| password_length_problem(p)));
    let mismatch = Memo::new(move |_| password.get() != confirm.get());
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            go_home();
        }
    });
    let server_error = move || match result.get() {
        Some(Err(AppError::Invalid(errors))) => errors.get("password").cloned(),
        _ => None,
    };
    let other_error = move || match result.get() {
        Some(Err(e)) if !matches!(e, AppError::Invalid(_)) => Some(e.to_string()),
        _ => None,
    };
    let password_error = move || {
        server_error().or_else(|| (tried.get() || !password.get().is_empty()).then(|| length_problem.get()).flatten())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if length_problem.get_untracked().is_some()
            || mismatch.get_untracked()
            || password.with_untracked(String::is_empty)
        {
            return;
        }
        on_submit.run(password.get_untracked());
    };
    view! {
        <form class="form" novalidate on:submit=submit>
            <Field
                id="new-password"
                label="New password"
                error=Signal::derive(password_error)
                hint="At least 8 characters. A few unrelated words make a strong, memorable password."
            >
                <input
                    id="new-password"
                    type="password"
                    autocomplete="new-password"
                    aria-describedby=format!("{} password-strength", described_by("new-password", true))
                    required
                    autofocus
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <div class="strength" id="password-strength" aria-live="polite">
                    <meter
                        min="0"
                        max="4"
                        low="2"
                        high="3"
                        optimum="4"
                        value=move || strength.get().to_string()
                        aria-label="Password strength"
                    ></meter>
                    <span>{move || format!("Strength: {}", strength_label(strength.get()))}</span>
                </div>
            </Field>
            <Field
                id="confirm-password"
                label="Repeat the password"
                error=Signal::derive(move || {
                    (tried.get() && mismatch.get()).then(|| "The two passwords differ.".to_string())
                })
            >
                <input
                    id="confirm-password"
                    type="password"
                    autocomplete="new-password"
                    required
                    aria-describedby=described_by("confirm-password", false)
                    prop:value=move || confirm.get()
                    on:input=move |ev| confirm.set(event_target_value(&ev))
                />
            </Field>
            {move || {
                other_error()
                    .map(|e| {
                        view! {
                            <div class="notice notice-error" role="alert">
                                {e}
                            </div>
                        }
                    })
            }}
            <button type="submit" class="button button-primary" disabled=pending>
                {move || if pending.get() { "Please wait…" } else { submit_label }}
            </button>
        </form>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let email = RwSignal::new(String::new());
    let done = move || matches!(action.value().get(), Some(Ok(())));
    let error = move || match action.value().get() {
        Some(Err(AppError::Invalid(errors))) => errors.get("email").cloned(),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <main class="standalone login">
            <h1>"Forgot your password?"</h1>
            <Show
                when=done
                fallback=move || {
                    view! {
                        <p class="muted">
                            "Enter the email address you sign in with. If it belongs to an account, we send a link to choose a new password."
                        </p>
                        <form
                            class="form"
                            novalidate
                            on:submit=move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                action
                                    .dispatch(RequestPasswordReset {
                                        email: email.get_untracked(),
                                    });
                            }
                        >
                            <Field id="forgot-email" label="Email">
                                <input
                                    id="forgot-email"
                                    type="email"
                                    autocomplete="username"
                                    required
                                    autofocus
                                    aria-describedby=described_by("forgot-email", false)
                                    prop:value=move || email.get()
                                    on:input=move |ev| email.set(event_target_value(&ev))
                                />
                            </Field>
                            {move || {
                                error()
                                    .map(|e| {
                                        view! {
                                            <div class="notice notice-error" role="alert">
                                                {e}
                                            </div>
                                        }
                                    })
                            }}
                            <button type="submit" class="button button-primary" disabled=action.pending()>
                                "Send reset link"
                            </button>
                        </form>
                    }
                }
            >
                <div class="notice notice-success" role="status">
                    "If an account uses that address, a link to choose a new password is on its way. It works once, for 30 minutes."
                </div>
            </Show>
            <p>
                <A href="/login">"Back to sign in"</A>
            </p>
        </main>
    }
}
