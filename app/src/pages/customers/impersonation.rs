//! "Log in as" in the partner UI: the button (a row action, on the detail page, in the selection
//! toolbar) and the one dialog they open, mounted in the shell. The button shows only with
//! `customers.impersonate`, and disabled, saying why, until the operator has confirmed the
//! partner's support level; the server refuses either way.

use crate::api::impersonation::start_impersonation;
use crate::components::feedback::ErrorNotice;
use crate::components::field::{described_by, Field};
use crate::components::modal::open_when_attached;
use crate::context::{Auth, CustomerActions};
use crate::error::AppError;
use crate::types::impersonation::{ImpersonationAvailability, ReasonPolicy, REASON_MAX_CHARS};
use crate::types::session::Permission;
use leptos::prelude::*;

/// Whether "Log in as" can be used here, from the session (None: it cannot be, at all).
fn availability(auth: Auth) -> Option<ImpersonationAvailability> {
    auth.session.get().and_then(Result::ok).flatten().and_then(|s| s.impersonation_availability)
}

/// The "Log in as" button for one customer. `place` keeps element ids unique when the same
/// customer's button shows twice on a page (its row and the toolbar).
#[component]
pub fn LogInAsButton(
    customer_id: i64,
    customer_name: String,
    place: &'static str,
    #[prop(optional)] small: bool,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let actions = expect_context::<CustomerActions>();
    let allowed = auth.can(Permission::CustomersImpersonate);
    let blocked = Signal::derive(move || availability(auth).and_then(ImpersonationAvailability::blocked_because));
    let why_id = format!("log-in-as-why-{place}-{customer_id}");
    let described_by = {
        let why_id = why_id.clone();
        move || blocked.get().is_some().then(|| why_id.clone())
    };
    let reason = move || {
        blocked.get().map(|why| {
            view! {
                <span id=why_id.clone() class="visually-hidden">
                    {why}
                </span>
            }
        })
    };
    let label = format!("Log in as {customer_name}");
    let class = if small { "button button-small" } else { "button" };
    let open = move |_| {
        if blocked.get_untracked().is_none() {
            actions.impersonating.set(Some((customer_id, customer_name.clone())));
        }
    };
    view! {
        <Show when=move || allowed.get()>
            // aria-disabled rather than disabled: the button stays focusable, so keyboard and
            // screen-reader users reach the reason too.
            <button
                type="button"
                class=class
                aria-label=label.clone()
                aria-disabled=move || blocked.get().is_some().then_some("true")
                aria-describedby=described_by.clone()
                title=move || blocked.get()
                on:click=open.clone()
            >
                "Log in as"
            </button>
            {reason.clone()}
        </Show>
    }
}

/// Confirms a "Log in as" (asking the reason when the partner wants one) and, once the server
/// has started the view, opens the portal in this tab.
#[component]
pub fn ImpersonationDialog() -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    view! { {move || actions.impersonating.get().map(|(id, name)| view! { <StartDialog id name /> })} }
}

#[component]
fn StartDialog(id: i64, name: String) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let actions = expect_context::<CustomerActions>();
    let (reason_policy, minutes) = match availability(auth) {
        Some(ImpersonationAvailability::Available { reason, minutes }) => (reason, minutes),
        _ => (ReasonPolicy::Off, 0),
    };
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let start = Action::new(move |reason: &String| {
        let reason = reason.clone();
        async move {
            let here = window().location();
            let return_to = format!("{}{}", here.pathname().unwrap_or_default(), here.search().unwrap_or_default());
            start_impersonation(id, reason, return_to).await
        }
    });
    // Started: a full page load, so nothing of the partner's pages lingers in memory.
    Effect::new(move |_| match start.value().get() {
        Some(Ok(path)) => {
            let _ = window().location().set_href(&path);
        }
        Some(Err(AppError::Invalid(errors))) => problem.set(errors.get("reason").cloned()),
        _ => {}
    });
    let failure = Signal::derive(move || match start.value().get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error),
    });
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || actions.impersonating.set(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked().trim().to_string();
        if reason_policy == ReasonPolicy::Required && text.is_empty() {
            problem.set(Some("Say why you are logging in as this customer.".into()));
            return;
        }
        problem.set(None);
        start.dispatch(text);
    };
    let asks = reason_policy != ReasonPolicy::Off;
    let required = reason_policy == ReasonPolicy::Required;
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="log-in-as-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                close();
            }
            on:close=move |_| close()
        >
            <form novalidate on:submit=submit>
                <h2 id="log-in-as-title">{format!("Log in as {name}?")}</h2>
                <p>
                    {format!(
                        "You will see the customer portal exactly as this account's users do, for up to {minutes} minutes. \
                      Everything you do there is recorded under your own name, as this account. \
                      \u{201c}Return to Clientele\u{201d} brings you back here.",
                    )}
                </p>
                {asks
                    .then(|| {
                        view! {
                            <Field
                                id="log-in-as-reason"
                                label=if required { "Reason (required)" } else { "Reason (optional)" }
                                error=Signal::derive(move || problem.get())
                            >
                                <textarea
                                    id="log-in-as-reason"
                                    rows="3"
                                    maxlength=REASON_MAX_CHARS.to_string()
                                    aria-required=required.to_string()
                                    aria-invalid=move || problem.get().is_some().to_string()
                                    aria-describedby=described_by("log-in-as-reason", false)
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                ></textarea>
                            </Field>
                        }
                    })}
                {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=move || start.pending().get()>
                        "Log in as"
                    </button>
                </div>
            </form>
        </dialog>
    }
}
