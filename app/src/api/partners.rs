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
