//! Partners (Settings → Partners): the platform operator's alone.
#[cfg(feature = "ssr")]
use crate::backend::{authorize_operator, partners, request, state};
use crate::error::AppError;
use crate::types::customer_users::InviteOutcome;
use crate::types::partners::{PartnerDraft, PartnerSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Every partner of the instance (whose name contains `search`, when given).
#[server(endpoint = "partners/list")]
pub async fn list_partners(search: Option<String>) -> Result<Vec<PartnerSummary>, AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::list(&scope, search.as_deref().unwrap_or_default()).await
    })
    .await
}

/// A new partner, and the invitation emailed to its first Partner admin.
#[server(endpoint = "partners/create", input = Json)]
pub async fn create_partner(draft: PartnerDraft) -> Result<(PartnerSummary, InviteOutcome), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::create(&state()?, &scope, &draft).await
    })
    .await
}

#[server(endpoint = "partners/update", input = Json)]
pub async fn update_partner(draft: PartnerDraft) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::update(&scope, &draft).await
    })
    .await
}

/// Disables (`active: false`) or enables a partner.
#[server(endpoint = "partners/status", input = Json)]
pub async fn set_partner_status(tenant_id: i64, active: bool) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::set_active(&scope, tenant_id, active).await
    })
    .await
}

/// Confirms or withdraws a partner's support level ("Log in as" waits for it).
#[server(endpoint = "partners/support-level")]
pub async fn set_support_level(tenant_id: i64, confirmed: bool) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::set_support_level(&scope, tenant_id, confirmed).await
    })
    .await
}
