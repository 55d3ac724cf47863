//! Server-side sessions. The browser holds a 256-bit random token; the database holds only its
//! SHA-256, so neither a database leak nor a log line yields a usable cookie.

use super::{now, Db, SecurityConfig};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A live session as loaded from the database.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub person_id: i64,
    pub active_tenant_id: Option<i64>,
}

/// Re-stamping `last_seen_at` on every call would turn each read into a write; a minute's
/// resolution is plenty for a 30-minute idle timeout.
const TOUCH_EVERY_SECS: i64 = 60;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a new session (never reusing one from before sign-in) and returns its token.
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    person_id: i64,
    active_tenant_id: Option<i64>,
    client_addr: Option<&str>,
    user_agent: Option<&str>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    let at = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, active_tenant_id, created_at, last_seen_at, client_addr, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(person_id)
    .bind(active_tenant_id)
    .bind(at)
    .bind(at)
    .bind(client_addr)
    .bind(user_agent)
    .execute(&mut *tx)
    .await?;
    Ok(token)
}

/// Finds the session for a token, ending it instead when it has been idle or alive too long.
pub async fn resolve(db: &Db, policy: &SecurityConfig, token: &str) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, person_id, active_tenant_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let created_at: i64 = row.try_get("created_at")?;
    let last_seen_at: i64 = row.try_get("last_seen_at")?;
    let at = now();
    let idle_expired = at - last_seen_at >= policy.idle_timeout.as_secs() as i64;
    let absolute_expired = at - created_at >= policy.absolute_timeout.as_secs() as i64;
    if idle_expired || absolute_expired {
        end(db, id).await?;
        return Ok(None);
    }
    if at - last_seen_at >= TOUCH_EVERY_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2").bind(at).bind(id).execute(&db.pool).await?;
    }
    Ok(Some(Session { id, person_id: row.try_get("person_id")?, active_tenant_id: row.try_get("active_tenant_id")? }))
}

pub async fn end(db: &Db, session_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&db.pool).await?;
    Ok(())
}

pub async fn set_active_tenant(db: &Db, session_id: i64, tenant_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET active_tenant_id = $1 WHERE id = $2")
        .bind(tenant_id)
        .bind(session_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_distinct_and_hash_is_not_the_token() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
