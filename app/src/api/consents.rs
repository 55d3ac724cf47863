//! Consents: a partner's terms and privacy settings, and a person's own answers in the portal.

#[cfg(feature = "ssr")]
use crate::backend::{authorize, consents, current_actor, request};
use crate::error::AppError;
use crate::types::consents::{ConsentPolicy, PartnerConsents};
#[cfg(feature = "ssr")]
use crate::types::session::Permission;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "settings/consents", input = Json)]
pub async fn get_consent_settings() -> Result<ConsentPolicy, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        consents::settings(&scope).await
    })
    .await
}

#[server(endpoint = "settings/consents-save", input = Json)]
pub async fn save_consent_settings(policy: ConsentPolicy) -> Result<ConsentPolicy, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        consents::save_settings(&scope, &policy).await
    })
    .await
}

/// The signed-in person's answers to each partner whose customer user they are.
#[server(endpoint = "portal/consents", input = Json)]
pub async fn my_consents() -> Result<Vec<PartnerConsents>, AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        consents::mine(&state.db, &actor).await
    })
    .await
}

/// The person gives or withdraws marketing consent to one of their partners.
#[server(endpoint = "portal/marketing", input = Json)]
pub async fn set_marketing_consent(tenant_id: i64, accepted: bool) -> Result<(), AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        consents::set_marketing(&state.db, &actor, tenant_id, accepted).await
    })
    .await
}
