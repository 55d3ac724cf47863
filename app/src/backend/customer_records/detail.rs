//! Reading one customer: the detail page and what a delete would take with it.

use super::{load_stored, not_found};
use crate::backend::{field_config, TenantScope};
use crate::types::customer_records::detail::{AccountUser, CustomerDetail, DeleteImpact, NetworkChoice, Stamp};
use crate::types::customers::CustomerStatus;
use crate::AppError;
use sqlx::{AnyConnection, Row};

const DETAIL_SUB_ACCOUNTS: i64 = 50;
const DETAIL_USERS: i64 = 20;

/// The detail page of one of the tenant's customers.
pub async fn detail(scope: &TenantScope, id: i64) -> Result<CustomerDetail, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let stored = load_stored(&mut conn, scope, id).await?.ok_or_else(not_found)?;
    let config = field_config::load(&mut conn, scope.tenant_id()).await?;
    let row = sqlx::query(
        "SELECT c.status, c.status_changed_at, sp.full_name AS status_by, c.created_at, cp.full_name AS created_by,
                c.updated_at, up.full_name AS updated_by, n.id AS network_id, n.name AS network_name
         FROM customers c
         LEFT JOIN persons sp ON sp.id = c.status_changed_by
         LEFT JOIN persons cp ON cp.id = c.created_by
         LEFT JOIN persons up ON up.id = c.updated_by
         LEFT JOIN customers n ON n.id = c.parent_id AND n.tenant_id = c.tenant_id
         WHERE c.id = $1 AND c.tenant_id = $2",
    )
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_one(&mut *conn)
    .await?;
    let status: String = row.try_get("status")?;
    let network = match row.try_get::<Option<i64>, _>("network_id")? {
        Some(id) => Some(NetworkChoice { id, name: row.try_get("network_name")? }),
        None => None,
    };
    let sub_accounts = sqlx::query(
        "SELECT id, name FROM customers WHERE tenant_id = $1 AND parent_id = $2 ORDER BY name, id LIMIT $3",
    )
    .bind(scope.tenant_id())
    .bind(id)
    .bind(DETAIL_SUB_ACCOUNTS)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(NetworkChoice { id: r.try_get("id")?, name: r.try_get("name")? }))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sub_account_count =
        count(&mut conn, "SELECT COUNT(*) AS n FROM customers WHERE tenant_id = $1 AND parent_id = $2", scope, id)
            .await?;
    let users = sqlx::query(
        "SELECT p.full_name, p.email, m.customer_role, m.state FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE m.kind = 'customer' AND m.tenant_id = $1 AND m.customer_id = $2 ORDER BY p.full_name, p.id LIMIT $3",
    )
    .bind(scope.tenant_id())
    .bind(id)
    .bind(DETAIL_USERS)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AccountUser {
            name: r.try_get("full_name")?,
            email: r.try_get("email")?,
            role: r.try_get("customer_role")?,
            state: r.try_get("state")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let user_count = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM memberships WHERE kind = 'customer' AND tenant_id = $1 AND customer_id = $2",
        scope,
        id,
    )
    .await?;
    let stamp =
        |at: &str, by: &str| -> Result<Stamp, sqlx::Error> { Ok(Stamp { at: row.try_get(at)?, by: row.try_get(by)? }) };
    Ok(CustomerDetail {
        stored,
        config,
        status: CustomerStatus::from_key(&status).unwrap_or(CustomerStatus::Disabled),
        status_changed: match row.try_get::<Option<i64>, _>("status_changed_at")? {
            Some(at) => Some(Stamp { at, by: row.try_get("status_by")? }),
            None => None,
        },
        created: stamp("created_at", "created_by")?,
        updated: stamp("updated_at", "updated_by")?,
        network,
        sub_accounts,
        sub_account_count,
        users,
        user_count,
    })
}

async fn count(conn: &mut AnyConnection, sql: &str, scope: &TenantScope, id: i64) -> Result<u64, AppError> {
    let n: i64 = sqlx::query(sql).bind(scope.tenant_id()).bind(id).fetch_one(&mut *conn).await?.try_get("n")?;
    Ok(n as u64)
}

/// What deleting customer `id` would take with it.
pub async fn delete_impact(scope: &TenantScope, id: i64) -> Result<DeleteImpact, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    impact(&mut conn, scope, id).await
}

pub(super) async fn impact(conn: &mut AnyConnection, scope: &TenantScope, id: i64) -> Result<DeleteImpact, AppError> {
    let name: String = sqlx::query("SELECT name FROM customers WHERE id = $1 AND tenant_id = $2")
        .bind(id)
        .bind(scope.tenant_id())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(not_found)?
        .try_get("name")?;
    Ok(DeleteImpact {
        id,
        name,
        sub_accounts: count(
            conn,
            "SELECT COUNT(*) AS n FROM customers WHERE tenant_id = $1 AND parent_id = $2",
            scope,
            id,
        )
        .await?,
        users: count(
            conn,
            "SELECT COUNT(*) AS n FROM memberships WHERE kind = 'customer' AND tenant_id = $1 AND customer_id = $2",
            scope,
            id,
        )
        .await?,
        custom_values: count(
            conn,
            "SELECT COUNT(*) AS n FROM customer_field_values v JOIN customers c ON c.id = v.customer_id
             WHERE c.tenant_id = $1 AND v.customer_id = $2",
            scope,
            id,
        )
        .await?,
    })
}
