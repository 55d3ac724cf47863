//! The partner's webhooks (Settings → Webhooks): every call needs `webhooks.manage`.
use crate::error::AppError;
use crate::types::webhooks::{CreatedEndpoint, DeliveryInfo, EndpointDraft, EndpointInfo, WebhookSettings};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, request, webhooks},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "webhooks/settings", input = Json)]
pub async fn get_webhook_settings() -> Result<WebhookSettings, AppError> {
    request::respond(async move { webhooks::settings(&authorize(Permission::WebhooksManage).await?).await }).await
}

/// Adds an endpoint; the answer carries its signing secret, shown this once.
#[server(endpoint = "webhooks/create", input = Json)]
pub async fn create_webhook(draft: EndpointDraft) -> Result<CreatedEndpoint, AppError> {
    request::respond(async move { webhooks::create(&authorize(Permission::WebhooksManage).await?, &draft).await }).await
}

#[server(endpoint = "webhooks/update", input = Json)]
pub async fn update_webhook(id: i64, draft: EndpointDraft) -> Result<EndpointInfo, AppError> {
    request::respond(async move { webhooks::update(&authorize(Permission::WebhooksManage).await?, id, &draft).await })
        .await
}

#[server(endpoint = "webhooks/enable", input = Json)]
pub async fn enable_webhook(id: i64, enabled: bool) -> Result<EndpointInfo, AppError> {
    request::respond(
        async move { webhooks::set_enabled(&authorize(Permission::WebhooksManage).await?, id, enabled).await },
    )
    .await
}

#[server(endpoint = "webhooks/delete", input = Json)]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    request::respond(async move { webhooks::delete(&authorize(Permission::WebhooksManage).await?, id).await }).await
}

/// A new signing secret, shown this once; the old one keeps signing for a day.
#[server(endpoint = "webhooks/rotate-secret", input = Json)]
pub async fn rotate_webhook_secret(id: i64) -> Result<CreatedEndpoint, AppError> {
    request::respond(async move { webhooks::rotate_secret(&authorize(Permission::WebhooksManage).await?, id).await })
        .await
}

#[server(endpoint = "webhooks/test", input = Json)]
pub async fn send_test_webhook(id: i64) -> Result<DeliveryInfo, AppError> {
    request::respond(async move { webhooks::send_test(&authorize(Permission::WebhooksManage).await?, id).await }).await
}

#[server(endpoint = "webhooks/deliveries", input = Json)]
pub async fn list_webhook_deliveries(endpoint_id: i64) -> Result<Vec<DeliveryInfo>, AppError> {
    request::respond(
        async move { webhooks::deliveries(&authorize(Permission::WebhooksManage).await?, endpoint_id).await },
    )
    .await
}

#[server(endpoint = "webhooks/redeliver", input = Json)]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<DeliveryInfo, AppError> {
    request::respond(
        async move { webhooks::redeliver(&authorize(Permission::WebhooksManage).await?, delivery_id).await },
    )
    .await
}
