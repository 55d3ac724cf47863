//! The partner's roles (Settings → Roles): every call needs `tenant.configure`.
use crate::error::AppError;
use crate::types::roles::{RoleDraft, RoleInfo};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, request, roles},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "roles/list", input = Json)]
pub async fn list_roles() -> Result<Vec<RoleInfo>, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        roles::list(&scope).await
    })
    .await
}

#[server(endpoint = "roles/save", input = Json)]
pub async fn save_role(draft: RoleDraft) -> Result<RoleInfo, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        roles::save(&scope, &draft).await
    })
    .await
}

#[server(endpoint = "roles/delete", input = Json)]
pub async fn delete_role(id: i64) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        roles::delete(&scope, id).await
    })
    .await
}
