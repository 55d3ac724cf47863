//! "Log in as" (PRODUCT.md §8, issue 12). A partner user with `customers.impersonate` views one
//! customer account exactly as its users do, for a limited time.
//!
//! The view is its own short-lived credential: a random token in a cookie of its own
//! (`request::IMPERSONATION_COOKIE`), stored as a SHA-256 and bound to the partner user's session. The
//! partner's session is never replaced and no customer user's session is made, so returning (or
//! the time running out) leaves them signed in as themselves. While the cookie is live,
//! [`super::authz::current_actor`] turns the actor into the account's viewer: no partner or
//! operator rights, the one account (and its sub-accounts) as an owner, and `acting_as` on every
//! audit entry. Each request checks the view again (time, instance switch, partner, support
//! level, the person's permission, the account's status) and ends it at the first that fails.

pub mod check;

use super::{audit, now, tokens, Actor, AppState, TenantScope};
use crate::error::AppError;
use crate::types::impersonation::{
    safe_return_path, ImpersonationAvailability, ImpersonationSettings, ReasonPolicy, AWAITING_SUPPORT_LEVEL,
    REASON_MAX_CHARS, TURNED_OFF,
};
use check::{availability, finish, EndReason};
use sqlx::Row;

/// Starts a view of `customer_id` for the actor of `scope` (who holds `customers.impersonate`
/// there): sets its cookie and returns the portal page to open.
pub async fn start(
    state: &AppState,
    scope: &TenantScope,
    customer_id: i64,
    reason: &str,
    return_to: &str,
) -> Result<String, AppError> {
    let (reason_policy, minutes) = match availability(&scope.db, &state.security, scope.tenant_id()).await? {
        ImpersonationAvailability::Available { reason, minutes } => (reason, minutes),
        ImpersonationAvailability::AwaitingSupportLevel => return Err(AppError::forbidden(AWAITING_SUPPORT_LEVEL)),
        ImpersonationAvailability::TurnedOff => return Err(AppError::forbidden(TURNED_OFF)),
    };
    let reason = reason.trim();
    let reason = match reason_policy {
        ReasonPolicy::Off => None,
        ReasonPolicy::Required if reason.is_empty() => {
            return Err(AppError::invalid("reason", "Say why you are logging in as this customer."))
        }
        _ if reason.chars().count() > REASON_MAX_CHARS => {
            return Err(AppError::invalid("reason", format!("Keep the reason under {REASON_MAX_CHARS} characters.")))
        }
        _ => (!reason.is_empty()).then(|| reason.to_string()),
    };
    let mut tx = scope.db.begin().await?;
    let customer = sqlx::query("SELECT name, status FROM customers WHERE id = $1 AND tenant_id = $2")
        .bind(customer_id)
        .bind(scope.tenant_id())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such customer here"))?;
    let name: String = customer.try_get("name")?;
    if customer.try_get::<String, _>("status")? != "active" {
        return Err(AppError::bad_request(format!(
            "{name} is disabled: its users cannot sign in, so neither can you. Activate it first."
        )));
    }
    let token = tokens::new_token();
    let (at, return_to) = (now(), safe_return_path(return_to));
    let expires_at = at + minutes * 60;
    sqlx::query(
        "INSERT INTO impersonations (token_hash, session_id, person_id, tenant_id, customer_id, reason, return_to, started_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(tokens::token_hash(&token))
    .bind(scope.actor.session_id)
    .bind(scope.actor.person_id)
    .bind(scope.tenant_id())
    .bind(customer_id)
    .bind(reason.clone())
    .bind(&return_to)
    .bind(at)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry::new("impersonation.start")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("customer", Some(customer_id), &name)
        .change("reason", serde_json::Value::Null, reason)
        .change("minutes", serde_json::Value::Null, minutes);
    audit::record(&mut tx, entry.acting_as(format!("{name} (customer #{customer_id})"))).await?;
    tx.commit().await?;
    super::request::set_impersonation_cookie(&token, state.security.secure_cookies, minutes_to_duration(minutes));
    Ok(format!("/portal/{customer_id}"))
}

fn minutes_to_duration(minutes: i64) -> std::time::Duration {
    std::time::Duration::from_secs(minutes.max(0) as u64 * 60)
}

/// "Return to Clientele": ends the view (if it still runs), drops its cookie and says where the
/// partner user came from. Without a view it leads to the customer list.
pub async fn leave(state: &AppState, actor: &Actor) -> Result<String, AppError> {
    let Some(token) = super::request::impersonation_token() else { return Ok("/customers".into()) };
    super::request::clear_impersonation_cookie(state.security.secure_cookies);
    if let Some(impersonation) = &actor.impersonation {
        // The banner's countdown asks at zero; its clock and ours may be a second apart.
        let reason = if impersonation.expires_at - now() <= 2 { EndReason::TimedOut } else { EndReason::Returned };
        finish(&state.db, actor, impersonation, reason).await?;
        return Ok(impersonation.return_to.clone());
    }
    // Already ended (time ran out, a right was withdrawn): still back to where they were.
    let row = sqlx::query("SELECT return_to FROM impersonations WHERE token_hash = $1 AND session_id = $2")
        .bind(tokens::token_hash(&token))
        .bind(actor.session_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>("return_to")).transpose()?.unwrap_or_else(|| "/customers".into()))
}

/// The tenant's "Log in as" settings.
pub async fn settings(state: &AppState, scope: &TenantScope) -> Result<ImpersonationSettings, AppError> {
    let row = sqlx::query("SELECT impersonation_minutes, impersonation_reason FROM tenants WHERE id = $1")
        .bind(scope.tenant_id())
        .fetch_one(&scope.db.pool)
        .await?;
    Ok(ImpersonationSettings {
        minutes: row.try_get("impersonation_minutes")?,
        reason: ReasonPolicy::from_key(&row.try_get::<String, _>("impersonation_reason")?).unwrap_or_default(),
        max_minutes: (state.security.impersonation_max.as_secs() / 60) as i64,
    })
}

/// Sets how long a view lasts here (1 minute up to the instance's cap) and whether a reason is asked.
pub async fn save_settings(
    state: &AppState,
    scope: &TenantScope,
    minutes: i64,
    reason: ReasonPolicy,
) -> Result<ImpersonationSettings, AppError> {
    let before = settings(state, scope).await?;
    if !(1..=before.max_minutes).contains(&minutes) {
        return Err(AppError::invalid("minutes", format!("Choose between 1 and {} minutes.", before.max_minutes)));
    }
    let mut tx = scope.db.begin().await?;
    sqlx::query("UPDATE tenants SET impersonation_minutes = $1, impersonation_reason = $2 WHERE id = $3")
        .bind(minutes)
        .bind(reason.key())
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry::new("tenant.impersonation_settings")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("tenant", Some(scope.tenant_id()), "log in as settings")
        .change("impersonation_minutes", before.minutes, minutes)
        .change("impersonation_reason", before.reason.key(), reason.key());
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    settings(state, scope).await
}
