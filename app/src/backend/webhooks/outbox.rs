//! The outbox: a change writes the events it causes, and one delivery per subscribed endpoint,
//! in its own transaction (`conn` is the change's), so an event exists exactly when its change
//! does, whatever crashes afterwards. The deliverer (`delivery`) sends them later.
//!
//! A disabled customer's integration stops: after its `customer.status_changed`, nothing more is
//! sent about it until it is active again.

use super::delivery::GIVE_UP_AFTER_SECS;
use crate::backend::{now, sql::Sql, sql::Value as SqlValue};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

/// The Standard Webhooks body: `type`, `timestamp` (RFC 3339) and `data`.
pub fn payload(event_type: &str, at: i64, data: Value) -> String {
    let timestamp = time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    json!({ "type": event_type, "timestamp": timestamp, "data": data }).to_string()
}

/// The tenant's enabled endpoints subscribed to `event_type`; with `about`, none while that
/// customer is disabled (one statement: this runs inside every change's transaction).
async fn subscribers(
    conn: &mut AnyConnection,
    tenant_id: i64,
    event_type: &str,
    about: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = Sql::default();
    sql.push("SELECT ep.id FROM webhook_endpoints ep WHERE ep.tenant_id = ")
        .bind(SqlValue::Int(tenant_id))
        .push(" AND ep.enabled = 1 AND (' ' || ep.events || ' ') LIKE ")
        .bind(SqlValue::Text(format!("% {event_type} %")));
    if let Some(customer_id) = about {
        sql.push(" AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = ")
            .bind(SqlValue::Int(customer_id))
            .push(" AND c.tenant_id = ")
            .bind(SqlValue::Int(tenant_id))
            .push(" AND c.status = 'disabled')");
    }
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

/// Writes one event for the given endpoints; its id.
pub(in crate::backend) async fn write(
    conn: &mut AnyConnection,
    tenant_id: i64,
    event_type: &str,
    data: Value,
    endpoints: &[i64],
) -> Result<i64, sqlx::Error> {
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO webhook_events (tenant_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant_id)
    .bind(event_type)
    .bind(payload(event_type, at, data))
    .bind(at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    if !endpoints.is_empty() {
        let mut deliveries = Sql::default();
        deliveries
            .push(
                "INSERT INTO webhook_deliveries (event_id, endpoint_id, state, attempts, next_attempt_at, expires_at)
                 SELECT ",
            )
            .bind(SqlValue::Int(id))
            .push(", ep.id, 'pending', 0, ")
            .bind(SqlValue::Int(at))
            .push(", ")
            .bind(SqlValue::Int(at + GIVE_UP_AFTER_SECS))
            .push(" FROM webhook_endpoints ep WHERE ep.id IN ")
            .bind_list(endpoints.iter().map(|id| SqlValue::Int(*id)));
        deliveries.query().execute(&mut *conn).await?;
    }
    Ok(id)
}

/// Records an event about customer `customer_id` for every endpoint that wants it. Nothing is
/// written when nobody listens, or (but for a status change) when the customer is disabled.
pub async fn customer_event(
    conn: &mut AnyConnection,
    tenant_id: i64,
    event_type: &str,
    customer_id: i64,
    data: Value,
) -> Result<(), sqlx::Error> {
    let about = (event_type != "customer.status_changed").then_some(customer_id);
    let endpoints = subscribers(conn, tenant_id, event_type, about).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    write(conn, tenant_id, event_type, data, &endpoints).await?;
    Ok(())
}

/// `customer.status_changed` for each of `customer_ids` (a bulk change): a few hundred events per
/// statement, so ten thousand of them hold SQLite's write lock for a fraction of a second.
pub async fn status_changed(
    conn: &mut AnyConnection,
    tenant_id: i64,
    customer_ids: &[i64],
    status: &str,
    previous: &str,
) -> Result<(), sqlx::Error> {
    let endpoints = subscribers(conn, tenant_id, "customer.status_changed", None).await?;
    if endpoints.is_empty() || customer_ids.is_empty() {
        return Ok(());
    }
    let at = now();
    for chunk in customer_ids.chunks(200) {
        let mut names = Sql::default();
        names
            .push("SELECT id, name FROM customers WHERE id IN ")
            .bind_list(chunk.iter().map(|id| SqlValue::Int(*id)))
            .push(" AND +tenant_id = ")
            .bind(SqlValue::Int(tenant_id))
            .push(" ORDER BY id");
        let customers = names.query().fetch_all(&mut *conn).await?;
        if customers.is_empty() {
            continue;
        }
        let mut insert = Sql::default();
        insert.push("INSERT INTO webhook_events (tenant_id, event_type, payload, created_at) VALUES ");
        for (i, row) in customers.iter().enumerate() {
            let (id, name): (i64, String) = (row.try_get("id")?, row.try_get("name")?);
            let data = json!({ "id": id, "name": name, "status": status, "previous_status": previous });
            if i > 0 {
                insert.push(", ");
            }
            insert
                .push("(")
                .bind(SqlValue::Int(tenant_id))
                .push(", 'customer.status_changed', ")
                .bind(SqlValue::Text(payload("customer.status_changed", at, data)))
                .push(", ")
                .bind(SqlValue::Int(at))
                .push(")");
        }
        insert.push(" RETURNING id");
        let events: Vec<i64> =
            insert.query().fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let mut deliveries = Sql::default();
        deliveries
            .push(
                "INSERT INTO webhook_deliveries (event_id, endpoint_id, state, attempts, next_attempt_at, expires_at)
                 SELECT e.id, ep.id, 'pending', 0, ",
            )
            .bind(SqlValue::Int(at))
            .push(", ")
            .bind(SqlValue::Int(at + GIVE_UP_AFTER_SECS))
            .push(" FROM webhook_events e CROSS JOIN webhook_endpoints ep WHERE e.id IN ")
            .bind_list(events.iter().map(|id| SqlValue::Int(*id)))
            .push(" AND ep.id IN ")
            .bind_list(endpoints.iter().map(|id| SqlValue::Int(*id)));
        deliveries.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// `network.changed` for each network `customer_id` left (`from`) or joined (`to`).
pub async fn network_changed(
    conn: &mut AnyConnection,
    tenant_id: i64,
    customer_id: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(), sqlx::Error> {
    if from == to {
        return Ok(());
    }
    for (network, change) in [(from, "removed"), (to, "added")] {
        if let Some(network) = network {
            let data = json!({ "network_id": network, "customer_id": customer_id, "change": change });
            customer_event(conn, tenant_id, "network.changed", network, data).await?;
        }
    }
    Ok(())
}
