//! Sending what the outbox holds, per the Standard Webhooks convention: the deliverer (the
//! server's `webhook_sender`, one per instance) claims due deliveries, posts each signed, and
//! records the outcome here. A failed attempt is retried after 5 s, 5 min, 30 min, 2 h, 5 h and
//! then every 10 h until the event is a day old; then the delivery is `failed` and its endpoint
//! marked failing, which the Webhooks page shows until a delivery succeeds again.

use crate::backend::sql::{Sql, Value};
use crate::backend::{now, Db, DbKind};
use base64::Engine;
use hmac::{Hmac, Mac};
use sqlx::Row;

/// Seconds to wait after the n-th failed attempt (1-based), the last one repeating.
const BACKOFF_SECS: [i64; 6] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600];
/// A delivery gets no attempt later than this after it was queued (or redelivered).
pub const GIVE_UP_AFTER_SECS: i64 = 24 * 3600;
/// A claimed delivery is someone's for this long (well beyond one attempt's timeout).
pub const CLAIM_SECS: i64 = 60;
/// How much of a receiver's answer is kept to show.
pub const EXCERPT_CHARS: usize = 500;

/// One delivery to make now.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery_id: i64,
    /// `webhook-id`: the same on every attempt of this delivery.
    pub message_id: String,
    pub url: String,
    /// The endpoint's secret and, within a day of a rotation, the one before.
    pub secrets: Vec<String>,
    pub body: String,
    pub attempts: i64,
    /// No attempt after this.
    pub expires_at: i64,
}

/// The `webhook-id` of delivery `id`.
pub fn message_id(id: i64) -> String {
    format!("msg_{id}")
}

/// Claims up to `limit` due deliveries for this deliverer. Another instance's claim in the same
/// moment skips these rows (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer anyway).
pub async fn claim(db: &Db, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    let at = now();
    // Asked first with a read: an idle outbox costs no write (on SQLite, no lock) each poll.
    let any = sqlx::query(
        "SELECT id FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) LIMIT 1",
    )
    .bind(at)
    .fetch_optional(&db.pool)
    .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    let skip_locked = match db.kind {
        DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
        DbKind::Sqlite => "",
    };
    let sql = format!(
        "UPDATE webhook_deliveries SET locked_until = $1
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE state = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)
                      ORDER BY next_attempt_at, id LIMIT $3{skip_locked})
         RETURNING id"
    );
    let ids: Vec<i64> = sqlx::query(&sql)
        .bind(at + CLAIM_SECS)
        .bind(at)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // What each needs, for all of them at once.
    let mut sql = Sql::default();
    sql.push(
        "SELECT d.id, d.attempts, d.expires_at, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_until
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         JOIN webhook_endpoints ep ON ep.id = d.endpoint_id WHERE d.id IN ",
    )
    .bind_list(ids.iter().map(|id| Value::Int(*id)))
    .push(" ORDER BY d.id");
    let mut due = Vec::with_capacity(ids.len());
    for row in sql.query().fetch_all(&db.pool).await? {
        let id: i64 = row.try_get("id")?;
        let mut secrets = vec![row.try_get::<String, _>("secret")?];
        if let (Some(previous), Some(until)) = (
            row.try_get::<Option<String>, _>("previous_secret")?,
            row.try_get::<Option<i64>, _>("previous_secret_until")?,
        ) {
            if until > at {
                secrets.push(previous);
            }
        }
        due.push(Due {
            delivery_id: id,
            message_id: message_id(id),
            url: row.try_get("url")?,
            secrets,
            body: row.try_get("payload")?,
            attempts: row.try_get("attempts")?,
            expires_at: row.try_get("expires_at")?,
        });
    }
    Ok(due)
}

/// The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each
/// secret, space-separated. A secret is `whsec_` and the base64 of its key bytes.
pub fn signature(secrets: &[String], message_id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
            Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key))
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    pub latency_ms: i64,
    /// The start of its answer, or why there was none.
    pub response: String,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records an attempt of `due`: delivered, or the next try scheduled, or given up (and the
/// endpoint marked failing). Returns the endpoint's id when this attempt is what marked it
/// failing (its partner is then told: [`super::notify_failing`]).
pub async fn record(db: &Db, due: &Due, attempt: &Attempt) -> Result<Option<i64>, sqlx::Error> {
    let at = now();
    let attempts = due.attempts + 1;
    let response: String = attempt.response.chars().take(EXCERPT_CHARS).collect();
    let mut tx = db.pool.begin().await?;
    if attempt.succeeded() {
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = $1, last_attempt_at = $2, last_status = $3,
                    last_latency_ms = $4, last_response = $5, delivered_at = $2, locked_until = NULL WHERE id = $6",
        )
        .bind(attempts)
        .bind(at)
        .bind(attempt.status.map(i64::from))
        .bind(attempt.latency_ms)
        .bind(&response)
        .bind(due.delivery_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE webhook_endpoints SET failing_since = NULL
             WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1) AND failing_since IS NOT NULL",
        )
        .bind(due.delivery_id)
        .execute(&mut *tx)
        .await?;
    } else {
        let wait = BACKOFF_SECS[(attempts as usize - 1).min(BACKOFF_SECS.len() - 1)];
        let give_up = at + wait > due.expires_at;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = $2, last_attempt_at = $3, last_status = $4,
                    last_latency_ms = $5, last_response = $6, next_attempt_at = $7, locked_until = NULL WHERE id = $8",
        )
        .bind(if give_up { "failed" } else { "pending" })
        .bind(attempts)
        .bind(at)
        .bind(attempt.status.map(i64::from))
        .bind(attempt.latency_ms)
        .bind(&response)
        .bind(at + wait)
        .bind(due.delivery_id)
        .execute(&mut *tx)
        .await?;
        if give_up {
            let marked = sqlx::query(
                "UPDATE webhook_endpoints SET failing_since = $1
                 WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $2) AND failing_since IS NULL
                 RETURNING id",
            )
            .bind(at)
            .bind(due.delivery_id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            return marked.map(|r| r.try_get("id")).transpose();
        }
    }
    tx.commit().await?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's own example: secret, id, timestamp, body → signature.
    #[test]
    fn signs_as_the_standard_webhooks_example_does() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_secrets_give_two_signatures_and_a_new_secret_is_32_bytes() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        let key = base64::engine::general_purpose::STANDARD.decode(a.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(key.len(), 32);
        let both = signature(&[a.clone(), b], "msg_1", 1, "{}");
        assert_eq!(both.split(' ').count(), 2);
        assert!(both.starts_with(&signature(&[a], "msg_1", 1, "{}")));
    }
}
