//! The list's toolbar: search, fixed and configured filters, and the active filters as
//! removable chips. Every change goes through the URL (`go`).

use crate::components::debounce::Debounce;
use crate::types::customers::query::CustomerQuery;
use crate::types::customers::CustomerStatus;
use crate::types::customers::ListFilters;
use leptos::prelude::*;

#[component]
pub(super) fn Toolbar(
    query: Memo<CustomerQuery>,
    go: Callback<(CustomerQuery, bool)>,
    filters: Resource<Result<ListFilters, crate::error::AppError>>,
) -> impl IntoView {
    let search = RwSignal::new(query.get_untracked().search);
    // Keep the box in step with the URL (back/forward, chips, clear all).
    Effect::new(move |_| search.set(query.get().search));
    let debounce = Debounce::new();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        search.set(text.clone());
        debounce.call(move || {
            let q = CustomerQuery { search: text.trim().to_string(), ..query.get_untracked().first_page() };
            go.run((q, true));
        });
    };
    let set_status = move |ev: leptos::ev::Event| {
        let status = CustomerStatus::from_key(&event_target_value(&ev));
        go.run((CustomerQuery { status, ..query.get_untracked().first_page() }, false));
    };
    let add_country = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        if code.is_empty() {
            return;
        }
        let mut q = query.get_untracked().first_page();
        if !q.countries.contains(&code) {
            q.countries.push(code);
            q.countries.sort();
        }
        go.run((q, false));
    };
    let set_date = move |to: bool| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let value = (!value.is_empty()).then_some(value);
            let mut q = query.get_untracked().first_page();
            if to {
                q.created_to = value
            } else {
                q.created_from = value
            }
            go.run((q, false));
        }
    };
    view! {
        <div class="toolbar" role="search">
            <input
                type="search"
                class="search"
                aria-label="Search customers"
                placeholder="Search name, contact, email, phone, city…"
                prop:value=search
                on:input=on_input
            />
            <label class="filter">
                "Status "
                <select
                    aria-label="Status"
                    on:change=set_status
                    prop:value=move || query.get().status.map(|s| s.key()).unwrap_or("")
                >
                    <option value="">"Any"</option>
                    <option value="active">"Active"</option>
                    <option value="disabled">"Disabled"</option>
                </select>
            </label>
            <label class="filter">
                "Country " <select aria-label="Add country" on:change=add_country prop:value="">
                    <option value="">"Add…"</option>
                    {move || {
                        let chosen = query.get().countries;
                        crate::countries::all_by_name()
                            .into_iter()
                            .filter(|(code, _)| !chosen.iter().any(|c| c == code))
                            .map(|(code, name)| view! { <option value=code>{name}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    filters.await.ok().map(|filters| view! { <ConfigFilters filters query go /> })
                })}
            </Transition>
            <label class="filter">
                "Created from "
                <input
                    type="date"
                    aria-label="Created from"
                    prop:value=move || query.get().created_from.unwrap_or_default()
                    on:change=set_date(false)
                />
            </label>
            <label class="filter">
                "to "
                <input
                    type="date"
                    aria-label="Created to"
                    prop:value=move || query.get().created_to.unwrap_or_default()
                    on:change=set_date(true)
                />
            </label>
        </div>
    }
}

/// Filters that follow the tenant's configuration: workflow, and each choice or yes/no field.
#[component]
fn ConfigFilters(
    filters: ListFilters,
    query: Memo<CustomerQuery>,
    go: Callback<(CustomerQuery, bool)>,
) -> impl IntoView {
    let set_workflow = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        go.run((
            CustomerQuery { workflow: (!value.is_empty()).then_some(value), ..query.get_untracked().first_page() },
            false,
        ));
    };
    let workflows = filters.workflows.clone();
    view! {
        {(!workflows.is_empty())
            .then(|| {
                view! {
                    <label class="filter">
                        "Workflow "
                        <select
                            aria-label="Workflow"
                            on:change=set_workflow
                            prop:value=move || query.get().workflow.unwrap_or_default()
                        >
                            <option value="">"Any"</option>
                            {workflows
                                .into_iter()
                                .map(|w| view! { <option value=w.clone()>{w.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                }
            })}
        {filters
            .fields
            .into_iter()
            .map(|field| {
                let key = field.key.clone();
                let current = {
                    let key = key.clone();
                    move || {
                        query.get().fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default()
                    }
                };
                let on_change = move |ev: leptos::ev::Event| {
                    let value = event_target_value(&ev);
                    let mut q = query.get_untracked().first_page();
                    q.fields.retain(|(k, _)| *k != key);
                    if !value.is_empty() {
                        q.fields.push((key.clone(), value));
                        q.fields.sort();
                    }
                    go.run((q, false));
                };
                view! {
                    <label class="filter">
                        {format!("{} ", field.label)}
                        <select aria-label=field.label.clone() on:change=on_change prop:value=current>
                            <option value="">"Any"</option>
                            {ListFilters::choices(&field)
                                .into_iter()
                                .map(|(v, l)| view! { <option value=v>{l}</option> })
                                .collect_view()}
                        </select>
                    </label>
                }
            })
            .collect_view()}
    }
}

/// "support_plan" → "Support plan": a chip's name for a custom field filter.
fn humanize(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The active filters as removable chips.
#[component]
pub(super) fn Chips(query: Memo<CustomerQuery>, go: Callback<(CustomerQuery, bool)>) -> impl IntoView {
    let chips = move || {
        let q = query.get();
        let base = q.first_page();
        let mut chips: Vec<(String, CustomerQuery)> = Vec::new();
        if !q.search.is_empty() {
            chips.push((format!("Search: {}", q.search), CustomerQuery { search: String::new(), ..base.clone() }));
        }
        if let Some(status) = q.status {
            chips.push((format!("Status: {}", status.label()), CustomerQuery { status: None, ..base.clone() }));
        }
        for country in &q.countries {
            let rest = q.countries.iter().filter(|c| *c != country).cloned().collect();
            let name = crate::countries::name(country).unwrap_or(country);
            chips.push((format!("Country: {name}"), CustomerQuery { countries: rest, ..base.clone() }));
        }
        if let Some(city) = &q.city {
            chips.push((format!("City: {city}"), CustomerQuery { city: None, ..base.clone() }));
        }
        if let Some(network) = q.network {
            chips.push((format!("Network #{network}"), CustomerQuery { network: None, ..base.clone() }));
        }
        if let Some(workflow) = &q.workflow {
            chips.push((format!("Workflow: {workflow}"), CustomerQuery { workflow: None, ..base.clone() }));
        }
        for (key, value) in &q.fields {
            let rest = q.fields.iter().filter(|(k, _)| k != key).cloned().collect();
            chips.push((format!("{}: {value}", humanize(key)), CustomerQuery { fields: rest, ..base.clone() }));
        }
        if let Some(from) = &q.created_from {
            chips.push((format!("Created from {from}"), CustomerQuery { created_from: None, ..base.clone() }));
        }
        if let Some(to) = &q.created_to {
            chips.push((format!("Created to {to}"), CustomerQuery { created_to: None, ..base.clone() }));
        }
        chips
    };
    view! {
        <Show when=move || query.get().has_filters()>
            <div class="chips" aria-label="Active filters">
                {move || {
                    chips()
                        .into_iter()
                        .map(|(label, without)| {
                            let remove = format!("Remove filter {label}");
                            view! {
                                <span class="chip">
                                    {label}
                                    <button
                                        type="button"
                                        class="chip-remove"
                                        aria-label=remove
                                        on:click=move |_| go.run((without.clone(), false))
                                    >
                                        "×"
                                    </button>
                                </span>
                            }
                        })
                        .collect_view()
                }}
                <button
                    type="button"
                    class="button button-small"
                    on:click=move |_| {
                        let q = query.get_untracked();
                        go.run((
                            CustomerQuery {
                                sort: q.sort,
                                descending: q.descending,
                                page_size: q.page_size,
                                ..Default::default()
                            },
                            false,
                        ))
                    }
                >
                    "Clear all"
                </button>
            </div>
        </Show>
    }
}
