//! Email settings (`tenant.configure`: templates, link lifetime) and the development mailbox
//! (operators only: its emails hold live links).
use crate::error::AppError;
use crate::types::email::{EmailKind, EmailSettings, EmailTemplate, MailboxEmail};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, authorize_operator, email, request},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "settings/emails", input = Json)]
pub async fn get_email_settings() -> Result<EmailSettings, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        email::settings::settings(&scope).await
    })
    .await
}

#[server(endpoint = "settings/link-lifetime", input = Json)]
pub async fn set_link_lifetime(hours: i64) -> Result<EmailSettings, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        email::settings::set_link_hours(&scope, hours).await
    })
    .await
}

/// Saves a template; `None` restores the built-in wording.
#[server(endpoint = "settings/email-template", input = Json)]
pub async fn set_email_template(kind: EmailKind, template: Option<EmailTemplate>) -> Result<EmailSettings, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::TenantConfigure).await?;
        email::settings::set_template(&scope, kind, template).await
    })
    .await
}

#[server(endpoint = "mailbox", input = Json)]
pub async fn list_mailbox() -> Result<Vec<MailboxEmail>, AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        email::settings::mailbox(&scope, 100).await
    })
    .await
}
