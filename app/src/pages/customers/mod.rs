//! `/customers`: the tenant's customers. Search, filters, sort and page all live in the URL
//! (see `types::customers::query`), so reloads, shared links and back/forward reproduce the view.

pub mod delete;
pub mod detail;
pub mod form;
pub mod network_picker;

use crate::api::customers::{
    count_customers, get_list_filters, list_customers, preview_customers_status, SetCustomersStatus,
};
use crate::components::debounce::Debounce;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::format::format_date;
use crate::pages::customers::form::FormTarget;
use crate::types::customers::query::{CustomerQuery, SortField};
use crate::types::customers::ListFilters;
use crate::types::customers::{CustomerCount, CustomerPage, CustomerStatus, Selection, PAGE_SIZES};
use crate::types::session::Permission;
use crate::{Auth, CustomerActions};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use std::collections::BTreeSet;

fn href(q: &CustomerQuery) -> String {
    let qs = q.to_query_string();
    if qs.is_empty() {
        "/customers".into()
    } else {
        format!("/customers?{qs}")
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let location = use_location();
    let query = Memo::new(move |_| CustomerQuery::from_query_string(&location.search.get()));
    let navigate = use_navigate();
    // Typing replaces the history entry; every other change adds one, so Back undoes it.
    let go = Callback::new(move |(q, replace): (CustomerQuery, bool)| {
        navigate(&href(&q), NavigateOptions { replace, scroll: false, ..Default::default() });
    });
    let actions = expect_context::<CustomerActions>();
    let customers = Resource::new(
        move || (query.get().to_query_string(), auth.switch_tenant.version().get(), actions.version()),
        |(qs, _, _)| list_customers(qs),
    );
    // The count is fetched apart from the rows, in the browser, so a slow count never holds up
    // a page (a Resource read under the list's Transition would make it wait). It is not
    // fetched again when only the sort or page changes.
    let count_key = Memo::new(move |_| {
        (query.get().filters_only().to_query_string(), auth.switch_tenant.version().get(), actions.version())
    });
    let count_state = RwSignal::new(None::<Result<CustomerCount, crate::AppError>>);
    Effect::new(move |_| {
        let key = count_key.get();
        count_state.set(None);
        leptos::task::spawn_local(async move {
            let result = count_customers(key.0.clone()).await;
            // A newer view may have started meanwhile; only its own answer may land. The page
            // may also be gone (the person navigated away): then the answer is dropped.
            if count_key.try_get_untracked() == Some(key) {
                count_state.try_set(Some(result));
            }
        });
    });
    let count = Signal::derive(move || count_state.get().and_then(Result::ok));
    let can_disable = auth.can(Permission::CustomersDisable);
    let can_invite = auth.can(Permission::CustomerUsersManage);
    // Rows can be ticked by anyone with something to do with a selection.
    let can_select = Signal::derive(move || can_disable.get() || can_invite.get());
    let row_perms =
        RowPermissions { edit: auth.can(Permission::CustomersEdit), delete: auth.can(Permission::CustomersDelete) };
    let can_create = auth.can(Permission::CustomersCreate);
    let filters =
        Resource::new(move || (auth.switch_tenant.version().get(), actions.changed.get()), |_| get_list_filters());
    let picked = Picked::new();
    // A different view is a different set of rows: start the selection over.
    Effect::new(move |_| {
        query.track();
        picked.clear();
    });

    view! {
        <div class="page-head">
            <h1>"Customers"</h1>
            <Show when=move || can_create.get()>
                <button type="button" class="button button-primary" on:click=move |_| actions.editor.set(Some(FormTarget::New))>
                    "New customer"
                </button>
            </Show>
        </div>
        <Toolbar query go filters/>
        <Chips query go/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match customers.await {
                    Ok(page) => Either::Left(view! {
                        <BulkBar picked query count page_size=page.page_size can_disable can_invite/>
                        <CustomerTable page query picked can_select row_perms count_state/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Transition>
        <ConfirmStatus picked/>
    }
}

/// Which row actions the user's role allows (hidden otherwise; the server checks again).
#[derive(Clone, Copy)]
struct RowPermissions {
    edit: Signal<bool>,
    delete: Signal<bool>,
}

/// The rows picked for a bulk change, and the change waiting for confirmation.
#[derive(Clone, Copy)]
struct Picked {
    ids: RwSignal<BTreeSet<i64>>,
    /// Every customer matching the current filter, not only the ticked rows.
    all_matching: RwSignal<bool>,
    /// The ids of the rows on screen, in order (for shift-click ranges and "select page").
    page_ids: StoredValue<Vec<i64>>,
    last_clicked: StoredValue<Option<usize>>,
    /// A change the user asked for, shown in the confirmation dialog.
    pending: RwSignal<Option<(Selection, CustomerStatus)>>,
    /// What the last confirmed change did, announced above the list.
    done: RwSignal<Option<String>>,
}

impl Picked {
    fn new() -> Self {
        Self {
            ids: RwSignal::new(BTreeSet::new()),
            all_matching: RwSignal::new(false),
            page_ids: StoredValue::new(Vec::new()),
            last_clicked: StoredValue::new(None),
            pending: RwSignal::new(None),
            done: RwSignal::new(None),
        }
    }
    fn clear(&self) {
        self.ids.set(BTreeSet::new());
        self.all_matching.set(false);
        self.last_clicked.set_value(None);
    }
    /// Ticks or unticks row `index`; with shift held, the whole range from the last click.
    fn click(&self, index: usize, checked: bool, shift: bool) {
        let ids = self.page_ids.get_value();
        let from = match (shift, self.last_clicked.get_value()) {
            (true, Some(last)) => last.min(index),
            _ => index,
        };
        let to = match (shift, self.last_clicked.get_value()) {
            (true, Some(last)) => last.max(index),
            _ => index,
        };
        self.ids.update(|set| {
            for id in &ids[from..=to.min(ids.len().saturating_sub(1))] {
                if checked {
                    set.insert(*id);
                } else {
                    set.remove(id);
                }
            }
        });
        self.all_matching.set(false);
        self.last_clicked.set_value(Some(index));
    }
    fn selection(&self, query: &CustomerQuery) -> Selection {
        if self.all_matching.get_untracked() {
            Selection::Matching(query.first_page().to_query_string())
        } else {
            Selection::Ids(self.ids.get_untracked().into_iter().collect())
        }
    }
}

/// "N selected" with the bulk actions, shown while anything is selected.
#[component]
fn BulkBar(
    picked: Picked,
    query: Memo<CustomerQuery>,
    count: Signal<Option<CustomerCount>>,
    page_size: u32,
    can_disable: Signal<bool>,
    can_invite: Signal<bool>,
) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let invite = Callback::new(move |id: i64| navigate(&format!("/customers/{id}/users?invite=1"), Default::default()));
    let single = move || {
        (!picked.all_matching.get())
            .then(|| picked.ids.with(|ids| (ids.len() == 1).then(|| *ids.iter().next().unwrap())))
            .flatten()
    };
    let total_text = move || count.get().map(|c| c.to_string()).unwrap_or_default();
    let more_than_page = move || match count.get() {
        Some(CustomerCount::Exact(n)) => n > page_size as u64,
        Some(CustomerCount::AtLeast(_)) => true,
        None => false,
    };
    let page_full = move || {
        let on_page = picked.page_ids.get_value();
        !on_page.is_empty() && picked.ids.with(|ids| on_page.iter().all(|id| ids.contains(id)))
    };
    let ask = move |status: CustomerStatus| {
        picked.done.set(None);
        picked.pending.set(Some((picked.selection(&query.get_untracked()), status)));
    };
    view! {
        <Show when=move || picked.done.get().is_some()>
            <div class="notice notice-success" role="status">{move || picked.done.get()}</div>
        </Show>
        <Show when=move || (can_disable.get() || can_invite.get()) && (picked.all_matching.get() || !picked.ids.with(BTreeSet::is_empty))>
            <div class="bulk-bar" role="region" aria-label="Selection">
                <strong data-testid="selected-count">
                    {move || if picked.all_matching.get() {
                        format!("All {} selected", total_text())
                    } else {
                        format!("{} selected", picked.ids.with(BTreeSet::len))
                    }}
                </strong>
                <Show when=move || more_than_page() && page_full() && !picked.all_matching.get()>
                    <button type="button" class="button button-small" on:click=move |_| picked.all_matching.set(true)>
                        {move || format!("Select all {} matching", total_text())}
                    </button>
                </Show>
                <Show when=move || can_disable.get()>
                    <button type="button" class="button button-small" on:click=move |_| ask(CustomerStatus::Active)>"Activate"</button>
                    <button type="button" class="button button-small button-danger" on:click=move |_| ask(CustomerStatus::Disabled)>"Disable"</button>
                </Show>
                <Show when=move || can_invite.get() && single().is_some()>
                    <button type="button" class="button button-small" on:click=move |_| {
                        if let Some(id) = single() { invite.run(id); }
                    }>"Invite customer"</button>
                </Show>
                <button type="button" class="button button-small button-link" on:click=move |_| picked.clear()>"Clear selection"</button>
            </div>
        </Show>
    }
}

/// Confirms a status change with its real effect (counted on the server) before applying it.
#[component]
fn ConfirmStatus(picked: Picked) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let set_status = actions.set_status;
    let preview = Resource::new(
        move || picked.pending.get(),
        |pending| async move {
            match pending {
                Some((selection, status)) => Some(preview_customers_status(selection, status).await),
                None => None,
            }
        },
    );
    // When the change lands: close, say what happened, drop the selection.
    Effect::new(move |_| {
        if let Some(result) = set_status.value().get() {
            match result {
                Ok(change) => {
                    let verb = match change.status {
                        CustomerStatus::Active => "Activated",
                        CustomerStatus::Disabled => "Disabled",
                    };
                    let noun = if change.changed == 1 { "customer" } else { "customers" };
                    picked.done.set(Some(format!("{verb} {} {noun}.", change.changed)));
                    picked.pending.set(None);
                    picked.clear();
                }
                Err(_) => {}
            }
        }
    });
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if picked.pending.get().is_some() {
            if let Some(button) = confirm_button.get() {
                let _ = button.focus();
            }
        }
    });
    let close = move || {
        picked.pending.set(None);
        set_status.clear();
    };
    view! {
        <Show when=move || picked.pending.get().is_some()>
            <div class="modal-backdrop">
                <div class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-status-title"
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                    <h2 id="confirm-status-title">
                        {move || match picked.pending.get().map(|(_, s)| s) {
                            Some(CustomerStatus::Disabled) => "Disable customers?",
                            _ => "Activate customers?",
                        }}
                    </h2>
                    <Transition fallback=|| view! { <p class="muted">"Counting…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Some(Ok(change)) => Either::Left(view! { <p data-testid="confirm-effect">{effect_text(&change)}</p> }),
                                Some(Err(error)) => Either::Right(Some(view! { <ErrorNotice error/> })),
                                None => Either::Right(None),
                            }
                        })}
                    </Transition>
                    {move || set_status.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error/> })}
                    <div class="modal-actions">
                        <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
                        <button type="button" class="button button-primary" node_ref=confirm_button
                            disabled=move || set_status.pending().get()
                            on:click=move |_| {
                                if let Some((selection, status)) = picked.pending.get_untracked() {
                                    set_status.dispatch(SetCustomersStatus { selection, status });
                                }
                            }>
                            {move || match picked.pending.get().map(|(_, s)| s) {
                                Some(CustomerStatus::Disabled) => "Disable",
                                _ => "Activate",
                            }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

fn effect_text(change: &crate::types::customers::StatusChange) -> String {
    let plural = |n: u64| if n == 1 { "customer" } else { "customers" };
    let already = if change.unchanged > 0 {
        format!(" {} already {}.", change.unchanged, change.status.label().to_lowercase())
    } else {
        String::new()
    };
    match change.status {
        CustomerStatus::Disabled => format!(
            "{} {} will be disabled: their users are signed out and cannot sign in until the account is activated again. Nothing is deleted.{already}",
            change.changed,
            plural(change.changed)
        ),
        CustomerStatus::Active => format!(
            "{} {} will be activated: their users can sign in again.{already}",
            change.changed,
            plural(change.changed)
        ),
    }
}

#[component]
fn Toolbar(
    query: Memo<CustomerQuery>,
    go: Callback<(CustomerQuery, bool)>,
    filters: Resource<Result<ListFilters, crate::AppError>>,
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
                <select aria-label="Status" on:change=set_status prop:value=move || query.get().status.map(|s| s.key()).unwrap_or("")>
                    <option value="">"Any"</option>
                    <option value="active">"Active"</option>
                    <option value="disabled">"Disabled"</option>
                </select>
            </label>
            <label class="filter">
                "Country "
                <select aria-label="Add country" on:change=add_country prop:value="">
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
                    filters.await.ok().map(|filters| view! { <ConfigFilters filters query go/> })
                })}
            </Transition>
            <label class="filter">
                "Created from "
                <input type="date" aria-label="Created from" prop:value=move || query.get().created_from.unwrap_or_default() on:change=set_date(false)/>
            </label>
            <label class="filter">
                "to "
                <input type="date" aria-label="Created to" prop:value=move || query.get().created_to.unwrap_or_default() on:change=set_date(true)/>
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
        {(!workflows.is_empty()).then(|| view! {
            <label class="filter">
                "Workflow "
                <select aria-label="Workflow" on:change=set_workflow prop:value=move || query.get().workflow.unwrap_or_default()>
                    <option value="">"Any"</option>
                    {workflows.into_iter().map(|w| view! { <option value=w.clone()>{w.clone()}</option> }).collect_view()}
                </select>
            </label>
        })}
        {filters.fields.into_iter().map(|field| {
            let key = field.key.clone();
            let current = {
                let key = key.clone();
                move || query.get().fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default()
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
                        {ListFilters::choices(&field).into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                    </select>
                </label>
            }
        }).collect_view()}
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
fn Chips(query: Memo<CustomerQuery>, go: Callback<(CustomerQuery, bool)>) -> impl IntoView {
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
                {move || chips().into_iter().map(|(label, without)| {
                    let remove = format!("Remove filter {label}");
                    view! {
                        <span class="chip">
                            {label}
                            <button type="button" class="chip-remove" aria-label=remove on:click=move |_| go.run((without.clone(), false))>"×"</button>
                        </span>
                    }
                }).collect_view()}
                <button type="button" class="button button-small" on:click=move |_| {
                    let q = query.get_untracked();
                    go.run((CustomerQuery { sort: q.sort, descending: q.descending, page_size: q.page_size, ..Default::default() }, false))
                }>"Clear all"</button>
            </div>
        </Show>
    }
}

#[component]
fn SortHeader(label: &'static str, field: SortField, query: Memo<CustomerQuery>) -> impl IntoView {
    let q = query.get_untracked();
    let active = q.sort == field;
    let next = CustomerQuery { sort: field, descending: active && !q.descending, ..q.first_page() };
    let aria_sort = if !active {
        "none"
    } else if q.descending {
        "descending"
    } else {
        "ascending"
    };
    let arrow = if !active {
        ""
    } else if q.descending {
        " ▼"
    } else {
        " ▲"
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <A href=href(&next)>{label}{arrow}</A>
        </th>
    }
}

#[component]
fn CustomerTable(
    page: CustomerPage,
    query: Memo<CustomerQuery>,
    picked: Picked,
    can_select: Signal<bool>,
    row_perms: RowPermissions,
    count_state: RwSignal<Option<Result<CustomerCount, crate::AppError>>>,
) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let q = query.get_untracked();
    picked.page_ids.set_value(page.rows.iter().map(|r| r.id).collect());
    let page_ticked = move || {
        let on_page = picked.page_ids.get_value();
        !on_page.is_empty() && picked.ids.with(|ids| on_page.iter().all(|id| ids.contains(id)))
    };
    let first = q.first_page();
    let with = move |f: &dyn Fn(&mut CustomerQuery)| {
        let mut next = first.clone();
        f(&mut next);
        href(&next)
    };
    let prev = page.prev.clone().map(|c| href(&CustomerQuery { cursor: Some(c), ..q.clone() }));
    let next = page.next.clone().map(|c| href(&CustomerQuery { cursor: Some(c), ..q.clone() }));
    let empty = page.rows.is_empty();
    let filtered = q.has_filters();
    let size = page.page_size;
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr>
                        <Show when=move || can_select.get()>
                            <th scope="col" class="check">
                                <input type="checkbox" aria-label="Select all on this page"
                                    prop:checked=page_ticked
                                    on:change=move |ev| {
                                        let checked = event_target_checked(&ev);
                                        let len = picked.page_ids.with_value(Vec::len);
                                        if len > 0 {
                                            picked.last_clicked.set_value(Some(0));
                                            picked.click(len - 1, checked, true);
                                        }
                                    }/>
                            </th>
                        </Show>
                        <SortHeader label="Name" field=SortField::Name query/>
                        <SortHeader label="Status" field=SortField::Status query/>
                        <th scope="col">"Contact"</th>
                        <th scope="col">"Email"</th>
                        <SortHeader label="City" field=SortField::City query/>
                        <SortHeader label="Country" field=SortField::Country query/>
                        <th scope="col">"Network"</th>
                        <SortHeader label="Created" field=SortField::Created query/>
                        <th scope="col" class="row-actions"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().enumerate().map(|(index, c)| {
                        let id = c.id;
                        let select_label = format!("Select {}", c.name);
                        let view_label = format!("View {}", c.name);
                        let edit_label = format!("Edit {}", c.name);
                        let delete_label = format!("Delete {}", c.name);
                        let (action, target, action_label) = match c.status {
                            CustomerStatus::Active => ("Disable", CustomerStatus::Disabled, format!("Disable {}", c.name)),
                            CustomerStatus::Disabled => ("Activate", CustomerStatus::Active, format!("Activate {}", c.name)),
                        };
                        let badge = match c.status {
                            CustomerStatus::Active => "badge badge-active",
                            CustomerStatus::Disabled => "badge badge-disabled",
                        };
                        let email = c.contact_email.clone().unwrap_or_default();
                        let email_title = email.clone();
                        let city_link = c.city.clone().filter(|s| !s.is_empty()).map(|city| {
                            let link = with(&|q: &mut CustomerQuery| q.city = Some(city.clone()));
                            view! { <A href=link attr:class="cell-filter" attr:title="Show only this city">{city.clone()}</A> }
                        });
                        let country_link = c.country.clone().filter(|s| !s.is_empty()).map(|country| {
                            let link = with(&|q: &mut CustomerQuery| if !q.countries.contains(&country) { q.countries.push(country.clone()); q.countries.sort(); });
                            view! { <A href=link attr:class="cell-filter" attr:title="Show only this country">{country.clone()}</A> }
                        });
                        let network_link = c.network.clone().zip(c.network_id).map(|(name, id)| {
                            let link = with(&|q: &mut CustomerQuery| q.network = Some(id));
                            view! { <A href=link attr:class="cell-filter" attr:title="Show this network's sub-accounts">{name}</A> }
                        });
                        view! {
                            <tr>
                                <Show when=move || can_select.get()>
                                    <td class="check">
                                        <input type="checkbox" aria-label=select_label.clone()
                                            prop:checked=move || picked.ids.with(|ids| ids.contains(&id))
                                            on:click=move |ev| {
                                                picked.click(index, event_target_checked(&ev), ev.shift_key());
                                            }/>
                                    </td>
                                </Show>
                                <td class="name"><A href=format!("/customers/{id}")>{c.name.clone()}</A></td>
                                <td><span class=badge>{c.status.label()}</span></td>
                                <td>{c.contact_name}</td>
                                <td class="email" title=email_title>{email}</td>
                                <td>{city_link}</td>
                                <td>{country_link}</td>
                                <td class="network-cell">{network_link}</td>
                                <td>{format_date(c.created_at)}</td>
                                <td class="row-actions">
                                    <A href=format!("/customers/{id}") attr:class="button button-small" attr:aria-label=view_label>"View"</A>
                                    <Show when=move || row_perms.edit.get()>
                                        <button type="button" class="button button-small" aria-label=edit_label.clone()
                                            on:click=move |_| actions.editor.set(Some(FormTarget::Edit(id)))>"Edit"</button>
                                    </Show>
                                    <Show when=move || can_select.get()>
                                        <button type="button" class="button button-small" aria-label=action_label.clone()
                                            on:click=move |_| {
                                                picked.done.set(None);
                                                picked.pending.set(Some((Selection::Ids(vec![id]), target)));
                                            }>
                                            {action}
                                        </button>
                                    </Show>
                                    <Show when=move || row_perms.delete.get()>
                                        <button type="button" class="button button-small button-danger-quiet" aria-label=delete_label.clone()
                                            on:click=move |_| actions.deleting.set(Some(id))>"Delete"</button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! {
                <p class="empty">{if filtered { "No customers match these filters." } else { "No customers yet." }}</p>
            })}
        </div>
        <nav class="pager" aria-label="Pages">
            <span class="muted" data-testid="customer-count" aria-live="polite">
                {move || match count_state.get() {
                    None => "Counting…".to_string(),
                    Some(Ok(count)) => count.to_string(),
                    Some(Err(_)) => "Count unavailable".to_string(),
                }}
            </span>
            <span class="pager-links">
                {match prev {
                    Some(link) => Either::Left(view! { <A href=link>"Previous"</A> }),
                    None => Either::Right(view! { <span class="disabled" aria-disabled="true">"Previous"</span> }),
                }}
                {match next {
                    Some(link) => Either::Left(view! { <A href=link>"Next"</A> }),
                    None => Either::Right(view! { <span class="disabled" aria-disabled="true">"Next"</span> }),
                }}
            </span>
            <span class="page-sizes">
                "Per page: "
                {PAGE_SIZES.into_iter().map(|s| {
                    if s == size {
                        Either::Left(view! { <strong aria-current="true">{s}</strong> })
                    } else {
                        Either::Right(view! { <A href=href(&CustomerQuery { page_size: s, ..query.get_untracked().first_page() })>{s}</A> })
                    }
                }).collect_view()}
            </span>
        </nav>
    }
}
