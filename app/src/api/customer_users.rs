//! A customer account's users, as its partner manages them (PRODUCT.md §7). Reading needs
//! `customers.view`; every change needs `customer_users.manage`.
use crate::error::AppError;
use crate::types::customer_users::{ActivationMethod, CustomerUsers, InviteInput, InviteOutcome};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, customer_users, request, state},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "customer-users/list", input = Json)]
pub async fn list_customer_users(customer_id: i64) -> Result<CustomerUsers, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersView).await?;
        customer_users::list(&scope, customer_id).await
    })
    .await
}

#[server(endpoint = "customer-users/invite", input = Json)]
pub async fn invite_customer_user(customer_id: i64, input: InviteInput) -> Result<InviteOutcome, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        customer_users::invite(&state()?, (&scope).into(), customer_id, &input).await
    })
    .await
}

/// A new link for a pending invitation; the old one stops working.
#[server(endpoint = "customer-users/resend", input = Json)]
pub async fn resend_invitation(membership_id: i64, method: ActivationMethod) -> Result<InviteOutcome, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        customer_users::resend(&state()?, &scope, membership_id, method).await
    })
    .await
}

#[server(endpoint = "customer-users/revoke", input = Json)]
pub async fn revoke_invitation(membership_id: i64) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        customer_users::revoke(&scope, membership_id).await
    })
    .await
}

/// Emails the person a password-reset link.
#[server(endpoint = "customer-users/reset-password", input = Json)]
pub async fn send_password_reset(membership_id: i64) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        customer_users::send_reset(&state()?, &scope, membership_id).await
    })
    .await
}

/// Ends a person's access to this account (or, `whole_tenant`, to every account of this
/// partner); returns how many memberships ended.
#[server(endpoint = "customer-users/remove", input = Json)]
pub async fn remove_customer_user(membership_id: i64, whole_tenant: bool) -> Result<u64, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        customer_users::remove(&scope, membership_id, whole_tenant).await
    })
    .await
}
