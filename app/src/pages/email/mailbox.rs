//! `/settings/mailbox`: every email the instance sent or, without SMTP, kept instead of sending
//! (the development mailbox). Operators only: the emails hold live single-use links.

use crate::api::email::list_mailbox;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::format::format_datetime;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn MailboxPage() -> impl IntoView {
    let emails = Resource::new(|| (), |_| list_mailbox());
    let open = RwSignal::new(None::<i64>);
    view! {
        <div class="page-head">
            <h1>"Mailbox"</h1>
        </div>
        <div class="notice notice-warning" role="note">
            "Development mailbox. Without an SMTP server, emails stop here instead of being delivered, and the links in them are live credentials: every visit to this page is recorded in the audit log. With SMTP configured, sent links are removed from these copies."
        </div>
        <p class="muted">"The newest 100 emails."</p>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match emails.await {
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                    Ok(emails) if emails.is_empty() => {
                        Either::Left(view! { <p class="empty">"No emails yet."</p> }.into_any())
                    }
                    Ok(emails) => {
                        Either::Left(
                            view! {
                                <ul class="mailbox" aria-label="Emails">
                                    {emails
                                        .into_iter()
                                        .map(|e| {
                                            let id = e.id;
                                            view! {
                                                <li class="mail">
                                                    <button
                                                        type="button"
                                                        class="mail-head"
                                                        aria-expanded=move || (open.get() == Some(id)).to_string()
                                                        on:click=move |_| open.update(|o| toggle(o, id))
                                                    >
                                                        <span class="mail-subject">{e.subject.clone()}</span>
                                                        <span class="muted">
                                                            {format!(
                                                                "to {} · {} · {}",
                                                                e.to,
                                                                format_datetime(e.at),
                                                                e.transport,
                                                            )}
                                                        </span>
                                                        {e
                                                            .error
                                                            .clone()
                                                            .map(|err| {
                                                                view! {
                                                                    <span class="badge badge-disabled" title=err>
                                                                        "not delivered"
                                                                    </span>
                                                                }
                                                            })}
                                                    </button>
                                                    <Show when=move || open.get() == Some(id)>
                                                        <pre class="mail-body" aria-label="Plain text body">
                                                            {e.body_text.clone()}
                                                        </pre>
                                                    </Show>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any(),
                        )
                    }
                }
            })}
        </Transition>
    }
}

/// Opens mail `id`, or closes it when it is the open one.
fn toggle(open: &mut Option<i64>, id: i64) {
    *open = if *open == Some(id) { None } else { Some(id) };
}
