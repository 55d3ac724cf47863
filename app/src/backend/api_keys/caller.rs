//! Who calls with a key: the live key behind a request's secret, with what it may do now, and
//! its count against the rate limit. Used by `authz` alone, below the key management of the
//! parent module.

use crate::backend::actor::{ApiKeyRef, RateState};
use crate::backend::{now, tokens, Db};
use crate::error::AppError;
use crate::types::api_keys::SECRET_PREFIX;
use crate::types::session::{Permission, TenantRef};
use sqlx::Row;
use std::collections::BTreeSet;

/// The permission keys stored space-separated in `api_keys.permissions`.
pub(in crate::backend) fn parse_permissions(text: &str) -> BTreeSet<Permission> {
    text.split_whitespace().filter_map(Permission::from_key).collect()
}

/// The key a request presents, as authorization needs it.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub key: ApiKeyRef,
    pub tenant: TenantRef,
    pub created_by: i64,
    pub creator_email: String,
    /// The key's own permissions that its creator still holds in the partner.
    pub permissions: BTreeSet<Permission>,
}

/// The live key whose secret this is: not revoked, not expired, of an active partner, made by a
/// person who still works there (or runs the platform). Anything else is `None`.
///
/// One statement finds the key and what its creator holds now (a row per permission of their
/// active membership, or one row with none): a key is resolved on every API call, and each
/// round trip adds to every answer.
pub async fn resolve(db: &Db, secret: &str) -> Result<Option<KeyCaller>, AppError> {
    if !secret.starts_with(SECRET_PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let at = now();
    let rows = sqlx::query(
        "SELECT k.id, k.name, k.prefix, k.permissions, k.tenant_id, k.customer_id, k.created_by, k.last_used_at,
                t.name AS tenant_name, p.email, p.email_verified_at, m.kind AS membership, rp.permission
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id JOIN persons p ON p.id = k.created_by
         LEFT JOIN memberships m ON m.person_id = k.created_by AND m.state = 'active'
           AND (m.kind = 'operator' OR (m.kind = 'partner' AND m.tenant_id = k.tenant_id))
         LEFT JOIN roles r ON r.id = m.role_id AND (r.tenant_id IS NULL OR r.tenant_id = m.tenant_id)
         LEFT JOIN role_permissions rp ON rp.role_id = r.id
         WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)
           AND t.status = 'active'",
    )
    .bind(tokens::token_hash(secret))
    .bind(at)
    .fetch_all(&db.pool)
    .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let (tenant_id, created_by): (i64, i64) = (row.try_get("tenant_id")?, row.try_get("created_by")?);
    let customer_id: Option<i64> = row.try_get("customer_id")?;
    // An account key holds no partner permission; what it reaches is checked as the portal
    // checks its owner (`authz::authorize_key_account`).
    let permissions = match customer_id {
        Some(_) => BTreeSet::new(),
        None => {
            // Staff rights, a partner key's too, need a confirmed email (as `authz` requires).
            if row.try_get::<Option<i64>, _>("email_verified_at")?.is_none() {
                return Ok(None);
            }
            let Some(held) = creator_permissions(&rows)? else {
                return Ok(None);
            };
            parse_permissions(&row.try_get::<String, _>("permissions")?).intersection(&held).copied().collect()
        }
    };
    let id: i64 = row.try_get("id")?;
    // Written at most once a minute per key: a busy integration should not make every call a write.
    if row.try_get::<Option<i64>, _>("last_used_at")?.is_none_or(|used| used < at - 60) {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").bind(at).bind(id).execute(&db.pool).await?;
    }
    Ok(Some(KeyCaller {
        key: ApiKeyRef { id, name: row.try_get("name")?, prefix: row.try_get("prefix")?, customer_id, rate: None },
        tenant: TenantRef { id: tenant_id, name: row.try_get("tenant_name")?, disabled: false },
        created_by,
        creator_email: row.try_get("email")?,
        permissions,
    }))
}

/// What the creator of a key holds in its partner now, from the rows [`resolve`] read: every
/// permission for an operator, their role's for an active member, `None` for someone who no
/// longer works there (no membership joined).
fn creator_permissions(rows: &[sqlx::any::AnyRow]) -> Result<Option<BTreeSet<Permission>>, AppError> {
    let mut held = BTreeSet::new();
    let mut member = false;
    for row in rows {
        match row.try_get::<Option<String>, _>("membership")?.as_deref() {
            None => continue,
            Some("operator") => return Ok(Some(Permission::ALL.into_iter().collect())),
            Some(_) => member = true,
        }
        if let Some(permission) =
            row.try_get::<Option<String>, _>("permission")?.as_deref().and_then(Permission::from_key)
        {
            held.insert(permission);
        }
    }
    Ok(member.then_some(held))
}

/// Counts one request of key `key_id` in the current minute; `Throttled` past `limit`. The count
/// is a row in the database, so every instance behind a load balancer shares it.
pub async fn count_request(db: &Db, key_id: i64, limit: u32) -> Result<RateState, AppError> {
    const WINDOW: i64 = 60;
    let at = now();
    let window = at - at.rem_euclid(WINDOW);
    let reset_seconds = (window + WINDOW - at).max(1) as u64;
    let requests: i64 = sqlx::query(
        "INSERT INTO api_rate_windows (key_id, window_start, requests) VALUES ($1, $2, 1)
         ON CONFLICT (key_id, window_start) DO UPDATE SET requests = api_rate_windows.requests + 1
         RETURNING requests",
    )
    .bind(key_id)
    .bind(window)
    .fetch_one(&db.pool)
    .await?
    .try_get("requests")?;
    if requests == 1 {
        // The first call of a new window clears the key's old ones.
        sqlx::query("DELETE FROM api_rate_windows WHERE key_id = $1 AND window_start < $2")
            .bind(key_id)
            .bind(window)
            .execute(&db.pool)
            .await?;
    }
    if requests > i64::from(limit) {
        return Err(AppError::Throttled(reset_seconds));
    }
    Ok(RateState { limit, remaining: limit.saturating_sub(requests as u32), reset_seconds })
}
