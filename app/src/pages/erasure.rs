//! Erasing a person: the operator's "Erase a person everywhere" (Settings) and the person's own
//! "Delete my account" (portal). The server decides who may; these only ask and confirm.

use crate::api::erasure::{preview_erasure, DeleteMyAccount, ErasePerson};
use crate::components::feedback::ErrorNotice;
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::types::erasure::{pseudonym, ErasurePreview};
use leptos::either::Either;
use leptos::prelude::*;

/// Settings (operators): find a person by email, see which partners hold them, type the email
/// to confirm, erase.
#[component]
pub fn EraseAPerson() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let find = Action::new(|email: &String| preview_erasure(email.clone()));
    let erase = ServerAction::<ErasePerson>::new();
    let confirm = RwSignal::new(String::new());
    // A new search starts over.
    Effect::new(move |_| {
        find.version().track();
        confirm.set(String::new());
        erase.clear();
    });
    let found = move || find.value().get();
    view! {
        <section class="card danger-zone" aria-labelledby="erase-heading">
            <h2 id="erase-heading">"Erase a person everywhere"</h2>
            <p class="muted">
                "For a GDPR erasure request: removes the person's identity from every partner. Partners cannot do this."
            </p>
            <form
                class="inline-form"
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    find.dispatch(email.get_untracked());
                }
            >
                <Field id="erase-email" label="Email address">
                    <input
                        id="erase-email"
                        aria-describedby=described_by("erase-email", false)
                        type="email"
                        autocomplete="off"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </Field>
                <button type="submit" class="button" disabled=move || find.pending().get()>
                    "Find"
                </button>
            </form>
            {move || match found() {
                None => None,
                Some(Err(error)) => Some(Either::Left(view! { <ErrorNotice error /> })),
                Some(Ok(preview)) => Some(Either::Right(view! { <ConfirmErasure preview confirm erase /> })),
            }}
        </section>
    }
}

#[component]
fn ConfirmErasure(
    preview: ErasurePreview,
    confirm: RwSignal<String>,
    erase: ServerAction<ErasePerson>,
) -> impl IntoView {
    let ErasurePreview { person_id, name, email, partners, memberships } = preview;
    let holders = if partners.is_empty() {
        "no partner".to_string()
    } else {
        format!("{} partner{}: {}", partners.len(), if partners.len() == 1 { "" } else { "s" }, partners.join(", "))
    };
    let expected = email.clone();
    let matches = Signal::derive(move || confirm.with(|c| c.trim().eq_ignore_ascii_case(&expected)));
    let summary = format!(
        "{name} <{email}> belongs to {holders} ({memberships} membership{}).",
        if memberships == 1 { "" } else { "s" }
    );
    view! {
        {move || match erase.value().get() {
            Some(Ok(())) => {
                Some(
                    Either::Left(
                        view! {
                            <div class="notice notice-success" role="status">
                                {format!(
                                    "Erased. The audit log now names them \u{201c}{}\u{201d}.",
                                    pseudonym(person_id),
                                )}
                            </div>
                        },
                    ),
                )
            }
            Some(Err(AppError::Invalid(_))) | None => None,
            Some(Err(error)) => Some(Either::Right(view! { <ErrorNotice error /> })),
        }}
        <Show when=move || !matches!(erase.value().get(), Some(Ok(())))>
            <div class="notice notice-warning" role="alert" data-testid="erase-effect">
                <p>{summary.clone()}</p>
                <p>
                    "Erasing removes their identity and password, every membership, session and link, and the emails kept for them, \
                    in one step. The audit log keeps its entries, naming them only by a pseudonym. This cannot be undone."
                </p>
                <Field id="erase-confirm" label="Type their email address to confirm">
                    <input
                        id="erase-confirm"
                        aria-describedby=described_by("erase-confirm", false)
                        type="email"
                        autocomplete="off"
                        prop:value=move || confirm.get()
                        on:input=move |ev| confirm.set(event_target_value(&ev))
                    />
                </Field>
                <button
                    type="button"
                    class="button button-danger"
                    disabled=move || !matches.get() || erase.pending().get()
                    on:click=move |_| {
                        erase
                            .dispatch(ErasePerson {
                                person_id,
                                confirm_email: confirm.get_untracked(),
                            });
                    }
                >
                    "Erase everywhere"
                </button>
            </div>
        </Show>
    }
}

/// Portal: the person deletes their own account, with their password.
#[component]
pub fn DeleteMyAccount() -> impl IntoView {
    let delete = ServerAction::<DeleteMyAccount>::new();
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    let password_error = move || match delete.value().get() {
        Some(Err(AppError::Invalid(errors))) => errors.get("password").cloned(),
        _ => None,
    };
    view! {
        <section class="card danger-zone" aria-labelledby="delete-account-heading">
            <h2 id="delete-account-heading">"Delete my account"</h2>
            <p>
                "Deletes your sign-in, your password and your access to every account, with every partner, at once. \
                 It cannot be undone."
            </p>
            <form
                class="inline-form"
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    delete
                        .dispatch(DeleteMyAccount {
                            password: password.get_untracked(),
                        });
                }
            >
                <Field id="delete-password" label="Your password" error=Signal::derive(password_error)>
                    <input
                        id="delete-password"
                        aria-describedby=described_by("delete-password", false)
                        type="password"
                        autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </Field>
                <button type="submit" class="button button-danger" disabled=move || delete.pending().get()>
                    "Delete my account"
                </button>
            </form>
            {move || match delete.value().get() {
                Some(Err(AppError::Invalid(_))) | Some(Ok(())) | None => None,
                Some(Err(error)) => Some(view! { <ErrorNotice error /> }),
            }}
        </section>
    }
}
