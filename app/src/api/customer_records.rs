//! One customer at a time: the add/edit form, save, detail, delete.
use crate::error::AppError;
use crate::types::customer_records::detail::{CustomerDetail, CustomerForm, DeleteImpact, NetworkChoice};
use crate::types::customer_records::CustomerInput;
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, customer_records, request},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The add form (`id` None, needs `customers.create`) or the edit form of customer `id`
/// (needs `customers.edit`): configuration, network choices and current values.
#[server(endpoint = "customers/form", input = Json)]
pub async fn get_customer_form(id: Option<i64>) -> Result<CustomerForm, AppError> {
    request::respond(async move {
        let permission = if id.is_some() { Permission::CustomersEdit } else { Permission::CustomersCreate };
        let scope = authorize(permission).await?;
        customer_records::form(&scope, id).await
    })
    .await
}

/// Creates a customer; returns its id. `allow_duplicate_name` confirms a name another customer has.
#[server(endpoint = "customers/create", input = Json)]
pub async fn create_customer(input: CustomerInput, allow_duplicate_name: bool) -> Result<i64, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersCreate).await?;
        customer_records::create(&scope, &input, allow_duplicate_name).await
    })
    .await
}

/// Saves an edit made on `version`; a newer version answers `Conflict` with the current values.
/// Returns the new version.
#[server(endpoint = "customers/update", input = Json)]
pub async fn update_customer(
    id: i64,
    version: i64,
    input: CustomerInput,
    allow_duplicate_name: bool,
) -> Result<i64, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersEdit).await?;
        customer_records::update(&scope, id, version, &input, allow_duplicate_name).await
    })
    .await
}

#[server(endpoint = "customers/detail", input = Json)]
pub async fn get_customer_detail(id: i64) -> Result<CustomerDetail, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customer_records::detail(&scope, id).await
    })
    .await
}

/// What deleting customer `id` would remove, for the confirmation.
#[server(endpoint = "customers/delete-impact", input = Json)]
pub async fn get_delete_impact(id: i64) -> Result<DeleteImpact, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersDelete).await?;
        customer_records::delete_impact(&scope, id).await
    })
    .await
}

/// Deletes customer `id` for good; `confirm_name` must repeat its name.
#[server(endpoint = "customers/delete", input = Json)]
pub async fn delete_customer(id: i64, confirm_name: String) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersDelete).await?;
        customer_records::delete(&scope, id, &confirm_name).await
    })
    .await
}

/// "Add network account": a new network named `name` takes the customer's place, with the
/// customer inside it. Needs both creating and editing customers.
#[server(endpoint = "customers/add-network", input = Json)]
pub async fn add_network(customer_id: i64, name: String) -> Result<NetworkChoice, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersCreate).await?;
        scope.require(Permission::CustomersEdit)?;
        customer_records::add_network(&scope, customer_id, &name).await
    })
    .await
}
