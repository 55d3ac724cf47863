//! `/settings/emails` (`tenant.configure`): how long activation links live and the partner's
//! own wording of the invitation and password-reset emails.

use crate::api::email::{get_email_settings, SetEmailTemplate, SetLinkLifetime};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::error::AppError;
use crate::pages::consents::ConsentSettings;
use crate::types::email::{EmailKind, EmailSettings, EmailTemplate, LINK_HOURS_MAX, TEMPLATE_VARIABLES};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn EmailSettingsPage() -> impl IntoView {
    let auth = expect_context::<crate::context::Auth>();
    let lifetime = ServerAction::<SetLinkLifetime>::new();
    let settings = Resource::new(move || auth.switch_tenant.version().get(), |_| get_email_settings());
    view! {
        <div class="page-head">
            <h1>"Email settings"</h1>
        </div>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => Either::Left(view! { <Settings settings=s lifetime /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
    }
}

fn field_error(result: Option<Result<EmailSettings, AppError>>, key: &str) -> Option<String> {
    match result {
        Some(Err(AppError::Invalid(errors))) => errors.get(key).cloned(),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    }
}

#[component]
fn Settings(settings: EmailSettings, lifetime: ServerAction<SetLinkLifetime>) -> impl IntoView {
    let hours = RwSignal::new(settings.link_hours.to_string());
    let variables = TEMPLATE_VARIABLES.iter().map(|v| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(" ");
    view! {
        <section class="card" aria-labelledby="lifetime-heading">
            <h2 id="lifetime-heading">"Activation links"</h2>
            <form
                class="inline-form"
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    match hours.get_untracked().trim().parse::<i64>() {
                        Ok(h) => {
                            lifetime.dispatch(SetLinkLifetime { hours: h });
                        }
                        Err(_) => {
                            lifetime
                                .value()
                                .set(Some(Err(AppError::invalid("link_hours", "Enter a whole number of hours."))));
                        }
                    }
                }
            >
                <Field
                    id="link-hours"
                    label="Links expire after (hours)"
                    error=Signal::derive(move || field_error(lifetime.value().get(), "link_hours"))
                >
                    <input
                        id="link-hours"
                        aria-describedby=described_by("link-hours", false)
                        type="number"
                        min="1"
                        max=LINK_HOURS_MAX.to_string()
                        inputmode="numeric"
                        prop:value=move || hours.get()
                        on:input=move |ev| hours.set(event_target_value(&ev))
                    />
                    {move || {
                        matches!(lifetime.value().get(), Some(Ok(_)))
                            .then(|| {
                                view! {
                                    <p class="field-help" role="status">
                                        "Saved."
                                    </p>
                                }
                            })
                    }}
                </Field>
                <button type="submit" class="button" disabled=lifetime.pending()>
                    "Save"
                </button>
            </form>
            <p class="field-help">
                "Applies to invitations sent from now on. Password reset links always expire after 30 minutes."
            </p>
        </section>
        <p class="muted">
            "Variables: "<code>{variables}</code>". Put "<code>"{{link}}"</code>
            " on a line of its own: Clientele places the link there itself (a button in the HTML version, which it lays out from your text). Password resets for partner staff and operators always use the built-in wording."
        </p>
        <ConsentSettings />
        {settings
            .templates
            .into_iter()
            .map(|(kind, t, is_default)| view! { <TemplateEditor kind current=t is_default /> })
            .collect_view()}
    }
}

#[component]
fn TemplateEditor(kind: EmailKind, current: EmailTemplate, is_default: bool) -> impl IntoView {
    let action = ServerAction::<SetEmailTemplate>::new();
    let draft = RwSignal::new(current);
    let key = kind.key();
    let error = move |field: &'static str| move || field_error(action.value().get(), field);
    // After a save (or a restore), show what is now in use.
    let is_default = RwSignal::new(is_default);
    Effect::new(move |_| {
        if let Some(Ok(settings)) = action.value().get() {
            if let Some((_, t, default)) = settings.templates.into_iter().find(|(k, ..)| *k == kind) {
                draft.set(t);
                is_default.set(default);
            }
        }
    });
    view! {
        <section class="card template" aria-labelledby=format!("tpl-{key}")>
            <h2 id=format!(
                "tpl-{key}",
            )>{kind.label()}" email"{move || is_default.get().then_some(" (default wording)")}</h2>
            <form
                novalidate
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    action
                        .dispatch(SetEmailTemplate {
                            kind,
                            template: Some(draft.get_untracked()),
                        });
                }
            >
                <Field id=format!("{key}-subject") label="Subject" error=Signal::derive(error("subject"))>
                    <input
                        id=format!("{key}-subject")
                        aria-describedby=described_by(&format!("{key}-subject"), false)
                        type="text"
                        prop:value=move || draft.with(|d| d.subject.clone())
                        on:input=move |ev| draft.update(|d| d.subject = event_target_value(&ev))
                    />
                </Field>
                <Field id=format!("{key}-text") label="Message" error=Signal::derive(error("body_text"))>
                    <textarea
                        id=format!("{key}-text")
                        aria-describedby=described_by(&format!("{key}-text"), false)
                        rows="7"
                        prop:value=move || draft.with(|d| d.body_text.clone())
                        on:input=move |ev| draft.update(|d| d.body_text = event_target_value(&ev))
                    ></textarea>
                </Field>
                <div class="modal-actions">
                    {move || {
                        matches!(action.value().get(), Some(Ok(_)))
                            .then(|| {
                                view! {
                                    <span class="field-help" role="status">
                                        "Saved."
                                    </span>
                                }
                            })
                    }} <Show when=move || !is_default.get()>
                        <button
                            type="button"
                            class="button"
                            on:click=move |_| {
                                action
                                    .dispatch(SetEmailTemplate {
                                        kind,
                                        template: None,
                                    });
                            }
                        >
                            "Restore default"
                        </button>
                    </Show> <button type="submit" class="button button-primary" disabled=action.pending()>
                        {format!("Save {} email", kind.label().to_lowercase())}
                    </button>
                </div>
            </form>
        </section>
    }
}
