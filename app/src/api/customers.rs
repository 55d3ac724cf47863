use crate::model::{CustomerPage, CustomerStatus, Selection, SidebarCustomers, StatusChange};
use leptos::server_fn::codec::Json;
use crate::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::{backend::{authorize, customers, request}, list_query::CustomerQuery, model::Permission};

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

#[server(endpoint = "customers/sidebar")]
pub async fn list_sidebar_customers() -> Result<SidebarCustomers, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customers::sidebar(&scope).await
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
