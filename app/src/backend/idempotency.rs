//! `Idempotency-Key` for the partner API's POSTs (Stripe's convention): the first answer to a key
//! is kept for 24 hours and replayed to every retry with the same key and the same request; the
//! same key with a different request is refused, and a retry while the first is still running is
//! told to wait. Keys are per API key, so two integrations never see each other's answers.

use super::{now, Db};
use crate::error::AppError;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// How long an answer is replayed.
pub const LIFETIME_SECS: i64 = 24 * 3600;
pub const MAX_KEY_CHARS: usize = 255;
/// A claim older than this without an answer belongs to a request that died.
pub const ABANDONED_AFTER_SECS: i64 = 60;

/// What to do with a request that carries an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: run it, then [`finish`] (or [`release`] if it did not run to an answer).
    New,
    /// Answered before: send this again.
    Replay { status: u16, body: String },
}

/// Claims `idempotency_key` of API key `key_id` for a request whose method, path and body hash
/// to `request`. Refused: the same key with another request (422), or one still running (409).
pub async fn claim(db: &Db, key_id: i64, idempotency_key: &str, request: &[u8]) -> Result<Claim, AppError> {
    if idempotency_key.is_empty()
        || idempotency_key.chars().count() > MAX_KEY_CHARS
        || idempotency_key.chars().any(|c| c.is_control())
    {
        return Err(AppError::bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable characters (a UUID is a good choice)."
        )));
    }
    let at = now();
    let hash = hex::encode(Sha256::digest(request));
    sqlx::query("DELETE FROM api_idempotency WHERE key_id = $1 AND created_at < $2")
        .bind(key_id)
        .bind(at - LIFETIME_SECS)
        .execute(&db.pool)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO api_idempotency (key_id, idempotency_key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (key_id, idempotency_key) DO NOTHING",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .bind(&hash)
    .bind(at)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let row = sqlx::query(
        "SELECT request_hash, status, body, created_at FROM api_idempotency WHERE key_id = $1 AND idempotency_key = $2",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .fetch_optional(&db.pool)
    .await?
    // Released between our insert and this read: the caller may simply try again.
    .ok_or_else(|| {
        AppError::AlreadyExists("A request with this Idempotency-Key is still running; retry it in a moment.".into())
    })?;
    if row.try_get::<String, _>("request_hash")? != hash {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "This Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new request.",
        ));
    }
    match row.try_get::<i64, _>("status")? {
        // Claimed by a request that never finished (its process died): the retry runs it. No
        // request runs this long (every one times out at 30 s).
        0 if row.try_get::<i64, _>("created_at")? < at - ABANDONED_AFTER_SECS => {
            let taken = sqlx::query(
                "UPDATE api_idempotency SET created_at = $1
                 WHERE key_id = $2 AND idempotency_key = $3 AND status = 0 AND created_at < $4",
            )
            .bind(at)
            .bind(key_id)
            .bind(idempotency_key)
            .bind(at - ABANDONED_AFTER_SECS)
            .execute(&db.pool)
            .await?
            .rows_affected();
            if taken == 1 {
                Ok(Claim::New)
            } else {
                Err(AppError::AlreadyExists(
                    "A request with this Idempotency-Key is still running; retry it in a moment.".into(),
                ))
            }
        }
        0 => Err(AppError::AlreadyExists(
            "A request with this Idempotency-Key is still running; retry it in a moment.".into(),
        )),
        status => Ok(Claim::Replay { status: status as u16, body: row.try_get("body")? }),
    }
}

/// Keeps the answer to a claimed key, to replay.
pub async fn finish(db: &Db, key_id: i64, idempotency_key: &str, status: u16, body: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE api_idempotency SET status = $1, body = $2 WHERE key_id = $3 AND idempotency_key = $4")
        .bind(i64::from(status))
        .bind(body)
        .bind(key_id)
        .bind(idempotency_key)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Lets a claimed key go without an answer (the request failed for a passing reason): a retry
/// runs it afresh.
pub async fn release(db: &Db, key_id: i64, idempotency_key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM api_idempotency WHERE key_id = $1 AND idempotency_key = $2 AND status = 0")
        .bind(key_id)
        .bind(idempotency_key)
        .execute(&db.pool)
        .await?;
    Ok(())
}
