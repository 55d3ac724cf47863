//! Partners (tenants), as the platform operator sees them.

use super::customers::COUNT_CAP;
use super::OperatorScope;
use crate::types::customers::CustomerCount;
use crate::types::partners::PartnerSummary;
use crate::AppError;
use sqlx::Row;

pub async fn list(scope: &OperatorScope) -> Result<Vec<PartnerSummary>, AppError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.support_level_confirmed, t.status,
                (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id AND m.kind = 'partner') AS partner_users,
                (SELECT COUNT(*) FROM (SELECT 1 FROM customers c WHERE c.tenant_id = t.id LIMIT $1) capped) AS customers
         FROM tenants t ORDER BY t.name",
    )
    .bind(COUNT_CAP + 1)
    .fetch_all(&scope.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PartnerSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                support_level_confirmed: r.try_get::<i64, _>("support_level_confirmed")? != 0,
                active: r.try_get::<String, _>("status")? == "active",
                partner_users: r.try_get::<i64, _>("partner_users")? as u64,
                customers: CustomerCount::capped(r.try_get("customers")?, COUNT_CAP),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Confirms (or withdraws) a partner's support level, which unlocks "Log in as" for its staff
/// (PRODUCT.md §1, §10). Withdrawing ends the views in progress at their next request.
pub async fn set_support_level(scope: &OperatorScope, tenant_id: i64, confirmed: bool) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let row = sqlx::query("SELECT name, support_level_confirmed FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such partner"))?;
    let before = row.try_get::<i64, _>("support_level_confirmed")? != 0;
    if before != confirmed {
        sqlx::query("UPDATE tenants SET support_level_confirmed = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(confirmed))
            .bind(super::now())
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        let action = if confirmed { "partner.support_level_confirmed" } else { "partner.support_level_withdrawn" };
        let entry = super::audit::Entry::new(action)
            .by(&scope.actor)
            .in_tenant(Some(tenant_id))
            .target("tenant", Some(tenant_id), row.try_get::<String, _>("name")?)
            .change("support_level_confirmed", before, confirmed);
        super::audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}
