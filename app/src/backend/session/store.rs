//! The session store: server-side sessions, one row each. The browser holds a 256-bit random
//! token; the database holds only its SHA-256 (`tokens::token_hash`), so neither a database leak
//! nor a log line yields a usable cookie. Also the known devices a session's browser becomes.

use crate::backend::sql::{Sql, Value};
use crate::backend::tokens::{new_token, token_hash};
use crate::backend::{now, request, throttle, AppState, Db, SecurityConfig};
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
        // On its own task: the request (most often a read) never waits behind a writer for
        // SQLite's lock, nor fails when the disk is full; a touch that fails is retried by the
        // next request.
        let pool = db.pool.clone();
        tokio::spawn(async move {
            let touch = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2").bind(at).bind(id);
            if let Err(error) = touch.execute(&pool).await {
                tracing::debug!(%error, "could not record the session's use; the next request tries again");
            }
        });
    }
    Ok(Some(Session { id, person_id: row.try_get("person_id")?, active_tenant_id: row.try_get("active_tenant_id")? }))
}

/// Ends the sessions of the people whose only way in was customers `customer_ids` of `tenant_id`,
/// now disabled or deleted: those with an *accepted* membership there and no other active access
/// (partner staff, operator, or a customer account that is still active). Someone merely invited
/// there, or who still works elsewhere, stays signed in: a tenant must not be able to end the
/// sessions of people it does not own.
/// In statements of a few hundred.
pub(in crate::backend) async fn end_for_customers(
    conn: &mut sqlx::AnyConnection,
    tenant_id: i64,
    customer_ids: &[i64],
) -> Result<(), sqlx::Error> {
    for chunk in customer_ids.chunks(500) {
        let mut sql = Sql::default();
        sql.push(
            "DELETE FROM sessions WHERE person_id IN (
               SELECT m.person_id FROM memberships m WHERE m.kind = 'customer' AND m.tenant_id = ",
        )
        .bind(Value::Int(tenant_id))
        .push(" AND m.customer_id IN ")
        .bind_list(chunk.iter().map(|id| Value::Int(*id)))
        .push(
            " AND m.state = 'active'
                 AND NOT EXISTS (
                   SELECT 1 FROM memberships o
                   WHERE o.person_id = m.person_id AND o.id <> m.id AND o.state = 'active'
                     AND (o.kind <> 'customer'
                          OR EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.status = 'active'))))",
        );
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn end(db: &Db, session_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&db.pool).await?;
    Ok(())
}

pub(in crate::backend) async fn set_active_tenant(db: &Db, session_id: i64, tenant_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET active_tenant_id = $1 WHERE id = $2")
        .bind(tenant_id)
        .bind(session_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Whether the person's only ways in are all disabled: customer accounts that are (or whose
/// partner is), or a partner that is. PRODUCT.md §5: a disabled customer's users cannot sign in;
/// issue 14: nor a disabled partner's staff.
pub(in crate::backend) async fn only_disabled_accounts(
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT
           SUM(CASE WHEN m.kind = 'operator' AND m.state = 'active' THEN 1
                    WHEN m.kind = 'partner' AND m.state = 'active' AND t.status = 'active' THEN 1
                    WHEN m.kind = 'customer' AND m.state = 'active' AND t.status = 'active' AND c.status = 'active' THEN 1
                    ELSE 0 END) AS usable,
           SUM(CASE WHEN m.kind = 'customer' AND m.state = 'active' AND (c.status <> 'active' OR t.status <> 'active') THEN 1
                    WHEN m.kind = 'partner' AND m.state = 'active' AND t.status <> 'active' THEN 1
                    ELSE 0 END) AS disabled
         FROM memberships m LEFT JOIN tenants t ON t.id = m.tenant_id LEFT JOIN customers c ON c.id = m.customer_id
         WHERE m.person_id = $1",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let usable: Option<i64> = row.try_get("usable")?;
    let disabled: Option<i64> = row.try_get("disabled")?;
    Ok(usable.unwrap_or(0) == 0 && disabled.unwrap_or(0) > 0)
}

/// Remembers this browser as one `person_id` signs in from (`throttle::remember_device`), giving
/// it a device cookie if it had none: their own tries from it are not held back by others' guessing.
pub(in crate::backend) async fn remember_device(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
) -> Result<(), sqlx::Error> {
    if let Some(token) = throttle::remember_device(conn, person_id, request::device_token().as_deref()).await? {
        request::set_device_cookie(&token, state.security.secure_cookies);
    }
    Ok(())
}
