//! Single-use links (activation and password reset): 256 random bits in the link, only their
//! SHA-256 in the database, an expiry, and a `used_at` stamp set in the same transaction as the
//! change the link allows.

use super::now;
use crate::types::account_links::LinkProblem;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

/// A fresh 256-bit random token, hex: session cookies, "Log in as" views, link tokens, device
/// tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    Reset,
}

impl Purpose {
    fn key(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::Reset => "reset",
        }
    }
}

/// The page a link of `purpose` opens, with its token: what emails carry and inviters are shown.
pub fn link_url(public_url: &str, purpose: Purpose, token: &str) -> String {
    let page = match purpose {
        Purpose::Activation => "activate",
        Purpose::Reset => "reset-password",
    };
    format!("{}/{page}?token={token}", public_url.trim_end_matches('/'))
}

/// A password reset link lives this long (PRODUCT.md §7: a short expiry).
pub const RESET_LIFETIME_SECS: i64 = 30 * 60;

/// A stored link that can still be used.
#[derive(Debug, Clone)]
pub struct LiveToken {
    pub id: i64,
    pub person_id: i64,
    pub membership_id: Option<i64>,
    pub tenant_id: Option<i64>,
    pub expires_at: i64,
    /// Shown to the inviter rather than sent to the person's inbox.
    pub shown: bool,
}

/// Issues a link token; earlier unused links of the same purpose for the same membership (or,
/// for a reset, the same person) stop working, so only the newest one is live. `shown`: the link
/// is displayed to whoever asked for it instead of going to the person's inbox.
pub async fn issue(
    conn: &mut AnyConnection,
    purpose: Purpose,
    person_id: i64,
    membership_id: Option<i64>,
    tenant_id: Option<i64>,
    lifetime_secs: i64,
    shown: bool,
) -> Result<(String, i64), sqlx::Error> {
    retire(conn, purpose, person_id, membership_id).await?;
    let token = new_token();
    let at = now();
    let expires_at = at + lifetime_secs;
    sqlx::query(
        "INSERT INTO person_tokens (token_hash, purpose, person_id, membership_id, tenant_id, created_at, expires_at, shown)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash(&token))
    .bind(purpose.key())
    .bind(person_id)
    .bind(membership_id)
    .bind(tenant_id)
    .bind(at)
    .bind(expires_at)
    .bind(shown as i64)
    .execute(&mut *conn)
    .await?;
    Ok((token, expires_at))
}

/// Makes every unused link of this purpose for the membership (activation) or person (reset)
/// unusable: a resend replaces the old link, a revoke or removal leaves none.
pub async fn retire(
    conn: &mut AnyConnection,
    purpose: Purpose,
    person_id: i64,
    membership_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    let at = now();
    match (purpose, membership_id) {
        (Purpose::Activation, Some(membership)) => {
            sqlx::query("UPDATE person_tokens SET expires_at = $1 WHERE purpose = 'activation' AND membership_id = $2 AND used_at IS NULL AND expires_at > $1")
                .bind(at)
                .bind(membership)
                .execute(&mut *conn)
                .await?
        }
        _ => {
            sqlx::query("UPDATE person_tokens SET expires_at = $1 WHERE purpose = $2 AND person_id = $3 AND used_at IS NULL AND expires_at > $1")
                .bind(at)
                .bind(purpose.key())
                .bind(person_id)
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(())
}

/// Looks a link up without using it.
pub async fn find(
    conn: &mut AnyConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Result<LiveToken, LinkProblem>, sqlx::Error> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Err(LinkProblem::Unknown));
    }
    let row = sqlx::query(
        "SELECT id, person_id, membership_id, tenant_id, expires_at, used_at, shown FROM person_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash(token))
    .bind(purpose.key())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(Err(LinkProblem::Unknown)) };
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at <= now() {
        return Ok(Err(LinkProblem::Expired));
    }
    Ok(Ok(LiveToken {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        membership_id: row.try_get("membership_id")?,
        tenant_id: row.try_get("tenant_id")?,
        expires_at,
        shown: row.try_get::<i64, _>("shown")? == 1,
    }))
}

/// Uses a link: only one caller can, even when two race (the UPDATE matches an unused row once).
pub async fn consume(
    conn: &mut AnyConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Result<LiveToken, LinkProblem>, sqlx::Error> {
    let live = match find(conn, purpose, token).await? {
        Ok(live) => live,
        Err(problem) => return Ok(Err(problem)),
    };
    let taken = sqlx::query("UPDATE person_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now())
        .bind(live.id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(if taken == 1 { Ok(live) } else { Err(LinkProblem::Used) })
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
