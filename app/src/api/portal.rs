//! The customer portal: a customer user's own accounts, nothing else.

#[cfg(feature = "ssr")]
use crate::backend::{api_keys, authorize_account, portal, request, state};
use crate::error::AppError;
use crate::types::api_keys::{ApiKeyInfo, CreatedApiKey, NewAccountKey};
use crate::types::customer_users::{InviteInput, InviteOutcome};
use crate::types::portal::PortalAccount;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "portal/account", input = Json)]
pub async fn get_portal_account(customer_id: i64) -> Result<PortalAccount, AppError> {
    request::respond(async move {
        let scope = authorize_account(customer_id).await?;
        portal::account(&scope).await
    })
    .await
}

/// An owner invites a member to their account.
#[server(endpoint = "portal/invite", input = Json)]
pub async fn portal_invite(customer_id: i64, input: InviteInput) -> Result<InviteOutcome, AppError> {
    request::respond(async move {
        let scope = authorize_account(customer_id).await?;
        portal::invite(&state()?, &scope, &input).await
    })
    .await
}

/// The account's API keys (its owners only).
#[server(endpoint = "portal/api-keys", input = Json)]
pub async fn list_account_keys(customer_id: i64) -> Result<Vec<ApiKeyInfo>, AppError> {
    request::respond(async move { api_keys::account_keys(&authorize_account(customer_id).await?).await }).await
}

/// An owner makes a key that reaches this account alone; its secret is shown this once.
#[server(endpoint = "portal/api-keys/create", input = Json)]
pub async fn create_account_key(customer_id: i64, input: NewAccountKey) -> Result<CreatedApiKey, AppError> {
    request::respond(async move { api_keys::create_for_account(&authorize_account(customer_id).await?, &input).await })
        .await
}

#[server(endpoint = "portal/api-keys/revoke", input = Json)]
pub async fn revoke_account_key(customer_id: i64, id: i64) -> Result<ApiKeyInfo, AppError> {
    request::respond(async move { api_keys::revoke_for_account(&authorize_account(customer_id).await?, id).await })
        .await
}
