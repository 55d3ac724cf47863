//! `/settings/log-in-as` (`tenant.configure`): how long a "Log in as" view lasts for this
//! partner's staff (up to the instance's cap) and whether they must say why.

use crate::api::impersonation::{get_impersonation_settings, SaveImpersonationSettings};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::types::impersonation::{ImpersonationSettings, ReasonPolicy};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn ImpersonationSettingsPage() -> impl IntoView {
    let auth = expect_context::<crate::context::Auth>();
    let save = ServerAction::<SaveImpersonationSettings>::new();
    let settings = Resource::new(move || auth.switch_tenant.version().get(), |_| get_impersonation_settings());
    view! {
        <div class="page-head">
            <h1>"Log in as settings"</h1>
        </div>
        <p class="muted">
            "Partner users whose role allows it can open a customer account exactly as its users see it. \
            Every start, end and change is recorded in the audit log with both identities."
        </p>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => Either::Left(view! { <SettingsForm current save /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(current: ImpersonationSettings, save: ServerAction<SaveImpersonationSettings>) -> impl IntoView {
    let minutes = RwSignal::new(current.minutes.to_string());
    let reason = RwSignal::new(current.reason);
    let max = current.max_minutes;
    let minutes_error = move || match save.value().get() {
        Some(Err(AppError::Invalid(errors))) => errors.get("minutes").cloned(),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="log-in-as-settings">
            <h2 id="log-in-as-settings">"Settings"</h2>
            <form
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match minutes.get_untracked().trim().parse::<i64>() {
                        Ok(m) => {
                            save.dispatch(SaveImpersonationSettings {
                                minutes: m,
                                reason: reason.get_untracked(),
                            });
                        }
                        Err(_) => {
                            save.value()
                                .set(Some(Err(AppError::invalid("minutes", "Enter a whole number of minutes."))))
                        }
                    }
                }
            >
                <Field
                    id="log-in-as-minutes"
                    label="A view ends after (minutes)"
                    hint=format!("At most {max} minutes on this instance.")
                    error=Signal::derive(minutes_error)
                >
                    <input
                        id="log-in-as-minutes"
                        aria-describedby=described_by("log-in-as-minutes", true)
                        type="number"
                        min="1"
                        max=max.to_string()
                        inputmode="numeric"
                        prop:value=move || minutes.get()
                        on:input=move |ev| minutes.set(event_target_value(&ev))
                    />
                </Field>
                <fieldset class="choice-group">
                    <legend>"Ask for a reason"</legend>
                    {ReasonPolicy::ALL
                        .into_iter()
                        .map(|policy| {
                            view! {
                                <label class="radio">
                                    <input
                                        type="radio"
                                        name="log-in-as-reason"
                                        value=policy.key()
                                        prop:checked=move || reason.get() == policy
                                        on:change=move |_| reason.set(policy)
                                    />
                                    {policy.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                {move || match save.value().get() {
                    Some(Ok(_)) => {
                        Some(
                            Either::Left(
                                view! {
                                    <p class="field-help" role="status">
                                        "Saved."
                                    </p>
                                },
                            ),
                        )
                    }
                    Some(Err(AppError::Invalid(_))) | None => None,
                    Some(Err(error)) => Some(Either::Right(view! { <ErrorNotice error /> })),
                }}
                <button type="submit" class="button button-primary" disabled=save.pending()>
                    "Save"
                </button>
            </form>
        </section>
    }
}
