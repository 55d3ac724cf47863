//! Reading the audit log: staff with `audit.view` (their partner's entries) and operators (all).
#[cfg(feature = "ssr")]
use crate::backend::{audit, authorize_audit, request};
use crate::error::AppError;
use crate::types::audit::{AuditFilter, AuditPage};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// One page of entries matching `filter`, newest first, older than `before` when given.
#[server(endpoint = "audit/list", input = Json)]
pub async fn list_audit(filter: AuditFilter, before: Option<i64>) -> Result<AuditPage, AppError> {
    request::respond(async move {
        let scope = authorize_audit().await?;
        audit::log::page(&scope, &filter, before).await
    })
    .await
}
