//! A partner's email settings (Settings → Email settings, `tenant.configure`): the activation
//! link lifetime and the invitation and reset templates; and the operator's development
//! mailbox, every read audited (the links in it are live credentials).

use super::{default_template, template, url_problem};
use crate::backend::{audit, OperatorScope, TenantScope};
use crate::error::AppError;
use crate::types::email::{EmailKind, EmailSettings, EmailTemplate, MailboxEmail, LINK_HOURS_MAX};
use sqlx::Row;

/// A tenant's email settings: link lifetime and templates.
pub async fn settings(scope: &TenantScope) -> Result<EmailSettings, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let link_hours = super::link_hours(&mut conn, scope.tenant_id()).await?;
    let mut templates = Vec::new();
    for kind in EmailKind::ALL {
        let (template, default) = template(&mut conn, scope.tenant_id(), kind).await?;
        templates.push((kind, template, default));
    }
    Ok(EmailSettings { link_hours, templates })
}

fn settings_entry(scope: &TenantScope, action: &str) -> audit::Entry {
    audit::Entry::new(action).by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "tenant",
        Some(scope.tenant_id()),
        "email settings",
    )
}

/// Sets how long activation links live, in hours (1 hour to 30 days).
pub async fn set_link_hours(scope: &TenantScope, hours: i64) -> Result<EmailSettings, AppError> {
    if !(1..=LINK_HOURS_MAX).contains(&hours) {
        return Err(AppError::invalid("link_hours", format!("Choose between 1 and {LINK_HOURS_MAX} hours.")));
    }
    let mut tx = scope.db.begin().await?;
    let before = super::link_hours(&mut tx, scope.tenant_id()).await?;
    sqlx::query("UPDATE tenants SET activation_link_hours = $1 WHERE id = $2")
        .bind(hours)
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        settings_entry(scope, "tenant.link_lifetime").change("activation_link_hours", before, hours),
    )
    .await?;
    tx.commit().await?;
    settings(scope).await
}

/// Saves a tenant's template for `kind`; `None` goes back to the default.
pub async fn set_template(
    scope: &TenantScope,
    kind: EmailKind,
    template: Option<EmailTemplate>,
) -> Result<EmailSettings, AppError> {
    let template = template.map(|t| EmailTemplate { subject: t.subject.trim().to_string(), ..t });
    if let Some(t) = &template {
        let mut errors = t.validate();
        if errors.is_empty() {
            errors = url_problem(t);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
    }
    let mut tx = scope.db.begin().await?;
    let (before, _) = self::template(&mut tx, scope.tenant_id(), kind).await?;
    sqlx::query("DELETE FROM email_templates WHERE tenant_id = $1 AND kind = $2")
        .bind(scope.tenant_id())
        .bind(kind.key())
        .execute(&mut *tx)
        .await?;
    if let Some(t) = &template {
        sqlx::query("INSERT INTO email_templates (tenant_id, kind, subject, body_text) VALUES ($1, $2, $3, $4)")
            .bind(scope.tenant_id())
            .bind(kind.key())
            .bind(&t.subject)
            .bind(&t.body_text)
            .execute(&mut *tx)
            .await?;
    }
    let after = template.unwrap_or_else(|| default_template(kind));
    let entry = settings_entry(scope, "tenant.email_template")
        .change("kind", serde_json::Value::Null, kind.key())
        .change("subject", before.subject.as_str(), after.subject.as_str())
        .change("body_text", before.body_text.as_str(), after.body_text.as_str());
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    settings(scope).await
}

/// The newest emails, for the development mailbox (operators only: they hold live links).
/// The development mailbox: the newest emails, links included while there is no SMTP server.
/// Every read is audited (those links are live credentials).
pub async fn mailbox(scope: &OperatorScope, limit: i64) -> Result<Vec<MailboxEmail>, AppError> {
    let mut tx = scope.db.begin().await?;
    let entry = audit::Entry::new("mailbox.read").by(&scope.actor);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let rows = sqlx::query(
        "SELECT id, at, to_addr, subject, body_text, body_html, transport, error FROM outbound_emails ORDER BY id DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 500))
    .fetch_all(&scope.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MailboxEmail {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                to: r.try_get("to_addr")?,
                subject: r.try_get("subject")?,
                body_text: r.try_get("body_text")?,
                body_html: r.try_get("body_html")?,
                transport: r.try_get("transport")?,
                error: r.try_get("error")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
