//! Signing in and out. The sessions they start and end are `store`'s.

pub mod store;

use crate::backend::tokens::token_hash;
use crate::backend::{audit, now, password, request, throttle, AppState};
use crate::error::AppError;
use crate::types::forms::normalize_email;
use sqlx::Row;
use store::{create, only_disabled_accounts, remember_device};

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
        throttle::warn_owner(state, &email);
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
