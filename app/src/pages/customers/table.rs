//! The customer table: sortable headers, selectable rows and the hover actions a role allows.

use super::{bulk::Picked, href};
use crate::context::CustomerActions;
use crate::context::FormTarget;
use crate::format::format_date;
use crate::pages::customers::impersonation::LogInAsButton;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::customers::query::{CustomerQuery, SortField};
use crate::types::customers::{CustomerCount, CustomerPage, CustomerRow, CustomerStatus, Selection, PAGE_SIZES};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;

/// Which row actions the user's role allows (hidden otherwise; the server checks again).
#[derive(Clone, Copy)]
pub(super) struct RowPermissions {
    pub(super) edit: Signal<bool>,
    pub(super) disable: Signal<bool>,
    pub(super) export: Signal<bool>,
    pub(super) delete: Signal<bool>,
}

/// The rows whose actions are in the page: the one the pointer was last over and the one focus
/// was last in; CSS shows them while their row is hovered or focused, as it did when every row
/// carried them. Seven actions in each of 50 rows were 44 KB of the list's 158 KB of HTML.
/// Focus, not the pointer, keeps a row's actions while a dialog it opened is open, so the
/// dialog can give focus back to the action.
#[derive(Clone, Copy)]
pub(super) struct ActionRows {
    pointer: RwSignal<Option<i64>>,
    focus: RwSignal<Option<i64>>,
}

impl ActionRows {
    fn new() -> Self {
        ActionRows { pointer: RwSignal::new(None), focus: RwSignal::new(None) }
    }

    fn point_at(self, id: i64) {
        if self.pointer.get_untracked() != Some(id) {
            self.pointer.set(Some(id));
        }
    }

    fn focus_on(self, id: i64) {
        if self.focus.get_untracked() != Some(id) {
            self.focus.set(Some(id));
        }
    }
}

/// Header cells of the columns narrow screens leave out unless the person asks for all of them.
/// A row's cells are not marked one by one (six classes in each of 50 rows): the style sheet
/// keeps a row's `check`, `name`, `status` and `row-actions` cells and leaves out the others.
const OPTIONAL: &str = "col-optional";

#[component]
fn SortHeader(
    label: &'static str,
    field: SortField,
    query: Memo<CustomerQuery>,
    /// Left out on narrow screens unless every column is asked for.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
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
    // Plain links here, in the pager and in the cells: the router follows them in the page all
    // the same, and its `A` would mark each `aria-current="page"` (the list's own path).
    view! {
        <th scope="col" aria-sort=aria_sort class=optional.then_some(OPTIONAL)>
            <a href=href(&next)>{label}{arrow}</a>
        </th>
    }
}

#[component]
pub(super) fn CustomerTable(
    page: CustomerPage,
    query: Memo<CustomerQuery>,
    picked: Picked,
    can_select: Signal<bool>,
    row_perms: RowPermissions,
    count_state: RwSignal<Option<Result<CustomerCount, crate::error::AppError>>>,
) -> impl IntoView {
    let q = query.get_untracked();
    picked.page_ids.set_value(page.rows.iter().map(|r| r.id).collect());
    picked.page_rows.set_value(
        page.rows.iter().map(|r| (r.id, NetworkChoice { id: r.id, name: r.name.clone() }, r.is_network)).collect(),
    );
    let page_ticked = move || {
        let on_page = picked.page_ids.get_value();
        !on_page.is_empty() && picked.ids.with(|ids| on_page.iter().all(|id| ids.contains(id)))
    };
    let first = q.first_page();
    let prev = page.prev.clone().map(|c| href(&CustomerQuery { cursor: Some(c), ..q.clone() }));
    let next = page.next.clone().map(|c| href(&CustomerQuery { cursor: Some(c), ..q.clone() }));
    let empty = page.rows.is_empty();
    let filtered = q.has_filters();
    let size = page.page_size;
    // Narrow screens show the key columns (name, status, actions); this brings back the rest.
    let all_columns = RwSignal::new(false);
    let action_rows = ActionRows::new();
    view! {
        <div class="table-options">
            <button
                type="button"
                class="button button-small columns-toggle"
                aria-pressed=move || all_columns.get().to_string()
                on:click=move |_| all_columns.update(|all| *all = !*all)
            >
                "All columns"
            </button>
        </div>
        <div class=move || if all_columns.get() { "table-wrap all-columns" } else { "table-wrap" }>
            <table class="data-table">
                <thead>
                    <tr>
                        <Show when=move || can_select.get()>
                            <th scope="col" class="check">
                                <input
                                    type="checkbox"
                                    aria-label="Select all on this page"
                                    prop:checked=page_ticked
                                    on:change=move |ev| {
                                        let checked = event_target_checked(&ev);
                                        let len = picked.page_ids.with_value(Vec::len);
                                        if len > 0 {
                                            picked.last_clicked.set_value(Some(0));
                                            picked.click(len - 1, checked, true);
                                        }
                                    }
                                />
                            </th>
                        </Show>
                        <SortHeader label="Name" field=SortField::Name query />
                        <SortHeader label="Status" field=SortField::Status query />
                        <th scope="col" class=OPTIONAL>
                            "Contact"
                        </th>
                        <th scope="col" class=OPTIONAL>
                            "Email"
                        </th>
                        <SortHeader label="City" field=SortField::City query optional=true />
                        <SortHeader label="Country" field=SortField::Country query optional=true />
                        <th scope="col" class=OPTIONAL>
                            "Network"
                        </th>
                        <SortHeader label="Created" field=SortField::Created query optional=true />
                        <th scope="col" class="row-actions">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody class="customer-rows">
                    {page
                        .rows
                        .into_iter()
                        .enumerate()
                        .map(|(index, c)| {
                            view! {
                                <CustomerTableRow c index first=first.clone() picked can_select row_perms action_rows />
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {empty
                .then(|| {
                    view! {
                        <p class="empty">
                            {if filtered { "No customers match these filters." } else { "No customers yet." }}
                        </p>
                    }
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
                    Some(link) => Either::Left(view! { <a href=link>"Previous"</a> }),
                    None => {
                        Either::Right(
                            view! {
                                <span class="disabled" aria-disabled="true">
                                    "Previous"
                                </span>
                            },
                        )
                    }
                }}
                {match next {
                    Some(link) => Either::Left(view! { <a href=link>"Next"</a> }),
                    None => {
                        Either::Right(
                            view! {
                                <span class="disabled" aria-disabled="true">
                                    "Next"
                                </span>
                            },
                        )
                    }
                }}
            </span>
            <span class="page-sizes">
                "Per page: "
                {PAGE_SIZES
                    .into_iter()
                    .map(|s| {
                        if s == size {
                            Either::Left(view! { <strong aria-current="true">{s}</strong> })
                        } else {
                            Either::Right(
                                view! {
                                    <a href=href(
                                        &CustomerQuery {
                                            page_size: s,
                                            ..query.get_untracked().first_page()
                                        },
                                    )>{s}</a>
                                },
                            )
                        }
                    })
                    .collect_view()}
            </span>
        </nav>
    }
}

/// One customer's row: its cells (place, country and network link to the list filtered by them)
/// and, while it is hovered or focused, the actions the role allows, which narrow screens fold
/// behind one "Actions" button.
#[component]
fn CustomerTableRow(
    c: CustomerRow,
    /// Its place on the page, for shift-click ranges.
    index: usize,
    /// The list's first page with these filters: what the cells' filter links start from.
    first: CustomerQuery,
    picked: Picked,
    can_select: Signal<bool>,
    row_perms: RowPermissions,
    action_rows: ActionRows,
) -> impl IntoView {
    let with = move |f: &dyn Fn(&mut CustomerQuery)| {
        let mut next = first.clone();
        f(&mut next);
        href(&next)
    };
    let id = c.id;
    let select_label = format!("Select {}", c.name);
    let menu_label = format!("Actions for {}", c.name);
    let shown = Memo::new(move |_| action_rows.pointer.get() == Some(id) || action_rows.focus.get() == Some(id));
    // Narrow screens fold the row's actions behind one button; it opens them
    // beneath it in the row.
    let menu_open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    let badge = match c.status {
        CustomerStatus::Active => "badge badge-active",
        CustomerStatus::Disabled => "badge badge-disabled",
    };
    let email = c.contact_email.clone().unwrap_or_default();
    let email_title = email.clone();
    // Plain links (see `SortHeader`).
    let city_link = c.city.clone().filter(|s| !s.is_empty()).map(|city| {
        let link = with(&|q: &mut CustomerQuery| q.city = Some(city.clone()));
        view! {
            <a href=link class="cell-filter" title="Show only this city">
                {city.clone()}
            </a>
        }
    });
    let country_link = c.country.clone().filter(|s| !s.is_empty()).map(|country| {
        let link = with(&|q: &mut CustomerQuery| {
            if !q.countries.contains(&country) {
                q.countries.push(country.clone());
                q.countries.sort();
            }
        });
        view! {
            <a href=link class="cell-filter" title="Show only this country">
                {country.clone()}
            </a>
        }
    });
    let network_link = c.network.clone().zip(c.network_id).map(|(name, id)| {
        let link = with(&|q: &mut CustomerQuery| q.network = Some(id));
        view! {
            <a href=link class="cell-filter" title="Show this network's sub-accounts">
                {name}
            </a>
        }
    });
    let (name, status) = (c.name.clone(), c.status);
    view! {
        <tr on:mouseenter=move |_| action_rows.point_at(id) on:focusin=move |_| action_rows.focus_on(id)>
            <Show when=move || can_select.get()>
                <td class="check">
                    <input
                        type="checkbox"
                        aria-label=select_label.clone()
                        prop:checked=move || picked.ids.with(|ids| ids.contains(&id))
                        on:click=move |ev| {
                            picked.click(index, event_target_checked(&ev), ev.shift_key());
                        }
                    />
                </td>
            </Show>
            <td class="name">
                <A href=format!("/customers/{id}")>{c.name.clone()}</A>
            </td>
            <td class="status">
                <span class=badge>{c.status.label()}</span>
            </td>
            <td>{c.contact_name}</td>
            <td class="email" title=email_title>
                {email}
            </td>
            <td>{city_link}</td>
            <td>{country_link}</td>
            <td class="network-cell">{network_link}</td>
            <td>{format_date(c.created_at)}</td>
            <td
                class=move || if menu_open.get() { "row-actions menu-open" } else { "row-actions" }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" && menu_open.get_untracked() {
                        menu_open.set(false);
                        if let Some(button) = menu_button.get() {
                            let _ = button.focus();
                        }
                    }
                }
            >
                <button
                    type="button"
                    class="button button-small row-menu-toggle"
                    aria-label=menu_label
                    node_ref=menu_button
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| {
                        action_rows.focus_on(id);
                        menu_open.update(|open| *open = !*open);
                    }
                >
                    "Actions"
                </button>
                <span class="row-action-list">
                    {move || {
                        shown.get().then(|| view! { <RowActions id name=name.clone() status picked row_perms /> })
                    }}
                </span>
            </td>
        </tr>
    }
}

/// A row's actions, as its role allows them (the server checks again).
#[component]
fn RowActions(
    id: i64,
    name: String,
    status: CustomerStatus,
    picked: Picked,
    row_perms: RowPermissions,
) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let view_label = format!("View {name}");
    let users_label = format!("Users of {name}");
    let export_label = format!("Export everything about {name}");
    let edit_label = format!("Edit {name}");
    let delete_label = format!("Delete {name}");
    let (action, target, action_label) = match status {
        CustomerStatus::Active => ("Disable", CustomerStatus::Disabled, format!("Disable {name}")),
        CustomerStatus::Disabled => ("Activate", CustomerStatus::Active, format!("Activate {name}")),
    };
    view! {
        <A href=format!("/customers/{id}") attr:class="button button-small" attr:aria-label=view_label>
            "View"
        </A>
        <Show when=move || row_perms.edit.get()>
            <button
                type="button"
                class="button button-small"
                aria-label=edit_label.clone()
                on:click=move |_| actions.editor.set(Some(FormTarget::Edit(id)))
            >
                "Edit"
            </button>
        </Show>
        <A href=format!("/customers/{id}/users") attr:class="button button-small" attr:aria-label=users_label>
            "Users"
        </A>
        {(status == CustomerStatus::Active)
            .then(|| {
                view! { <LogInAsButton customer_id=id customer_name=name.clone() place="row" small=true /> }
            })}
        <Show when=move || row_perms.export.get()>
            <a
                class="button button-small"
                href=format!("/customers/{id}/export")
                download=""
                aria-label=export_label.clone()
            >
                "Export"
            </a>
        </Show>
        <Show when=move || row_perms.disable.get()>
            <button
                type="button"
                class="button button-small"
                aria-label=action_label.clone()
                on:click=move |_| {
                    picked.done.set(None);
                    picked.pending.set(Some((Selection::Ids(vec![id]), target)));
                }
            >
                {action}
            </button>
        </Show>
        <Show when=move || row_perms.delete.get()>
            <button
                type="button"
                class="button button-small button-danger-quiet"
                aria-label=delete_label.clone()
                on:click=move |_| actions.deleting.set(Some(id))
            >
                "Delete"
            </button>
        </Show>
    }
}
