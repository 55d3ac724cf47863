use crate::error::AppError;
use crate::types::customers::ListFilters;
use crate::types::customers::{CustomerCount, CustomerPage, CustomerStatus, Selection, SidebarCustomers, StatusChange};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, customers, request},
    types::customers::query::CustomerQuery,
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// One page of the customer list. `query` is the list's URL query string (search, filters,
/// sort, page); it is parsed here again, leniently, so the server decides what it means.
#[server(endpoint = "customers/list")]
pub async fn list_customers(query: String) -> Result<CustomerPage, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customers::list(&scope, &CustomerQuery::from_query_string(&query)).await
    })
    .await
}

/// How many customers the list's query matches (exact up to 10,000). Only the filters count:
/// sort and page are ignored.
#[server(endpoint = "customers/count")]
pub async fn count_customers(query: String) -> Result<CustomerCount, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customers::count(&scope, &CustomerQuery::from_query_string(&query)).await
    })
    .await
}

/// The tenant's workflows and filterable custom fields, for the list's filter pickers.
#[server(endpoint = "customers/filters")]
pub async fn get_list_filters() -> Result<ListFilters, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        crate::backend::field_config::list_filters(&scope).await
    })
    .await
}

/// The sidebar's active customers: top level, a network's sub-accounts, or those matching `filter`.
#[server(endpoint = "customers/sidebar")]
pub async fn list_sidebar_customers(filter: String, network: Option<i64>) -> Result<SidebarCustomers, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customers::sidebar(&scope, &filter, network).await
    })
    .await
}

/// What activating or disabling the selection would change, for the confirmation dialog.
#[server(endpoint = "customers/preview-status", input = Json)]
pub async fn preview_customers_status(selection: Selection, status: CustomerStatus) -> Result<StatusChange, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersDisable).await?;
        customers::preview_status(&scope, &selection, status).await
    })
    .await
}

/// Activates or disables the selected customers (all or nothing).
#[server(endpoint = "customers/set-status", input = Json)]
pub async fn set_customers_status(selection: Selection, status: CustomerStatus) -> Result<StatusChange, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersDisable).await?;
        customers::set_status(&scope, &selection, status).await
    })
    .await
}
