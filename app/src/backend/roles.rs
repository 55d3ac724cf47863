//! Roles (Settings → Roles, `tenant.configure`): the four built-in roles every partner shares,
//! read-only, and a partner's own custom roles made from any subset of the partner-side
//! permissions. Nobody makes or widens a role beyond the permissions they hold themselves: a
//! role edit reaches every colleague who holds it, the editor too.

use super::{audit, tokens, TenantScope};
use crate::error::AppError;
use crate::error::OnUnique;
use crate::types::roles::{RoleDraft, RoleInfo};
use crate::types::session::Permission;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// A role as authorization sees it.
#[derive(Debug, Clone)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub builtin: bool,
    pub permissions: BTreeSet<Permission>,
}

/// The roles a tenant's staff may hold: the built-in ones, then its own by name.
pub async fn of_tenant(conn: &mut AnyConnection, tenant_id: i64) -> Result<Vec<Role>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.builtin, rp.permission FROM roles r
         LEFT JOIN role_permissions rp ON rp.role_id = r.id
         WHERE r.tenant_id IS NULL OR r.tenant_id = $1
         ORDER BY r.builtin DESC, CASE WHEN r.builtin = 1 THEN r.id ELSE 0 END, r.name, r.id",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut roles: Vec<Role> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        if roles.last().is_none_or(|last| last.id != id) {
            roles.push(Role {
                id,
                name: r.try_get("name")?,
                builtin: r.try_get::<i64, _>("builtin")? != 0,
                permissions: BTreeSet::new(),
            });
        }
        if let Some(p) = r.try_get::<Option<String>, _>("permission")?.as_deref().and_then(Permission::from_key) {
            roles.last_mut().expect("pushed above").permissions.insert(p);
        }
    }
    Ok(roles)
}

/// One role, if this tenant's staff may hold it (built in, or the tenant's own).
pub async fn find(conn: &mut AnyConnection, tenant_id: i64, role_id: i64) -> Result<Option<Role>, AppError> {
    Ok(of_tenant(conn, tenant_id).await?.into_iter().find(|r| r.id == role_id))
}

/// The Roles page: every role with its permissions and who holds it here.
pub async fn list(scope: &TenantScope) -> Result<Vec<RoleInfo>, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let roles = of_tenant(&mut conn, scope.tenant_id()).await?;
    let holders = holders(&mut conn, scope.tenant_id()).await?;
    Ok(roles
        .into_iter()
        .map(|r| RoleInfo {
            holders: holders.get(&r.id).cloned().unwrap_or_default(),
            id: r.id,
            name: r.name,
            builtin: r.builtin,
            permissions: r.permissions.into_iter().collect(),
        })
        .collect())
}

/// Role id → names of this tenant's staff (invited or not) who hold it.
async fn holders(conn: &mut AnyConnection, tenant_id: i64) -> Result<BTreeMap<i64, Vec<String>>, AppError> {
    let rows = sqlx::query(
        "SELECT m.role_id, COALESCE(m.display_name, p.full_name) AS name
         FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE m.tenant_id = $1 AND m.kind = 'partner' ORDER BY name",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut map: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in &rows {
        map.entry(r.try_get("role_id")?).or_default().push(r.try_get("name")?);
    }
    Ok(map)
}

/// The custom role `id` of this tenant: 404 for another tenant's, refused for a built-in one.
async fn own_custom_role(conn: &mut AnyConnection, scope: &TenantScope, id: i64) -> Result<Role, AppError> {
    let role = find(conn, scope.tenant_id(), id).await?.ok_or_else(|| AppError::not_found("no such role"))?;
    if role.builtin {
        return Err(AppError::bad_request(format!("{} is built in and cannot be changed.", role.name)));
    }
    Ok(role)
}

fn name_taken() -> AppError {
    AppError::invalid("name", "Another role already has this name.")
}

fn keys(permissions: &BTreeSet<Permission>) -> Vec<&'static str> {
    permissions.iter().map(|p| p.key()).collect()
}

/// Creates or changes a custom role.
pub async fn save(scope: &TenantScope, draft: &RoleDraft) -> Result<RoleInfo, AppError> {
    let errors = draft.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = crate::types::forms::clean_text(&draft.name);
    let permissions: BTreeSet<Permission> = draft.permissions.iter().copied().collect();
    let missing: Vec<&str> = permissions.difference(&scope.actor.permissions).map(|p| p.key()).collect();
    if !missing.is_empty() {
        return Err(AppError::forbidden(format!(
            "you cannot grant permissions you do not hold: {}",
            missing.join(", ")
        )));
    }
    let mut tx = scope.db.begin().await?;
    let before = match draft.id {
        Some(id) => Some(own_custom_role(&mut tx, scope, id).await?),
        None => None,
    };
    if let Some(role) = &before {
        // An edit reaches every holder: a role that holds more than the editor does is held by
        // someone who holds more, whom the editor must not take rights from.
        let beyond: Vec<&str> = role.permissions.difference(&scope.actor.permissions).map(|p| p.key()).collect();
        if !beyond.is_empty() && holders(&mut tx, scope.tenant_id()).await?.contains_key(&role.id) {
            return Err(AppError::forbidden(format!(
                "{} holds permissions you do not ({}), and colleagues hold it: ask someone who holds them",
                role.name,
                beyond.join(", ")
            )));
        }
    }
    let clash = of_tenant(&mut tx, scope.tenant_id())
        .await?
        .into_iter()
        .any(|r| Some(r.id) != draft.id && r.name.to_lowercase() == name.to_lowercase());
    if clash {
        return Err(name_taken());
    }
    let id = match &before {
        Some(role) => {
            sqlx::query("UPDATE roles SET name = $1 WHERE id = $2").bind(&name).bind(role.id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM role_permissions WHERE role_id = $1").bind(role.id).execute(&mut *tx).await?;
            role.id
        }
        // The key only has to be unique; people see the name.
        None => sqlx::query("INSERT INTO roles (tenant_id, key, name, builtin) VALUES ($1, $2, $3, 0) RETURNING id")
            .bind(scope.tenant_id())
            .bind(format!("custom_{}", &tokens::new_token()[..24]))
            .bind(&name)
            .fetch_one(&mut *tx)
            .await
            .on_unique(name_taken)?
            .try_get("id")?,
    };
    for p in &permissions {
        sqlx::query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
            .bind(id)
            .bind(p.key())
            .execute(&mut *tx)
            .await?;
    }
    let (action, old_name, old_permissions) = match &before {
        Some(role) => ("role.updated", serde_json::json!(role.name), serde_json::json!(keys(&role.permissions))),
        None => ("role.created", serde_json::Value::Null, serde_json::Value::Null),
    };
    let entry = audit::Entry::new(action)
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("role", Some(id), &name)
        .change("name", old_name, name.as_str())
        .change("permissions", old_permissions, keys(&permissions));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    list(scope).await?.into_iter().find(|r| r.id == id).ok_or_else(|| AppError::not_found("no such role"))
}

/// Deletes a custom role nobody here holds.
pub async fn delete(scope: &TenantScope, id: i64) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let role = own_custom_role(&mut tx, scope, id).await?;
    if let Some(names) = holders(&mut tx, scope.tenant_id()).await?.get(&id) {
        return Err(AppError::bad_request(format!(
            "{} is held by {}. Give them another role first.",
            role.name,
            names.join(", ")
        )));
    }
    sqlx::query("DELETE FROM roles WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let entry = audit::Entry::new("role.deleted")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("role", Some(id), &role.name)
        .change("permissions", keys(&role.permissions), serde_json::Value::Null);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
