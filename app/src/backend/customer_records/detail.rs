//! Reading one customer: the detail page and what a delete would take with it.

use super::{load_stored, not_found};
use crate::backend::memberships::name_in_tenant_sql;
use crate::backend::sql::{Sql, Value};
use crate::backend::{field_config, TenantScope};
use crate::error::AppError;
use crate::types::customer_records::detail::{
    AccountUser, CustomerDetail, DeleteImpact, NetworkChoice, Stamp, SubAccountImpact, DELETE_TREE_MAX,
};
use crate::types::customers::CustomerStatus;
use sqlx::{AnyConnection, Row};

const DETAIL_SUB_ACCOUNTS: i64 = 50;
const DETAIL_USERS: i64 = 20;

/// The detail page of one of the tenant's customers.
pub async fn detail(scope: &TenantScope, id: i64) -> Result<CustomerDetail, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let stored = load_stored(&mut conn, scope, id).await?.ok_or_else(not_found)?;
    let config = field_config::load(&mut conn, scope.tenant_id()).await?;
    let sql = format!(
        "SELECT c.status, c.status_changed_at, {} AS status_by, c.created_at, {} AS created_by,
                c.updated_at, {} AS updated_by, n.id AS network_id, n.name AS network_name
         FROM customers c
         LEFT JOIN persons sp ON sp.id = c.status_changed_by
         LEFT JOIN persons cp ON cp.id = c.created_by
         LEFT JOIN persons up ON up.id = c.updated_by
         LEFT JOIN customers n ON n.id = c.parent_id AND n.tenant_id = c.tenant_id
         WHERE c.id = $1 AND c.tenant_id = $2",
        name_in_tenant_sql("sp", "c.tenant_id"),
        name_in_tenant_sql("cp", "c.tenant_id"),
        name_in_tenant_sql("up", "c.tenant_id"),
    );
    let row = sqlx::query(&sql).bind(id).bind(scope.tenant_id()).fetch_one(&mut *conn).await?;
    let status: String = row.try_get("status")?;
    let network = match row.try_get::<Option<i64>, _>("network_id")? {
        Some(id) => Some(NetworkChoice { id, name: row.try_get("network_name")? }),
        None => None,
    };
    // Through the parent index, then sorted (`+`: the tenant's name index would walk a
    // million names looking for sub-accounts, 2.5 s on SQLite for a customer without any).
    let sub_accounts = sqlx::query(
        "SELECT id, name FROM customers WHERE +tenant_id = $1 AND parent_id = $2 ORDER BY name, id LIMIT $3",
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
        // The name this partner gave each of them, never their own or another partner's.
        "SELECT COALESCE(m.display_name, p.full_name) AS full_name, p.email, m.customer_role, m.state
         FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE m.kind = 'customer' AND m.tenant_id = $1 AND m.customer_id = $2
         ORDER BY COALESCE(m.display_name, p.full_name), p.id LIMIT $3",
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
    let (sub_accounts, too_many_sub_accounts) = tree_below(conn, scope.tenant_id(), id).await?;
    let mut ids: Vec<i64> = sub_accounts.iter().map(|s| s.id).collect();
    ids.push(id);
    let mut users = 0;
    let mut custom_values = 0;
    for chunk in ids.chunks(500) {
        let mut sql = Sql::default();
        sql.push("SELECT COUNT(*) AS n FROM memberships WHERE kind = 'customer' AND tenant_id = ")
            .bind(Value::Int(scope.tenant_id()))
            .push(" AND customer_id IN ")
            .bind_list(chunk.iter().map(|id| Value::Int(*id)));
        users += sql.query().fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? as u64;
        let mut sql = Sql::default();
        sql.push("SELECT COUNT(*) AS n FROM customer_field_values WHERE customer_id IN ")
            .bind_list(chunk.iter().map(|id| Value::Int(*id)));
        custom_values += sql.query().fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? as u64;
    }
    Ok(DeleteImpact { id, name, sub_accounts, too_many_sub_accounts, users, custom_values })
}

/// Every customer below `id` in the tenant's tree (at most `MAX_NETWORK_LEVELS` down), in tree
/// order, and whether there are more than [`DELETE_TREE_MAX`] (then only that many are listed).
async fn tree_below(
    conn: &mut AnyConnection,
    tenant_id: i64,
    id: i64,
) -> Result<(Vec<SubAccountImpact>, bool), AppError> {
    let rows = sqlx::query(
        "WITH RECURSIVE tree(id, depth) AS (
           SELECT id, 1 FROM customers WHERE tenant_id = $1 AND parent_id = $2
           UNION ALL
           SELECT c.id, t.depth + 1 FROM customers c JOIN tree t ON c.parent_id = t.id
           WHERE c.tenant_id = $1 AND t.depth < $3)
         SELECT c.id, c.name, c.status, c.parent_id, t.depth FROM tree t JOIN customers c ON c.id = t.id
         ORDER BY t.depth, c.name, c.id LIMIT $4",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(crate::types::customer_records::MAX_NETWORK_LEVELS as i64)
    .bind(DELETE_TREE_MAX as i64 + 1)
    .fetch_all(&mut *conn)
    .await?;
    let too_many = rows.len() > DELETE_TREE_MAX;
    let mut found: Vec<(i64, SubAccountImpact)> = Vec::new();
    for r in rows.iter().take(DELETE_TREE_MAX) {
        found.push((
            r.try_get("parent_id")?,
            SubAccountImpact {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                active: r.try_get::<String, _>("status")? == "active",
                depth: r.try_get::<i64, _>("depth")?.clamp(1, 255) as u8,
            },
        ));
    }
    // Tree order: each sub-account, then those inside it (the query gives them level by level).
    fn walk(parent: i64, found: &[(i64, SubAccountImpact)], out: &mut Vec<SubAccountImpact>) {
        for (_, sub) in found.iter().filter(|(p, _)| *p == parent) {
            out.push(sub.clone());
            walk(sub.id, found, out);
        }
    }
    let mut ordered = Vec::with_capacity(found.len());
    walk(id, &found, &mut ordered);
    Ok((ordered, too_many))
}
