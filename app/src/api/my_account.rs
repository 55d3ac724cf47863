//! One's own account ("My account"): anyone signed in, about themselves only.
#[cfg(feature = "ssr")]
use crate::backend::{current_actor, my_account, request};
use crate::error::AppError;
use crate::types::my_account::{MyAccount, Theme};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "account/me", input = Json)]
pub async fn get_my_account() -> Result<MyAccount, AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        my_account::get(&state, &actor).await
    })
    .await
}

#[server(endpoint = "account/name", input = Json)]
pub async fn rename_myself(full_name: String) -> Result<(), AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        my_account::rename(&state, &actor, &full_name).await
    })
    .await
}

/// Remembers the colour theme one chose (light, dark, or the device's).
#[server(endpoint = "account/theme", input = Json)]
pub async fn set_my_theme(theme: Theme) -> Result<(), AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        my_account::set_theme(&state, &actor, theme).await
    })
    .await
}

#[server(endpoint = "account/password", input = Json)]
pub async fn change_my_password(current_password: String, new_password: String) -> Result<(), AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        my_account::change_password(&state, &actor, &current_password, &new_password).await
    })
    .await
}

/// Ends every other session signed in as oneself; returns how many ended.
#[server(endpoint = "account/sign-out-others", input = Json)]
pub async fn sign_out_everywhere_else() -> Result<u64, AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        my_account::sign_out_others(&state, &actor).await
    })
    .await
}
