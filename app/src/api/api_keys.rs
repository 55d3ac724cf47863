//! The partner's API keys (Settings → API): every call needs `api_keys.manage`.
use crate::error::AppError;
use crate::types::api_keys::{ApiKeyInfo, CreatedApiKey, NewApiKey};
#[cfg(feature = "ssr")]
use crate::{
    backend::{api_keys, authorize, request},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "api-keys/list", input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::ApiKeysManage).await?;
        api_keys::list(&scope).await
    })
    .await
}

/// Makes a key; the answer carries its secret, shown this once and stored only as a hash.
#[server(endpoint = "api-keys/create", input = Json)]
pub async fn create_api_key(input: NewApiKey) -> Result<CreatedApiKey, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::ApiKeysManage).await?;
        api_keys::create(&scope, &input).await
    })
    .await
}

#[server(endpoint = "api-keys/revoke", input = Json)]
pub async fn revoke_api_key(id: i64) -> Result<ApiKeyInfo, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::ApiKeysManage).await?;
        api_keys::revoke(&scope, id).await
    })
    .await
}
