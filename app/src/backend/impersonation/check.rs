//! Whether a "Log in as" view still holds, asked on every request that carries its cookie (by
//! `authz::current_actor`), and how one ends. Below the scopes: it needs only the actor as the
//! session made them.

use crate::backend::actor::{Actor, Impersonation};
use crate::backend::{audit, now, tokens, AppState, Db, SecurityConfig};
use crate::error::AppError;
use crate::types::impersonation::{ImpersonationAvailability, ReasonPolicy};
use crate::types::session::Permission;
use sqlx::Row;

/// Why a view ended, as the audit log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Returned,
    TimedOut,
    SignedOut,
    /// Something it depended on was withdrawn; the text says what.
    Revoked(&'static str),
}

impl EndReason {
    fn text(self) -> &'static str {
        match self {
            Self::Returned => "returned",
            Self::TimedOut => "time ran out",
            Self::SignedOut => "signed out",
            Self::Revoked(what) => what,
        }
    }
}

/// Whether `tenant_id`'s partner users can log in as customers, and on what terms.
pub async fn availability(
    db: &Db,
    security: &SecurityConfig,
    tenant_id: i64,
) -> Result<ImpersonationAvailability, AppError> {
    if !security.impersonation {
        return Ok(ImpersonationAvailability::TurnedOff);
    }
    let row = sqlx::query(
        "SELECT support_level_confirmed, impersonation_minutes, impersonation_reason FROM tenants WHERE id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AppError::not_found("no such partner"))?;
    if row.try_get::<i64, _>("support_level_confirmed")? == 0 {
        return Ok(ImpersonationAvailability::AwaitingSupportLevel);
    }
    let minutes = effective_minutes(security, row.try_get("impersonation_minutes")?);
    let reason = ReasonPolicy::from_key(&row.try_get::<String, _>("impersonation_reason")?).unwrap_or_default();
    Ok(ImpersonationAvailability::Available { reason, minutes })
}

fn effective_minutes(security: &SecurityConfig, tenant_minutes: i64) -> i64 {
    tenant_minutes.clamp(1, (security.impersonation_max.as_secs() / 60).max(1) as i64)
}

/// The live view behind `token` for `actor` (as themselves), or None. A view of another session
/// is ignored; one whose time ran out or whose grounds were withdrawn is ended here (audited).
pub(in crate::backend) async fn check(
    state: &AppState,
    actor: &Actor,
    token: &str,
) -> Result<Option<Impersonation>, AppError> {
    let row = sqlx::query(
        "SELECT i.id, i.session_id, i.tenant_id, i.customer_id, i.expires_at, i.return_to, i.ended_at,
                c.name AS customer_name, c.status AS customer_status, t.name AS tenant_name,
                t.status AS tenant_status, t.support_level_confirmed
         FROM impersonations i JOIN customers c ON c.id = i.customer_id JOIN tenants t ON t.id = i.tenant_id
         WHERE i.token_hash = $1",
    )
    .bind(tokens::token_hash(token))
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let ended = row.try_get::<Option<i64>, _>("ended_at")?.is_some();
    if ended || row.try_get::<i64, _>("session_id")? != actor.session_id {
        return Ok(None);
    }
    let impersonation = Impersonation {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        tenant_name: row.try_get("tenant_name")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        expires_at: row.try_get("expires_at")?,
        return_to: row.try_get("return_to")?,
        may_manage_users: actor.permissions.contains(&Permission::CustomerUsersManage),
    };
    let holds_permission = actor.active_tenant.as_ref().is_some_and(|t| t.id == impersonation.tenant_id)
        && actor.permissions.contains(&Permission::CustomersImpersonate);
    let why_not = if now() >= impersonation.expires_at {
        Some(EndReason::TimedOut)
    } else if !state.security.impersonation {
        Some(EndReason::Revoked("turned off on this instance"))
    } else if row.try_get::<String, _>("tenant_status")? != "active" {
        Some(EndReason::Revoked("partner disabled"))
    } else if row.try_get::<i64, _>("support_level_confirmed")? == 0 {
        Some(EndReason::Revoked("support level withdrawn"))
    } else if !holds_permission {
        Some(EndReason::Revoked("permission withdrawn"))
    } else if row.try_get::<String, _>("customer_status")? != "active" {
        Some(EndReason::Revoked("customer disabled"))
    } else {
        None
    };
    match why_not {
        Some(reason) => {
            finish(&state.db, actor, &impersonation, reason).await?;
            Ok(None)
        }
        None => Ok(Some(impersonation)),
    }
}

/// Ends a view (once: concurrent requests may find the same reason) and audits how.
pub async fn finish(db: &Db, actor: &Actor, impersonation: &Impersonation, reason: EndReason) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let ended =
        sqlx::query("UPDATE impersonations SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL")
            .bind(now())
            .bind(reason.text())
            .bind(impersonation.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if ended == 1 {
        let entry = audit::Entry::new("impersonation.end")
            .by(actor)
            .in_tenant(Some(impersonation.tenant_id))
            .target("customer", Some(impersonation.customer_id), &impersonation.customer_name)
            .change("end_reason", serde_json::Value::Null, reason.text());
        audit::record(&mut tx, entry.acting_as(impersonation.label())).await?;
    }
    tx.commit().await?;
    Ok(())
}
