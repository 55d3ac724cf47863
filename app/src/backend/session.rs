//! Signing in and out, and the server-side sessions they start and end. The browser holds a
//! 256-bit random token; the database holds only its SHA-256, so neither a database leak nor a
//! log line yields a usable cookie.

use super::{audit, now, password, request, throttle, AppState, Db, SecurityConfig};
use crate::AppError;
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
    use super::customers::sql::{Sql, Value};
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

/// Email addresses are one identity per address, compared case-insensitively.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks the credentials and, on success, starts a fresh session and returns its token; the
/// session the browser came with (if any) ends, so no earlier token outlives a sign-in.
/// Every outcome is audited; failures feed the throttle.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password_attempt: &str,
    previous_token: Option<&str>,
) -> Result<String, AppError> {
    let email = normalize_email(email);
    if email.is_empty() || password_attempt.is_empty() {
        return Err(AppError::bad_request("Enter your email and password."));
    }
    if email.len() > 254 || password_attempt.len() > 1024 {
        return Err(AppError::BadCredentials);
    }
    let client_addr = request::client_addr(&state.security);
    let throttle_addr = client_addr.clone().unwrap_or_else(|| "unknown".into());
    // Counted before the password is checked (a throttled address is refused at once); the
    // pause for an account failing from many addresses is slept with no connection held.
    let attempt =
        throttle::begin_attempt(&state.db, &email, &throttle_addr, request::device_token().as_deref()).await?;
    if attempt.account_under_attack {
        warn_owner(state, &email);
    }
    if !attempt.pause.is_zero() {
        tokio::time::sleep(attempt.pause).await;
    }

    let person = sqlx::query("SELECT id, full_name, password_hash, email_verified_at FROM persons WHERE email = $1")
        .bind(&email)
        .fetch_optional(&state.db.pool)
        .await?;
    let stored_hash: Option<String> = match &person {
        Some(p) => p.try_get("password_hash")?,
        None => None,
    };
    let ok = password::verify_off_thread(password_attempt, stored_hash).await?;
    let person_id: Option<i64> = person.as_ref().map(|p| p.try_get("id")).transpose()?;

    let confirmed = match &person {
        Some(p) => p.try_get::<Option<i64>, _>("email_verified_at")?.is_some(),
        None => true,
    };
    if let (true, false, Some(person_id)) = (ok, confirmed, person_id) {
        if holds_staff_rights(state, person_id).await? {
            // Staff rights wait for a confirmed address: a link to it confirms (and sets the password).
            super::account_links::forgot_password(state, &email).await?;
            return Err(AppError::forbidden(
                "your email address is not confirmed yet; we have sent a link to it: open it to confirm the address and sign in",
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    match (ok, person_id) {
        (true, Some(person_id)) if only_disabled_accounts(&mut tx, person_id).await? => {
            // The password was right, so saying why is no leak; no session starts.
            attempt.succeeded(&mut tx).await?;
            let entry = audit::Entry::new("auth.sign_in_refused")
                .target("person", Some(person_id), &email)
                .from_addr(client_addr);
            audit::record(&mut tx, entry.change("reason", serde_json::Value::Null, "customer account disabled"))
                .await?;
            tx.commit().await?;
            Err(AppError::AccountDisabled)
        }
        (true, Some(person_id)) => {
            if let Some(previous) = previous_token {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash(previous))
                    .execute(&mut *tx)
                    .await?;
            }
            let tenant = first_tenant(&mut tx, person_id).await?;
            let token =
                create(&mut tx, person_id, tenant, client_addr.as_deref(), request::user_agent().as_deref()).await?;
            sqlx::query("UPDATE persons SET last_login_at = $1 WHERE id = $2")
                .bind(now())
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            attempt.succeeded(&mut tx).await?;
            remember_device(state, &mut tx, person_id).await?;
            let name: String = person.as_ref().map(|p| p.try_get("full_name")).transpose()?.unwrap_or_default();
            let entry = audit::Entry::new("auth.sign_in")
                .by_person(person_id, &name, &email)
                .target("person", Some(person_id), &email)
                .from_addr(client_addr);
            audit::record(&mut tx, entry.in_tenant(tenant)).await?;
            tx.commit().await?;
            Ok(token)
        }
        _ => {
            // Already counted by `begin_attempt`.
            let entry =
                audit::Entry::new("auth.sign_in_failed").target("person", person_id, &email).from_addr(client_addr);
            audit::record(&mut tx, entry).await?;
            tx.commit().await?;
            Err(AppError::BadCredentials)
        }
    }
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

/// Tells the person with `email`, if there is one, that their password is being guessed from
/// many places (`throttle::Attempt::account_under_attack`: once per wave). In the background: the
/// answer to whoever is guessing takes as long either way.
pub(in crate::backend) fn warn_owner(state: &AppState, email: &str) {
    let (state, email) = (state.clone(), email.to_string());
    tokio::spawn(async move {
        let person = sqlx::query("SELECT full_name FROM persons WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.db.pool)
            .await;
        let Ok(Some(person)) = person else { return };
        let Ok(name) = person.try_get::<String, _>("full_name") else { return };
        let notice = super::email::notice(
            &name,
            &email,
            "Someone is trying to sign in to your Clientele account",
            &format!(
                "Hello {name},\n\nIn the last few minutes many wrong passwords were tried for your Clientele account, \
                 from more than one place. Sign-ins to it are now slowed down for every browser you have not signed in \
                 from before; yours work as usual.\n\nIf you did not try these yourself, nothing is needed: your password \
                 was not accepted. If you use it anywhere else, change it there, and consider choosing a new one here \
                 (My account, or \"Forgot password?\" on the sign-in page).\n"
            ),
        );
        if let Err(error) = super::email::send(&state.db, &state.mail, notice).await {
            tracing::warn!(?error, "the notice of guessed sign-ins was not sent");
        }
    });
}

/// Whether the person's only ways in are all disabled: customer accounts that are (or whose
/// partner is), or a partner that is. PRODUCT.md §5: a disabled customer's users cannot sign in;
/// issue 14: nor a disabled partner's staff.
pub(super) async fn only_disabled_accounts(
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

/// The first partner tenant a person works in (by name), for a new session to start in.
async fn first_tenant(conn: &mut sqlx::AnyConnection, person_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.person_id = $1 AND m.kind = 'partner' AND m.state = 'active' AND t.status = 'active'
         ORDER BY t.name LIMIT 1",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// Whether the person holds staff rights (an active partner or operator membership).
async fn holds_staff_rights(state: &AppState, person_id: i64) -> Result<bool, AppError> {
    let row = sqlx::query(
        "SELECT 1 AS staff FROM memberships
         WHERE person_id = $1 AND state = 'active' AND kind IN ('operator', 'partner')",
    )
    .bind(person_id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.is_some())
}

/// Ends the session on the server (the cookie alone is not trusted to be dropped).
pub async fn sign_out(state: &AppState, actor: &super::Actor) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(actor.session_id).execute(&mut *tx).await?;
    let entry = audit::Entry::new("auth.sign_out").by(actor).target("person", Some(actor.person_id), &actor.email);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Ann@Example.COM "), "ann@example.com");
    }

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
