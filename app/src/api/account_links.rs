//! Signed-out flows driven by single-use links: accept an invitation, forgot password, reset.
//! The link's token is the only credential; the server checks it on every call.

#[cfg(feature = "ssr")]
use crate::backend::{account_links, authz, request, state, tokens::Purpose};
use crate::error::AppError;
use crate::types::account_links::LinkInfo;
use crate::types::consents::ConsentChoices;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// What a link is for (`reset`: a password-reset link, else an invitation).
#[server(endpoint = "account/link", input = Json)]
pub async fn get_link_info(token: String, reset: bool) -> Result<LinkInfo, AppError> {
    request::respond(async move {
        let purpose = if reset { Purpose::Reset } else { Purpose::Activation };
        account_links::link_info(&state()?, purpose, &token).await
    })
    .await
}

/// Accepts an invitation (with the consents the person ticked) and signs the person in.
#[server(endpoint = "account/activate", input = Json)]
pub async fn activate_account(
    token: String,
    password: String,
    consents: Option<ConsentChoices>,
) -> Result<(), AppError> {
    request::respond(async move {
        let state = state()?;
        authz::refuse_while_impersonating().await?;
        let session = account_links::activate(&state, &token, &password, &consents.unwrap_or_default()).await?;
        request::set_session_cookie(&session, &state.security);
        Ok(())
    })
    .await
}

/// Sends a reset link if the address is known; answers the same either way.
#[server(endpoint = "account/forgot-password", input = Json)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    request::respond(async move {
        authz::refuse_while_impersonating().await?;
        account_links::forgot_password(&state()?, &email).await
    })
    .await
}

/// Sets a new password through a reset link, ends every other session and signs in.
#[server(endpoint = "account/reset-password", input = Json)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    request::respond(async move {
        let state = state()?;
        authz::refuse_while_impersonating().await?;
        let session = account_links::reset_password(&state, &token, &password).await?;
        request::set_session_cookie(&session, &state.security);
        Ok(())
    })
    .await
}
