//! The left sidebar: what the role may open, and the tenant's active customers.

use crate::api::customers::list_sidebar_customers;
use crate::components::{debounce::Debounce, focus::focus};
use crate::context::{Auth, CustomerActions};
use crate::types::customers::SidebarCustomers;
use crate::types::session::{Permission, SessionInfo};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::A;

/// Past this many active customers the section gets a filter box.
const FILTER_FROM: u64 = 12;

/// Whether the sidebar is open as a menu. Only narrow screens hide it (behind the header's Menu
/// button); wide ones always show it, whatever this says.
#[derive(Clone, Copy)]
pub struct SidebarMenu {
    pub open: RwSignal<bool>,
}

impl SidebarMenu {
    pub fn new() -> Self {
        Self { open: RwSignal::new(false) }
    }
}

impl Default for SidebarMenu {
    fn default() -> Self {
        Self::new()
    }
}

fn focus_first(selector: &str) {
    if let Some(element) = document().query_selector(selector).ok().flatten() {
        focus(&element);
    }
}

#[component]
pub fn Sidebar(info: SessionInfo) -> impl IntoView {
    let menu = expect_context::<SidebarMenu>();
    // Opening the menu puts focus in it; closing it (Escape, the backdrop, following one of its
    // links) gives focus back to the Menu button.
    Effect::new(move |was_open: Option<bool>| {
        let open = menu.open.get();
        if open {
            let _ = request_animation_frame(|| focus_first("#sidebar a, #sidebar button"));
        } else if was_open == Some(true) {
            focus_first("#menu-button");
        }
        open
    });
    // Escape closes the open menu wherever focus is (the Menu button keeps it after a click).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && menu.open.get_untracked() {
            menu.open.set(false);
        }
    });
    on_cleanup(move || escape.remove());
    let in_tenant = info.tenant.is_some();
    let can_view = info.can(Permission::CustomersView) && in_tenant;
    let can_configure = info.can(Permission::TenantConfigure) && in_tenant;
    let can_manage_team = info.can(Permission::PartnerUsersManage) && in_tenant;
    // The Settings area of the 000 article: each entry only for those its page lets in.
    let settings: Vec<(&str, &str)> = [
        (info.is_operator, "/settings", "Partners"),
        (can_manage_team, "/settings/team", "Team"),
        (can_configure, "/settings/roles", "Roles"),
        (can_configure, "/settings/fields", "Customer fields"),
        (can_configure, "/settings/emails", "Email settings"),
        (can_configure, "/settings/log-in-as", "Log in as settings"),
        (info.can(Permission::ApiKeysManage) && in_tenant, "/settings/api", "API keys"),
        (info.can(Permission::WebhooksManage) && in_tenant, "/settings/webhooks", "Webhooks"),
        (info.is_operator || (info.can(Permission::AuditView) && in_tenant), "/settings/audit", "Audit log"),
        (info.is_operator, "/settings/mailbox", "Mailbox"),
    ]
    .into_iter()
    .filter_map(|(shown, href, label)| shown.then_some((href, label)))
    .collect();
    view! {
        <div class="sidebar-backdrop" hidden=move || !menu.open.get() on:click=move |_| menu.open.set(false)></div>
        <nav
            id="sidebar"
            class=move || if menu.open.get() { "sidebar open" } else { "sidebar" }
            aria-label="Main"
            on:click=move |ev| {
                let on_link = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("a").ok().flatten())
                    .is_some();
                if on_link {
                    menu.open.set(false);
                }
            }
        >
            <ul class="nav">
                {can_view
                    .then(|| {
                        view! {
                            <li>
                                <A href="/customers">"Customers"</A>
                            </li>
                        }
                    })}
            </ul>
            {(!settings.is_empty())
                .then(|| {
                    view! {
                        <h2 class="nav-heading" id="settings-heading">
                            "Settings"
                        </h2>
                        <ul class="nav" aria-labelledby="settings-heading">
                            {settings
                                .into_iter()
                                .map(|(href, label)| {
                                    view! {
                                        <li>
                                            <A href=href>{label}</A>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {can_view.then(|| view! { <ActiveCustomers /> })}
        </nav>
    }
}

/// Refetch whenever the tenant changes or a customer is activated, disabled, added, edited or
/// deleted anywhere on the page, so a disabled customer leaves the sidebar at once.
fn changes() -> impl Fn() -> (usize, (usize, u64)) + Copy + Send + Sync + 'static {
    let auth = expect_context::<Auth>();
    let actions = expect_context::<CustomerActions>();
    move || (auth.switch_tenant.version().get(), actions.version())
}

#[component]
fn ActiveCustomers() -> impl IntoView {
    let changes = changes();
    // Loaded by the browser, not in the page's HTML: as a Resource its names came twice, drawn
    // and again as the data hydration reads (29 of the list page's 114 KB for 200 names).
    let top_level = LocalResource::new(move || {
        changes();
        list_sidebar_customers(String::new(), None)
    });
    // What is typed, and what is searched once typing pauses.
    let typed = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let debounce = Debounce::new();
    // The count and the filter box stay outside the Transition, so a reload (after any customer
    // change) does not rebuild them: text typed into the box while the list reloads was lost, the
    // old box's listener gone before the new box came. Until the first load they are not shown;
    // during a reload they show the last one.
    let loaded = move || top_level.get().and_then(Result::ok);
    view! {
        <section class="sidebar-customers" aria-labelledby="active-customers-heading" on:keydown=move_in_tree>
            <h2 id="active-customers-heading">"Active customers"</h2>
            {move || loaded().map(|list| view! { <p class="muted count">{list.total.number()} " active"</p> })}
            <input
                type="search"
                class="sidebar-filter"
                aria-label="Filter active customers"
                placeholder="Filter…"
                hidden=move || !loaded().is_some_and(|list| list.total.exceeds(FILTER_FROM))
                prop:value=typed
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    typed.set(text.clone());
                    debounce.call(move || filter.set(text.trim().to_string()));
                }
            />
            <Transition fallback=|| {
                view! { <p class="muted">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    match top_level.await {
                        Ok(list) => {
                            Either::Left(
                                view! {
                                    <Show
                                        when=move || filter.with(String::is_empty)
                                        fallback=move || view! { <FilteredCustomers filter /> }
                                    >
                                        <TopLevelItems list=list.clone() />
                                    </Show>
                                },
                            )
                        }
                        Err(error) => Either::Right(view! { <p class="muted">{error.to_string()}</p> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Every active customer matching the filter, at any level.
#[component]
fn FilteredCustomers(filter: RwSignal<String>) -> impl IntoView {
    let changes = changes();
    let matching = Resource::new(move || (filter.get(), changes()), |(filter, _)| list_sidebar_customers(filter, None));
    view! {
        <Transition fallback=|| {
            view! { <p class="muted">"Searching…"</p> }
        }>
            {move || Suspend::new(async move {
                match matching.await {
                    Ok(list) if list.customers.is_empty() => {
                        Either::Left(view! { <p class="muted empty-note">"No active customer matches."</p> })
                    }
                    Ok(list) => Either::Right(Either::Left(view! { <PlainItems list /> })),
                    Err(error) => Either::Right(Either::Right(view! { <p class="muted">{error.to_string()}</p> })),
                }
            })}
        </Transition>
    }
}

/// The top level: networks open to show their sub-accounts.
#[component]
fn TopLevelItems(list: SidebarCustomers) -> impl IntoView {
    let shown = list.customers.len();
    view! {
        <ul class="customer-links">
            {list
                .customers
                .into_iter()
                .map(|c| {
                    if c.sub_accounts > 0 {
                        Either::Left(view! { <NetworkItem id=c.id name=c.name sub_accounts=c.sub_accounts /> })
                    } else {
                        Either::Right(
                            view! {
                                <li>
                                    <A href=format!("/customers/{}", c.id)>{c.name}</A>
                                </li>
                            },
                        )
                    }
                })
                .collect_view()}
        </ul>
        <MoreNote more=list.more shown />
    }
}

/// A flat list: filter results, or one network's sub-accounts.
#[component]
fn PlainItems(list: SidebarCustomers) -> impl IntoView {
    let shown = list.customers.len();
    view! {
        <ul class="customer-links">
            {list
                .customers
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <A href=format!("/customers/{}", c.id)>{c.name}</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <MoreNote more=list.more shown />
    }
}

#[component]
fn MoreNote(more: bool, shown: usize) -> impl IntoView {
    more.then(
        || view! { <p class="muted more-note">{format!("Showing the first {shown}; filter to find others.")}</p> },
    )
}

#[component]
fn NetworkItem(id: i64, name: String, sub_accounts: u64) -> impl IntoView {
    let open = RwSignal::new(false);
    let list_id = format!("network-{id}-accounts");
    // Active ones, as expanding shows them (and as the delete and status dialogs count them).
    let count = format!(" active sub-account{}", if sub_accounts == 1 { "" } else { "s" });
    view! {
        <li class="network">
            // Named by what it shows ("Acme 3 active sub-accounts"), so speech input finds it by its text.
            <button
                type="button"
                class="network-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls=list_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="disclosure" aria-hidden="true">
                    {move || if open.get() { "▾" } else { "▸" }}
                </span>
                {name}
                " "
                <span class="sub-count">{sub_accounts}<span class="visually-hidden">{count}</span></span>
            </button>
            <Show when=move || open.get()>
                <SubAccounts network=id list_id=list_id.clone() />
            </Show>
        </li>
    }
}

#[component]
fn SubAccounts(network: i64, list_id: String) -> impl IntoView {
    let changes = changes();
    let accounts = Resource::new(changes, move |_| list_sidebar_customers(String::new(), Some(network)));
    view! {
        <div id=list_id class="sub-accounts">
            <Transition fallback=|| {
                view! { <p class="muted">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(list) => Either::Left(view! { <PlainItems list /> }),
                        Err(error) => Either::Right(view! { <p class="muted">{error.to_string()}</p> }),
                    }
                })}
            </Transition>
        </div>
    }
}

/// Arrow keys in the customer tree: Up/Down (and Home/End) move between customers; Right opens
/// a network, or steps into its sub-accounts once open; Left closes it, or steps from a
/// sub-account up to its network. Tab still leaves the tree as usual.
fn move_in_tree(ev: leptos::ev::KeyboardEvent) {
    let Some(section) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let Ok(nodes) = section.query_selector_all(".customer-links a, .customer-links .network-toggle") else { return };
    let items: Vec<web_sys::HtmlElement> =
        (0..nodes.length()).filter_map(|i| nodes.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
    let active = document().active_element();
    let Some(at) = items.iter().position(|item| Some(item.unchecked_ref::<web_sys::Element>()) == active.as_ref())
    else {
        return;
    };
    let item = &items[at];
    let is_network = item.class_list().contains("network-toggle");
    let expanded = item.get_attribute("aria-expanded").as_deref() == Some("true");
    let target = match ev.key().as_str() {
        "ArrowDown" => items.get(at + 1),
        "ArrowUp" => at.checked_sub(1).and_then(|i| items.get(i)),
        "Home" => items.first(),
        "End" => items.last(),
        "ArrowRight" if is_network && !expanded => {
            item.click();
            None
        }
        "ArrowRight" if is_network => items.get(at + 1),
        "ArrowLeft" if is_network && expanded => {
            item.click();
            None
        }
        "ArrowLeft" => {
            // From a sub-account to the network it belongs to.
            let parent = item
                .closest(".sub-accounts")
                .ok()
                .flatten()
                .and_then(|list| list.parent_element())
                .and_then(|network| network.query_selector(".network-toggle").ok().flatten());
            if let Some(toggle) = parent {
                focus(&toggle);
            }
            None
        }
        _ => return,
    };
    ev.prevent_default();
    if let Some(target) = target {
        let _ = target.focus();
    }
}
