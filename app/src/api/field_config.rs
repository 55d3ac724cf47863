//! The tenant's customer-form configuration (Settings → Customer fields); `tenant.configure`.
use crate::error::AppError;
use crate::types::field_config::{BuiltinField, CustomFieldDraft, FieldConfig, FieldMode};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, field_config, request},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "settings/fields", input = Json)]
pub async fn get_field_config() -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::for_tenant(&scope).await
    })
    .await
}

#[server(endpoint = "settings/field-mode", input = Json)]
pub async fn set_field_mode(field: BuiltinField, mode: FieldMode) -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::set_mode(&scope, field, mode).await
    })
    .await
}

#[server(endpoint = "settings/custom-field", input = Json)]
pub async fn save_custom_field(draft: CustomFieldDraft) -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::save_custom_field(&scope, &draft).await
    })
    .await
}

#[server(endpoint = "settings/custom-field-delete", input = Json)]
pub async fn delete_custom_field(id: i64) -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::delete_custom_field(&scope, id).await
    })
    .await
}

#[server(endpoint = "settings/custom-field-move", input = Json)]
pub async fn move_custom_field(id: i64, up: bool) -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::move_custom_field(&scope, id, up).await
    })
    .await
}

#[server(endpoint = "settings/workflows", input = Json)]
pub async fn set_workflows(workflows: Vec<String>) -> Result<FieldConfig, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        field_config::set_workflows(&scope, &workflows).await
    })
    .await
}
