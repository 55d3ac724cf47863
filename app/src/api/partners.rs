#[cfg(feature = "ssr")]
use crate::backend::{authorize_operator, request, tenants};
use crate::model::PartnerSummary;
use crate::AppError;
use leptos::prelude::*;

/// Every partner of the instance: operators only.
#[server(endpoint = "partners/list")]
pub async fn list_partners() -> Result<Vec<PartnerSummary>, AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        tenants::list(&scope).await
    })
    .await
}
