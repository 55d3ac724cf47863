//! Webhooks (Settings → Webhooks, `webhooks.manage`): a partner's endpoints, their deliveries,
//! test events and redelivery. Changes write their events in `outbox`; `delivery` sends them.
//!
//! Where events may go: only to public addresses over https, unless the instance runs with
//! `--webhook-allow-private` (development, tests). The address is checked here when an endpoint
//! is saved (a literal address, `localhost`) and again by the deliverer on every connection,
//! after DNS ([`is_public_address`]), so a name that later resolves inside the network is
//! refused too.

pub mod delivery;
pub mod outbox;

use super::{audit, now, state, TenantScope};
use crate::backend::sql::{Sql, Value as SqlValue};
use crate::error::AppError;
use crate::types::forms::clean_text;
use crate::types::webhooks::{
    CreatedEndpoint, DeliveryInfo, EndpointDraft, EndpointInfo, WebhookSettings, MAX_ENDPOINTS, TEST_EVENT,
};
use serde_json::json;
use sqlx::Row;
use std::net::IpAddr;

/// Whether deliveries may go to `ip`: not loopback, private, link-local, shared (CGNAT),
/// unspecified, multicast, broadcast or documentation space, nor an IPv6 address mapping one.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

fn not_found() -> AppError {
    AppError::not_found("no such webhook endpoint")
}

/// The checks of a draft the browser cannot make: the address itself.
fn check_address(draft: &EndpointDraft, local_allowed: bool) -> Result<String, AppError> {
    let errors = draft.validate(local_allowed);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let url = draft.url.trim().to_string();
    let uri: http::Uri =
        url.parse().map_err(|_| AppError::invalid("url", "Enter a full address, like https://example.com/hooks."))?;
    let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if !local_allowed {
        let literal_private = host.parse::<IpAddr>().is_ok_and(|ip| !is_public_address(ip));
        if literal_private || host == "localhost" || host.ends_with(".localhost") || !host.contains('.') {
            return Err(AppError::invalid(
                "url",
                "Use a public address: events are not sent to private, loopback or link-local networks.",
            ));
        }
    }
    Ok(url)
}

fn events_text(draft: &EndpointDraft) -> String {
    let mut events = draft.events.clone();
    events.sort();
    events.dedup();
    events.join(" ")
}

async fn find(scope: &TenantScope, id: i64) -> Result<EndpointInfo, AppError> {
    let rows = endpoints(scope, Some(id)).await?;
    rows.into_iter().next().ok_or_else(not_found)
}

async fn endpoints(scope: &TenantScope, only: Option<i64>) -> Result<Vec<EndpointInfo>, AppError> {
    let rows = sqlx::query(
        "SELECT ep.id, ep.url, ep.description, ep.events, ep.enabled, ep.failing_since, ep.previous_secret_until,
                ep.created_at,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = ep.id AND d.state = 'pending') AS pending
         FROM webhook_endpoints ep WHERE ep.tenant_id = $1 AND ($2 = 0 OR ep.id = $2) ORDER BY ep.created_at, ep.id",
    )
    .bind(scope.tenant_id())
    .bind(only.unwrap_or(0))
    .fetch_all(&scope.db.pool)
    .await?;
    let at = now();
    rows.iter()
        .map(|r| {
            Ok(EndpointInfo {
                id: r.try_get("id")?,
                url: r.try_get("url")?,
                description: r.try_get("description")?,
                events: r.try_get::<String, _>("events")?.split_whitespace().map(str::to_string).collect(),
                enabled: r.try_get::<i64, _>("enabled")? != 0,
                failing_since: r.try_get("failing_since")?,
                previous_secret_until: r
                    .try_get::<Option<i64>, _>("previous_secret_until")?
                    .filter(|until| *until > at),
                created_at: r.try_get("created_at")?,
                pending: r.try_get::<i64, _>("pending")?.max(0) as u64,
            })
        })
        .collect()
}

/// The Webhooks page.
pub async fn settings(scope: &TenantScope) -> Result<WebhookSettings, AppError> {
    Ok(WebhookSettings {
        endpoints: endpoints(scope, None).await?,
        local_allowed: state()?.security.webhook_allow_private,
    })
}

fn entry(scope: &TenantScope, action: &str, id: i64, url: &str) -> audit::Entry {
    audit::Entry::new(action).by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "webhook_endpoint",
        Some(id),
        url,
    )
}

/// Adds an endpoint; its signing secret is in the answer and shown once.
pub async fn create(scope: &TenantScope, draft: &EndpointDraft) -> Result<CreatedEndpoint, AppError> {
    let url = check_address(draft, state()?.security.webhook_allow_private)?;
    let secret = delivery::new_secret();
    let mut tx = scope.db.begin().await?;
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE tenant_id = $1")
        .bind(scope.tenant_id())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if count >= MAX_ENDPOINTS {
        return Err(AppError::bad_request(format!("A partner may have at most {MAX_ENDPOINTS} webhook endpoints.")));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO webhook_endpoints (tenant_id, url, description, events, secret, enabled, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(scope.tenant_id())
    .bind(&url)
    .bind(clean_text(&draft.description))
    .bind(events_text(draft))
    .bind(&secret)
    .bind((scope.actor.api_key.is_none()).then_some(scope.actor.person_id))
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    audit::record(
        &mut tx,
        entry(scope, "webhook.create", id, &url).change("events", serde_json::Value::Null, events_text(draft)),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedEndpoint { endpoint: find(scope, id).await?, secret })
}

/// Changes an endpoint's address, description or events.
pub async fn update(scope: &TenantScope, id: i64, draft: &EndpointDraft) -> Result<EndpointInfo, AppError> {
    let url = check_address(draft, state()?.security.webhook_allow_private)?;
    let before = find(scope, id).await?;
    let mut tx = scope.db.begin().await?;
    sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, description = $2, events = $3 WHERE id = $4 AND tenant_id = $5",
    )
    .bind(&url)
    .bind(clean_text(&draft.description))
    .bind(events_text(draft))
    .bind(id)
    .bind(scope.tenant_id())
    .execute(&mut *tx)
    .await?;
    let change = entry(scope, "webhook.update", id, &url).change("url", before.url, url.clone()).change(
        "events",
        before.events.join(" "),
        events_text(draft),
    );
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    find(scope, id).await
}

/// Pauses or resumes an endpoint: a paused one gets no new events (those waiting stay).
pub async fn set_enabled(scope: &TenantScope, id: i64, enabled: bool) -> Result<EndpointInfo, AppError> {
    let before = find(scope, id).await?;
    let mut tx = scope.db.begin().await?;
    sqlx::query("UPDATE webhook_endpoints SET enabled = $1 WHERE id = $2 AND tenant_id = $3")
        .bind(i64::from(enabled))
        .bind(id)
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    let action = if enabled { "webhook.enable" } else { "webhook.disable" };
    audit::record(&mut tx, entry(scope, action, id, &before.url)).await?;
    tx.commit().await?;
    find(scope, id).await
}

/// Removes an endpoint with its deliveries (events nobody else waits for go too).
pub async fn delete(scope: &TenantScope, id: i64) -> Result<(), AppError> {
    let before = find(scope, id).await?;
    let mut tx = scope.db.begin().await?;
    // The endpoint's events, and which of them another endpoint also gets, each looked up by
    // index, a few hundred ids at a time. One anti-join over the tenant's events ("no delivery
    // left") was a plan of a full index scan per event on PostgreSQL without statistics: 70 s
    // for an endpoint with 17,000 deliveries, past the request's timeout, so it never went.
    let events: Vec<i64> = sqlx::query("SELECT DISTINCT event_id FROM webhook_deliveries WHERE endpoint_id = $1")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("event_id"))
        .collect::<Result<_, _>>()?;
    let mut only_this: Vec<i64> = Vec::with_capacity(events.len());
    for chunk in events.chunks(500) {
        let mut shared = Sql::default();
        shared
            .push("SELECT DISTINCT event_id FROM webhook_deliveries WHERE event_id IN ")
            .bind_list(chunk.iter().map(|e| SqlValue::Int(*e)))
            .push(" AND endpoint_id <> ")
            .bind(SqlValue::Int(id));
        let shared: std::collections::HashSet<i64> = shared
            .query()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("event_id"))
            .collect::<Result<_, _>>()?;
        only_this.extend(chunk.iter().filter(|e| !shared.contains(e)));
    }
    sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1").bind(id).execute(&mut *tx).await?;
    for chunk in only_this.chunks(500) {
        let mut gone = Sql::default();
        gone.push("DELETE FROM webhook_events WHERE id IN ")
            .bind_list(chunk.iter().map(|e| SqlValue::Int(*e)))
            .push(" AND tenant_id = ")
            .bind(SqlValue::Int(scope.tenant_id()));
        gone.query().execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2")
        .bind(id)
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, entry(scope, "webhook.delete", id, &before.url)).await?;
    tx.commit().await?;
    Ok(())
}

/// How long the secret before a rotation still signs (beside the new one).
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

/// A new signing secret, shown once; for a day, deliveries carry signatures by both.
pub async fn rotate_secret(scope: &TenantScope, id: i64) -> Result<CreatedEndpoint, AppError> {
    let before = find(scope, id).await?;
    let secret = delivery::new_secret();
    let mut tx = scope.db.begin().await?;
    sqlx::query(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, secret = $2
         WHERE id = $3 AND tenant_id = $4",
    )
    .bind(now() + ROTATION_OVERLAP_SECS)
    .bind(&secret)
    .bind(id)
    .bind(scope.tenant_id())
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, entry(scope, "webhook.rotate_secret", id, &before.url)).await?;
    tx.commit().await?;
    Ok(CreatedEndpoint { endpoint: find(scope, id).await?, secret })
}

/// Queues a `webhook.test` event for this endpoint alone (paused or not).
pub async fn send_test(scope: &TenantScope, id: i64) -> Result<DeliveryInfo, AppError> {
    let before = find(scope, id).await?;
    let mut tx = scope.db.begin().await?;
    let data = json!({ "endpoint_id": id, "message": "A test event from Clientele's Settings → Webhooks." });
    let event = outbox::write(&mut tx, scope.tenant_id(), TEST_EVENT, data, &[id]).await?;
    audit::record(&mut tx, entry(scope, "webhook.test", id, &before.url)).await?;
    tx.commit().await?;
    let delivery: i64 = sqlx::query("SELECT id FROM webhook_deliveries WHERE event_id = $1")
        .bind(event)
        .fetch_one(&scope.db.pool)
        .await?
        .try_get("id")?;
    deliveries(scope, id).await?.into_iter().find(|d| d.id == delivery).ok_or_else(not_found)
}

/// The endpoint's latest deliveries, newest first.
pub async fn deliveries(scope: &TenantScope, endpoint_id: i64) -> Result<Vec<DeliveryInfo>, AppError> {
    find(scope, endpoint_id).await?;
    let rows = sqlx::query(
        "SELECT d.id, e.event_type, d.state, d.attempts, e.created_at, d.last_attempt_at, d.next_attempt_at,
                d.last_status, d.last_latency_ms, d.last_response
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE d.endpoint_id = $1 AND e.tenant_id = $2 ORDER BY d.id DESC LIMIT 50",
    )
    .bind(endpoint_id)
    .bind(scope.tenant_id())
    .fetch_all(&scope.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            Ok(DeliveryInfo {
                id: r.try_get("id")?,
                message_id: delivery::message_id(r.try_get("id")?),
                event_type: r.try_get("event_type")?,
                next_attempt_at: if state == "pending" { r.try_get("next_attempt_at")? } else { None },
                state,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
                last_attempt_at: r.try_get("last_attempt_at")?,
                last_status: r.try_get("last_status")?,
                last_latency_ms: r.try_get("last_latency_ms")?,
                last_response: r.try_get("last_response")?,
            })
        })
        .collect()
}

/// Sends a delivery again now (delivered, failed or waiting), with the same `webhook-id`.
pub async fn redeliver(scope: &TenantScope, delivery_id: i64) -> Result<DeliveryInfo, AppError> {
    let row = sqlx::query(
        "SELECT d.endpoint_id, ep.url FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
         WHERE d.id = $1 AND ep.tenant_id = $2",
    )
    .bind(delivery_id)
    .bind(scope.tenant_id())
    .fetch_optional(&scope.db.pool)
    .await?
    .ok_or_else(|| AppError::not_found("no such delivery"))?;
    let (endpoint, url): (i64, String) = (row.try_get("endpoint_id")?, row.try_get("url")?);
    let mut tx = scope.db.begin().await?;
    // A redelivery is a fresh day of attempts.
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, expires_at = $2,
                locked_until = NULL WHERE id = $3",
    )
    .bind(now())
    .bind(now() + delivery::GIVE_UP_AFTER_SECS)
    .bind(delivery_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        entry(scope, "webhook.redeliver", endpoint, &url).change("delivery", serde_json::Value::Null, delivery_id),
    )
    .await?;
    tx.commit().await?;
    deliveries(scope, endpoint).await?.into_iter().find(|d| d.id == delivery_id).ok_or_else(not_found)
}

/// Tells the partner's webhook managers (everyone whose role there holds `webhooks.manage`)
/// that endpoint `endpoint_id` gave up a delivery after a day of failures. An email that cannot
/// go is logged; the page shows the endpoint as failing either way.
pub async fn notify_failing(db: &super::Db, mail: &super::MailConfig, endpoint_id: i64) -> Result<(), AppError> {
    let Some(endpoint) = sqlx::query("SELECT tenant_id, url FROM webhook_endpoints WHERE id = $1")
        .bind(endpoint_id)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(());
    };
    let (tenant_id, url): (i64, String) = (endpoint.try_get("tenant_id")?, endpoint.try_get("url")?);
    let managers = sqlx::query(
        "SELECT DISTINCT p.email, COALESCE(m.display_name, p.full_name) AS name
         FROM memberships m JOIN persons p ON p.id = m.person_id
         JOIN role_permissions rp ON rp.role_id = m.role_id AND rp.permission = 'webhooks.manage'
         WHERE m.tenant_id = $1 AND m.kind = 'partner' AND m.state = 'active' AND p.email_verified_at IS NOT NULL",
    )
    .bind(tenant_id)
    .fetch_all(&db.pool)
    .await?;
    let page = format!("{}/settings/webhooks", mail.public_url.trim_end_matches('/'));
    for manager in &managers {
        let text = format!(
            "Clientele could not deliver an event to your webhook endpoint {url} for a day and has stopped trying \
             for it.\n\nThe endpoint is marked as failing; new events keep being sent to it. See each delivery and \
             the receiver's answers, and redeliver, at {page}"
        );
        let html = format!(
            "<p>Clientele could not deliver an event to your webhook endpoint <code>{}</code> for a day and has stopped \
             trying for it.</p><p>The endpoint is marked as failing; new events keep being sent to it. See each delivery \
             and the receiver's answers, and redeliver, on <a href=\"{page}\">Settings → Webhooks</a>.</p>",
            super::email::html_escape(&url)
        );
        let email = super::email::Email {
            tenant_id: Some(tenant_id),
            to_name: manager.try_get("name")?,
            to_addr: manager.try_get("email")?,
            subject: "A webhook endpoint is failing".to_string(),
            body_text: text,
            body_html: html,
            secret: None,
            requested_by_tenant: None,
        };
        if let Err(error) = super::email::send(db, mail, email).await {
            tracing::warn!(%error, endpoint = endpoint_id, "could not tell a partner that its webhook endpoint is failing");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_public_address;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(!is_public_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public_address(ip.parse().unwrap()), "{ip}");
        }
    }
}
