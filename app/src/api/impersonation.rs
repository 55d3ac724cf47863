//! "Log in as": viewing a customer account as its users do (see `backend::impersonation`).

#[cfg(feature = "ssr")]
use crate::backend::{authorize, current_actor, impersonation, request, state};
use crate::error::AppError;
use crate::types::impersonation::{ImpersonationSettings, ReasonPolicy};
#[cfg(feature = "ssr")]
use crate::types::session::Permission;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Starts viewing `customer_id` as its users do; returns the portal page to open. `return_to`
/// is where "Return to Clientele" leads (a path on this site; anything else means the list).
#[server(endpoint = "impersonation/start", input = Json)]
pub async fn start_impersonation(customer_id: i64, reason: String, return_to: String) -> Result<String, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::CustomersImpersonate).await?;
        impersonation::start(&state()?, &scope, customer_id, &reason, &return_to).await
    })
    .await
}

/// "Return to Clientele": ends the view and returns the page the partner user came from.
#[server(endpoint = "impersonation/end", input = Json)]
pub async fn end_impersonation() -> Result<String, AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        impersonation::leave(&state, &actor).await
    })
    .await
}

#[server(endpoint = "settings/impersonation", input = Json)]
pub async fn get_impersonation_settings() -> Result<ImpersonationSettings, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        impersonation::settings(&state()?, &scope).await
    })
    .await
}

#[server(endpoint = "settings/impersonation-save", input = Json)]
pub async fn save_impersonation_settings(
    minutes: i64,
    reason: ReasonPolicy,
) -> Result<ImpersonationSettings, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        impersonation::save_settings(&state()?, &scope, minutes, reason).await
    })
    .await
}
