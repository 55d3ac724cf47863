//! Inviting someone to a customer account (PRODUCT.md §7): full name, email, role and how the
//! activation link reaches them. Used by the partner's users page and by owners in the portal.

use crate::api::customer_users::InviteCustomerUser;
use crate::api::portal::PortalInvite;
use crate::components::feedback::field_error;
use crate::components::field::{described_by, Field};
use crate::components::modal::open_when_attached;
use crate::error::AppError;
use crate::format::format_datetime;
use crate::types::customer_users::{AccountRole, ActivationMethod, InviteInput, InviteOutcome};
use leptos::either::Either;
use leptos::prelude::*;

/// Who is inviting: the partner (any role for the new user) or an account owner in the portal
/// (members only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inviting {
    Partner(i64),
    Portal(i64),
}

#[component]
pub fn InviteDialog(
    inviting: Inviting,
    customer_name: String,
    link_hours: Option<i64>,
    /// Only "send activation email" (a partner user viewing the account as its users do).
    #[prop(optional)]
    email_only: bool,
    /// Called with the outcome once the invitation exists; the dialog then closes.
    on_done: Callback<InviteOutcome>,
    on_close: Callback<()>,
) -> impl IntoView {
    let input = RwSignal::new(InviteInput::default());
    let partner = ServerAction::<InviteCustomerUser>::new();
    let portal = ServerAction::<PortalInvite>::new();
    let pending = Signal::derive(move || partner.pending().get() || portal.pending().get());
    let result = Signal::derive(move || match inviting {
        Inviting::Partner(_) => partner.value().get(),
        Inviting::Portal(_) => portal.value().get(),
    });
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(InviteInput::validate));
    let server_error = Signal::derive(move || result.get().and_then(Result::err));
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = result.get() {
            on_done.run(outcome);
        }
    });
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if !client_errors.with(|e| e.is_empty()) || pending.get_untracked() {
            return;
        }
        let input = input.get_untracked();
        match inviting {
            Inviting::Partner(customer_id) => {
                partner.dispatch(InviteCustomerUser { customer_id, input });
            }
            Inviting::Portal(customer_id) => {
                portal.dispatch(PortalInvite { customer_id, input });
            }
        }
    };
    let is_partner = matches!(inviting, Inviting::Partner(_));
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="invite-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="invite-title">"Invite to "{customer_name}</h2>
                <Field id="invite-name" label="Full name" required=true error=Signal::derive(error_for("full_name"))>
                    <input
                        id="invite-name"
                        aria-describedby=described_by("invite-name", false)
                        type="text"
                        autocomplete="off"
                        aria-required="true"
                        autofocus
                        prop:value=move || input.with(|i| i.full_name.clone())
                        on:input=move |ev| input.update(|i| i.full_name = event_target_value(&ev))
                    />
                </Field>
                <Field id="invite-email" label="Email" required=true error=Signal::derive(error_for("email"))>
                    <input
                        id="invite-email"
                        aria-describedby=described_by("invite-email", false)
                        type="email"
                        autocomplete="off"
                        aria-required="true"
                        prop:value=move || input.with(|i| i.email.clone())
                        on:input=move |ev| input.update(|i| i.email = event_target_value(&ev))
                    />
                </Field>
                {is_partner
                    .then(|| {
                        view! {
                            <fieldset class="choice-group">
                                <legend>"Role in this account"</legend>
                                {[AccountRole::Member, AccountRole::Owner]
                                    .into_iter()
                                    .map(|role| {
                                        view! {
                                            <label>
                                                <input
                                                    type="radio"
                                                    name="invite-role"
                                                    prop:checked=move || input.with(|i| i.role == role)
                                                    on:change=move |_| input.update(|i| i.role = role)
                                                />
                                                " "
                                                {role.label()}
                                                <span class="muted">
                                                    {match role {
                                                        AccountRole::Owner => " — can also invite members",
                                                        AccountRole::Member => "",
                                                    }}
                                                </span>
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                        }
                    })}
                {if email_only {
                    Either::Left(
                        view! {
                            <p class="field-help">
                                "While you view the account as its users do, an invitation goes to the invitee's own inbox."
                            </p>
                        },
                    )
                } else {
                    Either::Right(
                        view! {
                            <fieldset class="choice-group">
                                <legend>"Activation"</legend>
                                <label>
                                    <input
                                        type="radio"
                                        name="invite-method"
                                        prop:checked=move || input.with(|i| i.method == ActivationMethod::SendEmail)
                                        on:change=move |_| input.update(|i| i.method = ActivationMethod::SendEmail)
                                    />
                                    " Send activation email"
                                </label>
                                <label>
                                    <input
                                        type="radio"
                                        name="invite-method"
                                        prop:checked=move || input.with(|i| i.method == ActivationMethod::DisplayLink)
                                        on:change=move |_| input.update(|i| i.method = ActivationMethod::DisplayLink)
                                    />
                                    " Display activation link (to copy and hand over)"
                                </label>
                                <p class="field-help">
                                    "A link is displayed only for someone new to Clientele; an existing account gets the invitation by email."
                                    {link_hours.map(|h| format!(" The link works once and expires after {h} hours."))}
                                </p>
                            </fieldset>
                        },
                    )
                }}
                {move || {
                    server_error
                        .get()
                        .filter(|e| !matches!(e, AppError::Invalid(_)))
                        .map(|e| {
                            view! {
                                <div class="notice notice-error" role="alert">
                                    {e.to_string()}
                                </div>
                            }
                        })
                }}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=pending>
                        {move || if pending.get() { "Inviting…" } else { "Invite" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// A link shown once after an invitation or resend with "display link": copy it now.
#[component]
pub fn ShownLink(outcome: InviteOutcome, on_dismiss: Callback<()>) -> impl IntoView {
    let link = outcome.link.clone().unwrap_or_default();
    let copied = RwSignal::new(false);
    let for_copy = link.clone();
    view! {
        <section class="notice notice-info shown-link" role="region" aria-label="Activation link">
            <p>
                <strong>{format!("Activation link for {}", outcome.email)}</strong>
            </p>
            <p class="muted">
                "Shown only now: copy it and hand it over. It works once and expires "
                {format_datetime(outcome.expires_at)}"."
            </p>
            <div class="copy-row">
                <input
                    type="text"
                    readonly
                    aria-label="Activation link"
                    value=link.clone()
                    on:focus=move |ev| {
                        use leptos::wasm_bindgen::JsCast;
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                />
                <button
                    type="button"
                    class="button"
                    on:click=move |_| {
                        let _ = window().navigator().clipboard().write_text(&for_copy);
                        copied.set(true);
                    }
                >
                    {move || if copied.get() { "Copied" } else { "Copy link" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_dismiss.run(())>
                    "Done"
                </button>
            </div>
        </section>
    }
}
