//! `/settings/audit` (Settings → Audit log, `audit.view`; operators see every partner and the
//! entries with no partner): newest first, filters kept in the URL, each entry opening to its
//! before/after, older entries page by page, and the filtered log as CSV. [`AuditTrail`] is the
//! same view fixed to one filter, as on a customer's detail page.

use crate::api::audit::{list_audit, ListAudit};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::context::Auth;
use crate::error::AppError;
use crate::format::format_datetime;
use crate::types::audit::{action_label, AuditEntryView, AuditFilter, KNOWN_ACTIONS};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let pairs: Vec<(String, String)> =
                crate::types::audit::FILTER_KEYS.iter().filter_map(|k| q.get(k).map(|v| (k.to_string(), v))).collect();
            AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        })
    });
    // Only operators read more than one partner's entries. (The shell has the session before
    // any page renders, on the server and in the browser alike.)
    let auth = expect_context::<Auth>();
    let operator = auth.session.get_untracked().and_then(Result::ok).flatten().is_some_and(|s| s.is_operator);
    view! {
        <div class="page-head">
            <h1>"Audit log"</h1>
        </div>
        <p class="muted">"Every change and every sensitive read, newest first. Times are UTC."</p>
        <FilterForm filter />
        <AuditTrail filter=Signal::from(filter) show_partner=operator />
    }
}

/// The filter form: its values come from the URL, and applying it writes them back there.
#[component]
fn FilterForm(filter: Memo<AuditFilter>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let navigate = use_navigate();
    let draft = RwSignal::new(filter.get_untracked());
    Effect::new(move |_| draft.set(filter.get()));
    let is_operator =
        Signal::derive(move || auth.session.get().and_then(Result::ok).flatten().is_some_and(|s| s.is_operator));
    let partners = Signal::derive(move || {
        auth.session.get().and_then(Result::ok).flatten().map(|s| s.tenants).unwrap_or_default()
    });
    let errors = Memo::new(move |_| draft.with(AuditFilter::validate));
    let tried = RwSignal::new(false);
    let error_for =
        move |key: &'static str| move || tried.get().then(|| errors.with(|e| e.get(key).cloned())).flatten();
    let apply = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            tried.set(true);
            if errors.with(|e| !e.is_empty()) {
                return;
            }
            let query = form_query(&draft.get_untracked());
            navigate(&format!("/settings/audit{query}"), Default::default());
        }
    };
    let clear = move |_| {
        tried.set(false);
        navigate("/settings/audit", Default::default());
    };
    let text = move |id: &'static str,
                     label: &'static str,
                     key: &'static str,
                     placeholder: &'static str,
                     get: fn(&AuditFilter) -> String,
                     set: fn(&mut AuditFilter, String),
                     kind: &'static str| {
        view! {
            <Field id=id label=label error=Signal::derive(error_for(key))>
                <input
                    id=id
                    aria-describedby=described_by(id, false)
                    type=kind
                    placeholder=placeholder
                    list=if key == "action" { Some("audit-actions") } else { None }
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                />
            </Field>
        }
    };
    view! {
        <form class="card audit-filters" role="search" aria-label="Filter the audit log" novalidate on:submit=apply>
            <div class="filter-grid">
                {text(
                    "audit-actor",
                    "Actor (email)",
                    "actor",
                    "name@example.com",
                    |f| f.actor.clone(),
                    |f, v| f.actor = v,
                    "email",
                )}
                {text(
                    "audit-acting",
                    "Acting as",
                    "acting_as",
                    "customer name",
                    |f| f.acting_as.clone(),
                    |f, v| f.acting_as = v,
                    "text",
                )}
                {text(
                    "audit-action",
                    "Action",
                    "action",
                    "customer.update or customer.",
                    |f| f.action.clone(),
                    |f, v| f.action = v,
                    "text",
                )}
                {text(
                    "audit-target",
                    "About",
                    "target",
                    "customer:12",
                    |f| f.target.clone(),
                    |f, v| f.target = v,
                    "text",
                )}
                {move || {
                    is_operator
                        .get()
                        .then(|| {
                            view! {
                                <Field id="audit-partner" label="Partner">
                                    <select
                                        id="audit-partner"
                                        aria-describedby=described_by("audit-partner", false)
                                        on:change=move |ev| {
                                            let value = event_target_value(&ev);
                                            draft.update(|d| d.partner = value.parse().ok());
                                        }
                                    >
                                        <option value="" selected=move || draft.with(|d| d.partner.is_none())>
                                            "Every partner"
                                        </option>
                                        <option value="0" selected=move || draft.with(|d| d.partner == Some(0))>
                                            "No partner (instance)"
                                        </option>
                                        {partners
                                            .get()
                                            .into_iter()
                                            .map(|t| {
                                                let id = t.id;
                                                view! {
                                                    <option
                                                        value=id.to_string()
                                                        selected=move || draft.with(|d| d.partner == Some(id))
                                                    >
                                                        {t.name}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </Field>
                            }
                        })
                }} {text("audit-from", "From", "from", "YYYY-MM-DD", |f| f.from.clone(), |f, v| f.from = v, "date")}
                {text("audit-to", "To", "to", "YYYY-MM-DD", |f| f.to.clone(), |f, v| f.to = v, "date")}
            </div>
            <datalist id="audit-actions">
                {KNOWN_ACTIONS.iter().map(|a| view! { <option value=*a></option> }).collect_view()}
            </datalist>
            <div class="filter-actions">
                <button type="submit" class="button button-primary">
                    "Apply filters"
                </button>
                <button type="button" class="button" on:click=clear>
                    "Clear"
                </button>
                <a class="button" href=move || format!("/audit/export.csv{}", form_query(&filter.get())) download="">
                    "Export CSV"
                </a>
            </div>
        </form>
    }
}

/// `?actor=…&…`, or nothing for an empty filter.
fn form_query(filter: &AuditFilter) -> String {
    let pairs = filter.pairs();
    if pairs.is_empty() {
        return String::new();
    }
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode_query_value(v))).collect();
    format!("?{}", encoded.join("&"))
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The entries matching `filter`, newest first, with "Older entries" below.
#[component]
pub fn AuditTrail(filter: Signal<AuditFilter>, #[prop(optional)] show_partner: bool) -> impl IntoView {
    let first = Resource::new(move || filter.get(), |filter| list_audit(filter, None));
    let older = ServerAction::<ListAudit>::new();
    // Pages loaded after the first, and where the next one starts (None: use the first page's).
    let more = RwSignal::new(Vec::<AuditEntryView>::new());
    let next = RwSignal::new(None::<Option<i64>>);
    Effect::new(move |_| {
        filter.track();
        more.set(Vec::new());
        next.set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = older.value().get() {
            more.update(|m| m.extend(page.entries));
            next.set(Some(page.next_before));
        }
    });
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) if page.entries.is_empty() => {
                        Either::Left(Either::Left(view! { <p class="muted empty-note">"No entries match."</p> }))
                    }
                    Ok(page) => {
                        let first_next = page.next_before;
                        let cursor = move || next.get().unwrap_or(first_next);
                        Either::Left(
                            Either::Right(
                                view! {
                                    <div class="table-scroll">
                                        <table class="data-table audit-table">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"When (UTC)"</th>
                                                    <th scope="col">"Who"</th>
                                                    {show_partner.then(|| view! { <th scope="col">"Partner"</th> })}
                                                    <th scope="col">"What"</th>
                                                    <th scope="col">"About"</th>
                                                    <th scope="col">"Changes"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .entries
                                                    .into_iter()
                                                    .map(|entry| view! { <EntryRow entry show_partner /> })
                                                    .collect_view()}
                                                <For each=move || more.get() key=|e| e.id let:entry>
                                                    <EntryRow entry show_partner />
                                                </For>
                                            </tbody>
                                        </table>
                                    </div>
                                    {move || {
                                        older
                                            .value()
                                            .get()
                                            .and_then(Result::err)
                                            .map(|error| view! { <ErrorNotice error /> })
                                    }}
                                    {move || {
                                        cursor()
                                            .map(|before| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="button load-more"
                                                        disabled=older.pending()
                                                        on:click=move |_| {
                                                            older
                                                                .dispatch(ListAudit {
                                                                    filter: filter.get_untracked(),
                                                                    before: Some(before),
                                                                });
                                                        }
                                                    >
                                                        "Older entries"
                                                    </button>
                                                }
                                            })
                                    }}
                                },
                            ),
                        )
                    }
                    Err(error) => Either::Right(filter_error(error)),
                }
            })}
        </Transition>
    }
}

fn filter_error(error: AppError) -> impl IntoView {
    match error {
        AppError::Invalid(errors) => {
            let text =
                errors.into_iter().map(|(field, problem)| format!("{field}: {problem}")).collect::<Vec<_>>().join(" ");
            view! {
                <div class="notice notice-error" role="alert">
                    {text}
                </div>
            }
            .into_any()
        }
        error => view! { <ErrorNotice error /> }.into_any(),
    }
}

#[component]
fn EntryRow(entry: AuditEntryView, show_partner: bool) -> impl IntoView {
    let about = match (&entry.target_label, &entry.target_type, entry.target_id) {
        (Some(label), Some(kind), Some(id)) if !label.is_empty() => format!("{label} ({kind} #{id})"),
        (Some(label), _, _) if !label.is_empty() => label.clone(),
        (_, Some(kind), Some(id)) => format!("{kind} #{id}"),
        _ => "—".into(),
    };
    let changes = entry.changes.clone();
    let count = changes.len();
    view! {
        <tr data-testid="audit-entry">
            <td>
                <time>{format_datetime(entry.at)}</time>
            </td>
            <td class="wrap">
                {entry.actor.clone()}
                {entry.acting_as.clone().map(|a| view! { <div class="muted small">{format!("acting as {a}")}</div> })}
                {entry.client_addr.clone().map(|a| view! { <div class="muted small">{a}</div> })}
            </td>
            {show_partner.then(|| view! { <td>{entry.partner.clone().unwrap_or_else(|| "—".into())}</td> })}
            <td>
                {action_label(&entry.action).to_string()}<div class="muted small">
                    <code>{entry.action.clone()}</code>
                </div>
            </td>
            <td class="wrap">{about}</td>
            <td class="wrap changes-cell">
                {(count > 0)
                    .then(|| {
                        view! {
                            <details>
                                <summary>
                                    {if count == 1 { "1 change".to_string() } else { format!("{count} changes") }}
                                </summary>
                                <table class="diff">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Field"</th>
                                            <th scope="col">"Before"</th>
                                            <th scope="col">"After"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {changes
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <tr>
                                                        <th scope="row">
                                                            <code>{c.field}</code>
                                                        </th>
                                                        <td class="before">{c.before}</td>
                                                        <td class="after">{c.after}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </details>
                        }
                    })}
            </td>
        </tr>
    }
}
