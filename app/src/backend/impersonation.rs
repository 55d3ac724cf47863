//! "Log in as" (PRODUCT.md §8, issue 12). A partner user with `customers.impersonate` views one
//! customer account exactly as its users do, for a limited time.
//!
//! The view is its own short-lived credential: a random token in a cookie of its own
//! (`request::ACTING_COOKIE`), stored as a SHA-256 and bound to the partner user's session. The
//! partner's session is never replaced and no customer user's session is made, so returning (or
//! the time running out) leaves them signed in as themselves. While the cookie is live,
//! [`super::authz::current_actor`] turns the actor into the account's viewer: no partner or
//! operator rights, the one account (and its sub-accounts) as an owner, and `acting_as` on every
//! audit entry. Each request checks the view again (time, instance switch, partner, support
//! level, the person's permission, the account's status) and ends it at the first that fails.

use super::{audit, now, session, Actor, AppState, Db, TenantScope};
use crate::types::impersonation::{
    safe_return_path, ImpersonationSettings, LogInAs, ReasonPolicy, AWAITING_SUPPORT_LEVEL, REASON_MAX_CHARS,
    TURNED_OFF,
};
use crate::types::session::Permission;
use crate::AppError;
use sqlx::Row;

/// A live view, as the request that carries its cookie sees it.
#[derive(Debug, Clone)]
pub struct Acting {
    pub id: i64,
    pub tenant_id: i64,
    pub tenant_name: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub expires_at: i64,
    pub return_to: String,
    /// Whether the partner user's own role lets them manage customer users (`customer_users.manage`):
    /// only then may they invite anyone while viewing, and only by email (see `portal::invite`).
    pub may_manage_users: bool,
}

impl Acting {
    /// How audit entries name the account acted as.
    pub fn label(&self) -> String {
        format!("{} (customer #{})", self.customer_name, self.customer_id)
    }
}

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
pub async fn availability(db: &Db, security: &super::SecurityConfig, tenant_id: i64) -> Result<LogInAs, AppError> {
    if !security.impersonation {
        return Ok(LogInAs::TurnedOff);
    }
    let row = sqlx::query(
        "SELECT support_level_confirmed, impersonation_minutes, impersonation_reason FROM tenants WHERE id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AppError::not_found("no such partner"))?;
    if row.try_get::<i64, _>("support_level_confirmed")? == 0 {
        return Ok(LogInAs::AwaitingSupportLevel);
    }
    let minutes = effective_minutes(security, row.try_get("impersonation_minutes")?);
    let reason = ReasonPolicy::from_key(&row.try_get::<String, _>("impersonation_reason")?).unwrap_or_default();
    Ok(LogInAs::Available { reason, minutes })
}

fn effective_minutes(security: &super::SecurityConfig, tenant_minutes: i64) -> i64 {
    tenant_minutes.clamp(1, (security.impersonation_max.as_secs() / 60).max(1) as i64)
}

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
        LogInAs::Available { reason, minutes } => (reason, minutes),
        LogInAs::AwaitingSupportLevel => return Err(AppError::forbidden(AWAITING_SUPPORT_LEVEL)),
        LogInAs::TurnedOff => return Err(AppError::forbidden(TURNED_OFF)),
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
    let token = session::new_token();
    let (at, return_to) = (now(), safe_return_path(return_to));
    let expires_at = at + minutes * 60;
    sqlx::query(
        "INSERT INTO impersonations (token_hash, session_id, person_id, tenant_id, customer_id, reason, return_to, started_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(session::token_hash(&token))
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
    audit::record(&mut tx, entry.acting(format!("{name} (customer #{customer_id})"))).await?;
    tx.commit().await?;
    super::request::set_acting_cookie(&token, state.security.secure_cookies, minutes_to_duration(minutes));
    Ok(format!("/portal/{customer_id}"))
}

fn minutes_to_duration(minutes: i64) -> std::time::Duration {
    std::time::Duration::from_secs(minutes.max(0) as u64 * 60)
}

/// The live view behind `token` for `actor` (as themselves), or None. A view of another session
/// is ignored; one whose time ran out or whose grounds were withdrawn is ended here (audited).
pub(super) async fn check(state: &AppState, actor: &Actor, token: &str) -> Result<Option<Acting>, AppError> {
    let row = sqlx::query(
        "SELECT i.id, i.session_id, i.tenant_id, i.customer_id, i.expires_at, i.return_to, i.ended_at,
                c.name AS customer_name, c.status AS customer_status, t.name AS tenant_name,
                t.status AS tenant_status, t.support_level_confirmed
         FROM impersonations i JOIN customers c ON c.id = i.customer_id JOIN tenants t ON t.id = i.tenant_id
         WHERE i.token_hash = $1",
    )
    .bind(session::token_hash(token))
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let ended = row.try_get::<Option<i64>, _>("ended_at")?.is_some();
    if ended || row.try_get::<i64, _>("session_id")? != actor.session_id {
        return Ok(None);
    }
    let acting = Acting {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        tenant_name: row.try_get("tenant_name")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        expires_at: row.try_get("expires_at")?,
        return_to: row.try_get("return_to")?,
        may_manage_users: actor.permissions.contains(&Permission::CustomerUsersManage),
    };
    let holds_permission = actor.active_tenant.as_ref().is_some_and(|t| t.id == acting.tenant_id)
        && actor.permissions.contains(&Permission::CustomersImpersonate);
    let why_not = if now() >= acting.expires_at {
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
            finish(&state.db, actor, &acting, reason).await?;
            Ok(None)
        }
        None => Ok(Some(acting)),
    }
}

/// Ends a view (once: concurrent requests may find the same reason) and audits how.
pub async fn finish(db: &Db, actor: &Actor, acting: &Acting, reason: EndReason) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let ended =
        sqlx::query("UPDATE impersonations SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL")
            .bind(now())
            .bind(reason.text())
            .bind(acting.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if ended == 1 {
        let entry = audit::Entry::new("impersonation.end")
            .by(actor)
            .in_tenant(Some(acting.tenant_id))
            .target("customer", Some(acting.customer_id), &acting.customer_name)
            .change("end_reason", serde_json::Value::Null, reason.text());
        audit::record(&mut tx, entry.acting(acting.label())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// "Return to Clientele": ends the view (if it still runs), drops its cookie and says where the
/// partner user came from. Without a view it leads to the customer list.
pub async fn leave(state: &AppState, actor: &Actor) -> Result<String, AppError> {
    let Some(token) = super::request::acting_token() else { return Ok("/customers".into()) };
    super::request::clear_acting_cookie(state.security.secure_cookies);
    if let Some(acting) = &actor.acting {
        // The banner's countdown asks at zero; its clock and ours may be a second apart.
        let reason = if acting.expires_at - now() <= 2 { EndReason::TimedOut } else { EndReason::Returned };
        finish(&state.db, actor, acting, reason).await?;
        return Ok(acting.return_to.clone());
    }
    // Already ended (time ran out, a right was withdrawn): still back to where they were.
    let row = sqlx::query("SELECT return_to FROM impersonations WHERE token_hash = $1 AND session_id = $2")
        .bind(session::token_hash(&token))
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
