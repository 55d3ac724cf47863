#[cfg(feature = "ssr")]
use crate::backend::{authorize_operator, partners, request};
use crate::types::partners::PartnerSummary;
use crate::AppError;
use leptos::prelude::*;

/// Every partner of the instance: operators only.
#[server(endpoint = "partners/list")]
pub async fn list_partners() -> Result<Vec<PartnerSummary>, AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::list(&scope).await
    })
    .await
}

/// Confirms or withdraws a partner's support level ("Log in as" waits for it): operators only.
#[server(endpoint = "partners/support-level")]
pub async fn set_support_level(tenant_id: i64, confirmed: bool) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        partners::set_support_level(&scope, tenant_id, confirmed).await
    })
    .await
}
