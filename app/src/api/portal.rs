//! The customer portal: a customer user's own accounts, nothing else.

#[cfg(feature = "ssr")]
use crate::backend::{authorize_account, portal, request, state};
use crate::error::AppError;
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
