//! API keys (Settings → API, `api_keys.manage`; `docs/API.md`): making, listing and revoking a
//! partner's keys (`caller` finds the key behind a request's `Authorization: Bearer` secret).
//!
//! A key holds the permissions it was given, a subset of its creator's; at every request it
//! holds no more than the creator still does in that partner (a creator who lost a permission,
//! their role or their place there takes it from their keys too). Only the secret's SHA-256 is
//! stored. Revoking sets `revoked_at`, which the next request's lookup sees.

pub mod caller;

use super::memberships::name_in_tenant_sql;
use super::{audit, now, tokens, AccountScope, Db, TenantScope};
use crate::error::AppError;
use crate::types::api_keys::{ApiKeyInfo, CreatedApiKey, NewAccountKey, NewApiKey, SECRET_PREFIX, SHOWN_PREFIX_CHARS};
use crate::types::customer_users::AccountRole;
use crate::types::forms::clean_text;
use crate::types::session::Permission;
use caller::parse_permissions;
use sqlx::Row;
use std::collections::BTreeSet;

/// How many keys a partner may hold that are not revoked: enough for every integration, few
/// enough that a runaway script cannot fill the table.
pub const MAX_LIVE_KEYS: i64 = 100;

fn permissions_text(permissions: &BTreeSet<Permission>) -> String {
    permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(" ")
}

/// Makes a key for the scope's partner; its secret is in the answer and nowhere else.
pub async fn create(scope: &TenantScope, input: &NewApiKey) -> Result<CreatedApiKey, AppError> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if scope.actor.api_key.is_some() {
        return Err(AppError::forbidden("an API key cannot make API keys"));
    }
    let permissions: BTreeSet<Permission> = input.permissions.iter().copied().collect();
    if let Some(p) = permissions.iter().find(|p| !scope.actor.permissions.contains(p)) {
        return Err(AppError::invalid("permissions", format!("You do not hold {p}, so a key of yours cannot either.")));
    }
    let name = clean_text(&input.name);
    let secret = format!("{SECRET_PREFIX}{}", tokens::new_token());
    let prefix: String = secret.chars().take(SHOWN_PREFIX_CHARS).collect();
    let at = now();
    let expires_at = input.expires_in_days.map(|days| at + i64::from(days) * 24 * 3600);
    let mut tx = scope.db.begin().await?;
    let live: i64 = sqlx::query("SELECT COUNT(*) AS n FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL")
        .bind(scope.tenant_id())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if live >= MAX_LIVE_KEYS {
        return Err(AppError::bad_request(format!(
            "This partner already has {MAX_LIVE_KEYS} API keys: revoke one it no longer uses first."
        )));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, permissions, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(scope.tenant_id())
    .bind(&name)
    .bind(&prefix)
    .bind(tokens::token_hash(&secret))
    .bind(permissions_text(&permissions))
    .bind(scope.actor.person_id)
    .bind(at)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let entry = audit::Entry::new("api_key.create")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("api_key", Some(id), format!("{name} ({prefix}…)"))
        .change("permissions", serde_json::Value::Null, permissions_text(&permissions))
        .change("expires_at", serde_json::Value::Null, expires_at);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let key =
        find(&scope.db, scope.tenant_id(), id).await?.ok_or_else(|| AppError::internal("reading a new key", id))?;
    Ok(CreatedApiKey { key, secret })
}

const INFO_COLUMNS: &str =
    "k.id, k.name, k.prefix, k.permissions, k.created_at, k.last_used_at, k.expires_at, k.revoked_at";

fn info_from(row: &sqlx::any::AnyRow) -> Result<ApiKeyInfo, AppError> {
    Ok(ApiKeyInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        permissions: parse_permissions(&row.try_get::<String, _>("permissions")?).into_iter().collect(),
        created_by: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        expired: row.try_get::<Option<i64>, _>("expires_at")?.is_some_and(|at| at <= now()),
    })
}

async fn find(db: &Db, tenant_id: i64, id: i64) -> Result<Option<ApiKeyInfo>, AppError> {
    let sql = format!(
        "SELECT {INFO_COLUMNS}, {} AS created_by_name FROM api_keys k JOIN persons p ON p.id = k.created_by
         WHERE k.id = $1 AND k.tenant_id = $2",
        name_in_tenant_sql("p", "k.tenant_id")
    );
    let row = sqlx::query(&sql).bind(id).bind(tenant_id).fetch_optional(&db.pool).await?;
    row.as_ref().map(info_from).transpose()
}

/// The partner's keys, live ones first, newest first (revoked ones stay listed for the record).
pub async fn list(scope: &TenantScope) -> Result<Vec<ApiKeyInfo>, AppError> {
    let sql = format!(
        "SELECT {INFO_COLUMNS}, {} AS created_by_name FROM api_keys k JOIN persons p ON p.id = k.created_by
         WHERE k.tenant_id = $1 AND k.customer_id IS NULL
         ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.created_at DESC, k.id DESC LIMIT 500",
        name_in_tenant_sql("p", "k.tenant_id")
    );
    let rows = sqlx::query(&sql).bind(scope.tenant_id()).fetch_all(&scope.db.pool).await?;
    rows.iter().map(info_from).collect()
}

/// Revokes key `id` of the scope's partner: the next request with its secret is refused.
pub async fn revoke(scope: &TenantScope, id: i64) -> Result<ApiKeyInfo, AppError> {
    let not_found = || AppError::not_found("no such API key");
    let mut tx = scope.db.begin().await?;
    let row = sqlx::query(
        "SELECT name, prefix, revoked_at FROM api_keys WHERE id = $1 AND tenant_id = $2 AND customer_id IS NULL",
    )
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(not_found)?;
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Err(AppError::bad_request("This key is already revoked."));
    }
    let (name, prefix): (String, String) = (row.try_get("name")?, row.try_get("prefix")?);
    sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND tenant_id = $4")
        .bind(now())
        .bind(scope.actor.person_id)
        .bind(id)
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry::new("api_key.revoke").by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "api_key",
        Some(id),
        format!("{name} ({prefix}…)"),
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    find(&scope.db, scope.tenant_id(), id).await?.ok_or_else(not_found)
}

/// Only the account's own owners make and revoke its keys, never a partner user viewing it as
/// them ("Log in as": nothing they do there may outlast the view).
fn check_owner(scope: &AccountScope) -> Result<(), AppError> {
    if scope.actor.impersonation.is_some() || scope.actor.api_key.is_some() {
        return Err(AppError::forbidden("only the account's own owners manage its API keys"));
    }
    if scope.role != AccountRole::Owner {
        return Err(AppError::forbidden("only an account's owners manage its API keys"));
    }
    Ok(())
}

/// Makes an account key for the scope's account; its secret is in the answer alone.
pub async fn create_for_account(scope: &AccountScope, input: &NewAccountKey) -> Result<CreatedApiKey, AppError> {
    check_owner(scope)?;
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = clean_text(&input.name);
    let secret = format!("{SECRET_PREFIX}{}", tokens::new_token());
    let prefix: String = secret.chars().take(SHOWN_PREFIX_CHARS).collect();
    let at = now();
    let expires_at = input.expires_in_days.map(|days| at + i64::from(days) * 24 * 3600);
    let mut tx = scope.db.begin().await?;
    let live: i64 = sqlx::query("SELECT COUNT(*) AS n FROM api_keys WHERE customer_id = $1 AND revoked_at IS NULL")
        .bind(scope.customer_id())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if live >= MAX_LIVE_KEYS {
        return Err(AppError::bad_request(format!(
            "This account already has {MAX_LIVE_KEYS} API keys: revoke one first."
        )));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO api_keys (tenant_id, customer_id, name, prefix, secret_hash, permissions, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8) RETURNING id",
    )
    .bind(scope.tenant_id())
    .bind(scope.customer_id())
    .bind(&name)
    .bind(&prefix)
    .bind(tokens::token_hash(&secret))
    .bind(scope.actor.person_id)
    .bind(at)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let entry = audit::Entry::new("api_key.create_account_key")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("customer", Some(scope.customer_id()), format!("{name} ({prefix}…)"))
        .change("expires_at", serde_json::Value::Null, expires_at);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let key = account_keys(scope)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| AppError::internal("reading a new key", id))?;
    Ok(CreatedApiKey { key, secret })
}

/// The account's keys, live ones first.
pub async fn account_keys(scope: &AccountScope) -> Result<Vec<ApiKeyInfo>, AppError> {
    check_owner(scope)?;
    let sql = format!(
        "SELECT {INFO_COLUMNS}, {} AS created_by_name FROM api_keys k JOIN persons p ON p.id = k.created_by
         WHERE k.customer_id = $1 AND k.tenant_id = $2
         ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.created_at DESC, k.id DESC LIMIT 500",
        name_in_tenant_sql("p", "k.tenant_id")
    );
    let rows = sqlx::query(&sql).bind(scope.customer_id()).bind(scope.tenant_id()).fetch_all(&scope.db.pool).await?;
    rows.iter().map(info_from).collect()
}

/// Revokes one of the account's keys.
pub async fn revoke_for_account(scope: &AccountScope, id: i64) -> Result<ApiKeyInfo, AppError> {
    check_owner(scope)?;
    let mut tx = scope.db.begin().await?;
    let row = sqlx::query(
        "SELECT name, prefix, revoked_at FROM api_keys WHERE id = $1 AND customer_id = $2 AND tenant_id = $3",
    )
    .bind(id)
    .bind(scope.customer_id())
    .bind(scope.tenant_id())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found("no such API key"))?;
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Err(AppError::bad_request("This key is already revoked."));
    }
    let (name, prefix): (String, String) = (row.try_get("name")?, row.try_get("prefix")?);
    sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
        .bind(now())
        .bind(scope.actor.person_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry::new("api_key.revoke_account_key")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("customer", Some(scope.customer_id()), format!("{name} ({prefix}…)"));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    account_keys(scope).await?.into_iter().find(|k| k.id == id).ok_or_else(|| AppError::not_found("no such API key"))
}
