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
