//! Consents (PRODUCT.md §9, issue 13): the partner's settings (Email settings page) and a
//! person's own answers in the portal.

use crate::api::consents::{get_consent_settings, my_consents, SaveConsentSettings, SetMarketingConsent};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::types::consents::{ConsentKind, ConsentPolicy};
use leptos::either::Either;
use leptos::prelude::*;

/// Portal: the person's answers to each partner, and marketing consent to give or withdraw.
#[component]
pub fn MyConsents() -> impl IntoView {
    let change = ServerAction::<SetMarketingConsent>::new();
    let consents = Resource::new(move || change.version().get(), |_| my_consents());
    view! {
        <section class="card" aria-labelledby="consents-heading">
            <h2 id="consents-heading">"Your consents"</h2>
            {move || change.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <Transition fallback=|| {
                view! { <p class="muted">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    match consents.await {
                        Ok(list) => {
                            Either::Left(
                                list
                                    .into_iter()
                                    .map(|p| {
                                        let answer = |kind: ConsentKind| {
                                            p.consents.iter().find(|c| c.kind == kind).cloned()
                                        };
                                        let line = |kind: ConsentKind| match answer(kind) {
                                            Some(c) => {
                                                format!(
                                                    "{}: {} on {}",
                                                    kind.label(),
                                                    if c.accepted { "accepted" } else { "declined" },
                                                    crate::format::format_date(c.at),
                                                )
                                            }
                                            None => format!("{}: not asked", kind.label()),
                                        };
                                        let marketing = answer(ConsentKind::Marketing).is_some_and(|c| c.accepted);
                                        let tenant_id = p.tenant_id;
                                        let (label, verb) = if marketing {
                                            (
                                                format!("Withdraw marketing consent to {}", p.partner),
                                                "Withdraw marketing consent",
                                            )
                                        } else {
                                            (
                                                format!("Give marketing consent to {}", p.partner),
                                                "Give marketing consent",
                                            )
                                        };
                                        view! {
                                            <h3>{p.partner.clone()}</h3>
                                            <ul class="plain-list">
                                                <li>{line(ConsentKind::Terms)}</li>
                                                <li>{line(ConsentKind::Privacy)}</li>
                                                <li>{line(ConsentKind::Marketing)}</li>
                                            </ul>
                                            <button
                                                type="button"
                                                class="button button-small"
                                                aria-label=label
                                                disabled=move || change.pending().get()
                                                on:click=move |_| {
                                                    change
                                                        .dispatch(SetMarketingConsent {
                                                            tenant_id,
                                                            accepted: !marketing,
                                                        });
                                                }
                                            >
                                                {verb}
                                            </button>
                                        }
                                    })
                                    .collect_view(),
                            )
                        }
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Settings (`tenant.configure`): the partner's terms and privacy links, and which must be
/// accepted to activate an invitation.
#[component]
pub fn ConsentSettings() -> impl IntoView {
    let save = ServerAction::<SaveConsentSettings>::new();
    let current = Resource::new(|| (), |_| get_consent_settings());
    view! {
        <section class="card" aria-labelledby="consent-settings-heading">
            <h2 id="consent-settings-heading">"Consents asked at activation"</h2>
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(policy) => Either::Left(view! { <ConsentForm policy save /> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ConsentForm(policy: ConsentPolicy, save: ServerAction<SaveConsentSettings>) -> impl IntoView {
    let draft = RwSignal::new(policy);
    let error = move |key: &'static str| {
        move || match save.value().get() {
            Some(Err(AppError::Invalid(errors))) => errors.get(key).cloned(),
            _ => None,
        }
    };
    view! {
        <form
            novalidate
            on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch(SaveConsentSettings {
                    policy: draft.get_untracked(),
                });
            }
        >
            <Field id="terms-url" label="Terms (web address)" error=Signal::derive(error("terms_url"))>
                <input
                    id="terms-url"
                    type="url"
                    placeholder="https://"
                    aria-describedby=described_by("terms-url", false)
                    prop:value=move || draft.with(|d| d.terms_url.clone().unwrap_or_default())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        draft.update(|d| d.terms_url = Some(v));
                    }
                />
                <label class="checkbox-line">
                    <input
                        type="checkbox"
                        prop:checked=move || draft.with(|d| d.terms_required)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| d.terms_required = on);
                        }
                    />
                    "Must be accepted"
                </label>
            </Field>
            <Field id="privacy-url" label="Privacy policy (web address)" error=Signal::derive(error("privacy_url"))>
                <input
                    id="privacy-url"
                    type="url"
                    placeholder="https://"
                    aria-describedby=described_by("privacy-url", false)
                    prop:value=move || draft.with(|d| d.privacy_url.clone().unwrap_or_default())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        draft.update(|d| d.privacy_url = Some(v));
                    }
                />
                <label class="checkbox-line">
                    <input
                        type="checkbox"
                        prop:checked=move || draft.with(|d| d.privacy_required)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| d.privacy_required = on);
                        }
                    />
                    "Must be accepted"
                </label>
            </Field>
            <p class="field-help">
                "Marketing information is always optional; people give or withdraw it in the portal."
            </p>
            {move || {
                matches!(save.value().get(), Some(Ok(_)))
                    .then(|| {
                        view! {
                            <p class="field-help" role="status">
                                "Saved."
                            </p>
                        }
                    })
            }}
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                "Save consents"
            </button>
        </form>
    }
}
