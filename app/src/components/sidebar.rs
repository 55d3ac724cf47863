//! The left sidebar: what the role may open, and the tenant's active customers.

use crate::api::customers::list_sidebar_customers;
use crate::model::{Permission, SessionInfo};
use crate::Auth;
use leptos::prelude::*;
use leptos_router::components::A;

/// Past this many customers the section gets a filter box.
const FILTER_FROM: usize = 12;

#[component]
pub fn Sidebar(info: SessionInfo) -> impl IntoView {
    let can_view = info.can(Permission::CustomersView) && info.tenant.is_some();
    view! {
        <nav class="sidebar" aria-label="Main">
            <ul class="nav">
                {can_view.then(|| view! { <li><A href="/customers">"Customers"</A></li> })}
                {info.is_operator.then(|| view! { <li><A href="/settings">"Settings"</A></li> })}
            </ul>
            {can_view.then(|| view! { <ActiveCustomers/> })}
        </nav>
    }
}

#[component]
fn ActiveCustomers() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let changes = expect_context::<crate::CustomerActions>();
    // A customer disabled anywhere on the page leaves this list at once.
    let customers = Resource::new(
        move || (auth.switch_tenant.version().get(), changes.set_status.version().get()),
        |_| list_sidebar_customers(),
    );
    let filter = RwSignal::new(String::new());
    view! {
        <section class="sidebar-customers" aria-labelledby="active-customers-heading">
            <h2 id="active-customers-heading">"Active customers"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match customers.await {
                        Ok(list) => {
                            let total = list.total;
                            let shown = list.customers.len() as u64;
                            let long = list.customers.len() > FILTER_FROM;
                            let all = StoredValue::new(list.customers);
                            let visible = move || {
                                let needle = filter.get().to_lowercase();
                                all.with_value(|all| {
                                    all.iter()
                                        .filter(|c| needle.is_empty() || c.name.to_lowercase().contains(&needle))
                                        .cloned()
                                        .collect::<Vec<_>>()
                                })
                            };
                            leptos::either::Either::Left(view! {
                                <p class="muted count">{total} " active"</p>
                                {long.then(|| view! {
                                    <input
                                        type="search"
                                        class="sidebar-filter"
                                        aria-label="Filter active customers"
                                        placeholder="Filter…"
                                        bind:value=filter
                                    />
                                })}
                                <ul class="customer-links">
                                    <For each=visible key=|c| c.id let:c>
                                        <li>{c.name}</li>
                                    </For>
                                </ul>
                                {(total > shown).then(|| view! {
                                    <p class="muted">{format!("Showing the first {shown}.")}</p>
                                })}
                            })
                        }
                        Err(error) => leptos::either::Either::Right(view! { <p class="muted">{error.to_string()}</p> }),
                    }
                })}
            </Transition>
        </section>
    }
}
