//! `/customers`: the tenant's customers. Search, filters, sort and page all live in the URL
//! (see `types::customers::query`), so reloads, shared links and back/forward reproduce the view.

mod bulk;
pub mod delete;
pub mod detail;
mod export;
mod filters;
pub mod form;
pub mod impersonation;
pub mod network_picker;
mod networks;
mod table;

use crate::api::customers::{count_customers, get_list_filters, list_customers};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::context::FormTarget;
use crate::context::{Auth, CustomerActions};
use crate::types::customers::query::CustomerQuery;
use crate::types::customers::CustomerCount;
use crate::types::session::Permission;
use bulk::{BulkBar, ConfirmStatus, Picked};
use export::ExportControl;
use filters::{Chips, Toolbar};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use networks::AddNetworkDialog;
use table::{CustomerTable, RowPermissions};

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
    let count_state = RwSignal::new(None::<Result<CustomerCount, crate::error::AppError>>);
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
    let can_impersonate = auth.can(Permission::CustomersImpersonate);
    let can_create = auth.can(Permission::CustomersCreate);
    let can_edit = auth.can(Permission::CustomersEdit);
    let can_export = auth.can(Permission::CustomersExport);
    // Rows can be ticked by anyone with something to do with a selection.
    let can_select =
        Signal::derive(move || can_disable.get() || can_invite.get() || can_impersonate.get() || can_create.get());
    let row_perms = RowPermissions {
        edit: auth.can(Permission::CustomersEdit),
        disable: can_disable,
        export: can_export,
        delete: auth.can(Permission::CustomersDelete),
    };
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
            <Show when=move || can_export.get()>
                <ExportControl query count picked />
            </Show>
            <Show when=move || can_create.get()>
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| actions.editor.set(Some(FormTarget::New))
                >
                    "New customer"
                </button>
            </Show>
        </div>
        <Toolbar query go filters />
        <Chips query go />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match customers.await {
                    Ok(page) => {
                        Either::Left(
                            view! {
                                <BulkBar
                                    picked
                                    query
                                    count
                                    page_size=page.page_size
                                    can_select
                                    can_disable
                                    can_invite
                                    can_create
                                    can_edit
                                />
                                <CustomerTable page query picked can_select row_perms count_state />
                            },
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        <ConfirmStatus picked />
        <AddNetworkDialog picked />
    }
}
