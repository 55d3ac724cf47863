//! One's own account (the "My account" page, every signed-in person): name, password and the
//! sessions signed in as oneself. Nothing here while viewing a customer account as its users do:
//! those changes belong to the person, not to the account viewed.

use super::{audit, email, now, password, throttle, Actor, AppState};
use crate::error::AppError;
use crate::types::forms::person_name_problem;
use crate::types::my_account::{MyAccount, OwnSession, Theme};
use sqlx::Row;

fn not_while_impersonating(actor: &Actor) -> Result<(), AppError> {
    match actor.impersonation {
        Some(_) => {
            Err(AppError::forbidden("you are viewing a customer account as its users do; return to Clientele first"))
        }
        None => Ok(()),
    }
}

pub async fn get(state: &AppState, actor: &Actor) -> Result<MyAccount, AppError> {
    not_while_impersonating(actor)?;
    let rows = sqlx::query(
        "SELECT id, created_at, last_seen_at, client_addr, user_agent FROM sessions
         WHERE person_id = $1 ORDER BY last_seen_at DESC, id DESC",
    )
    .bind(actor.person_id)
    .fetch_all(&state.db.pool)
    .await?;
    let sessions = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(OwnSession {
                id,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                client_addr: r.try_get("client_addr")?,
                user_agent: r.try_get("user_agent")?,
                current: id == actor.session_id,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(MyAccount { full_name: actor.full_name.clone(), email: actor.email.clone(), theme: actor.theme, sessions })
}

/// Changes the name one chose for oneself (partners keep the names they gave at invitation).
pub async fn rename(state: &AppState, actor: &Actor, full_name: &str) -> Result<(), AppError> {
    not_while_impersonating(actor)?;
    if let Some(problem) = person_name_problem(full_name) {
        return Err(AppError::invalid("full_name", problem));
    }
    let full_name = crate::types::forms::clean_text(full_name);
    let full_name = full_name.as_str();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE persons SET full_name = $1, updated_at = $2 WHERE id = $3")
        .bind(full_name)
        .bind(now())
        .bind(actor.person_id)
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry::new("account.renamed")
        .by(actor)
        .target("person", Some(actor.person_id), &actor.email)
        .change("full_name", actor.full_name.as_str(), full_name);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Remembers the colour theme one chose, for every device one signs in on. A preference of the
/// person's own, with no effect on data, so it is not audited.
pub async fn set_theme(state: &AppState, actor: &Actor, theme: Theme) -> Result<(), AppError> {
    not_while_impersonating(actor)?;
    sqlx::query("UPDATE persons SET theme = $1 WHERE id = $2")
        .bind(theme.key())
        .bind(actor.person_id)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// Changes one's password: the current one is needed (and wrong guesses are throttled like
/// sign-ins), every other session ends, and an email tells the person it happened.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new_password: &str,
) -> Result<(), AppError> {
    not_while_impersonating(actor)?;
    if current.is_empty() {
        return Err(AppError::invalid("current_password", "Enter your current password."));
    }
    let addr = actor.client_addr.clone().unwrap_or_else(|| "unknown".into());
    let attempt =
        throttle::begin_attempt(&state.db, &actor.email, &addr, super::request::device_token().as_deref()).await?;
    if attempt.account_under_attack {
        throttle::warn_owner(state, &actor.email);
    }
    if !attempt.pause.is_zero() {
        tokio::time::sleep(attempt.pause).await;
    }
    let stored: Option<String> = sqlx::query("SELECT password_hash FROM persons WHERE id = $1")
        .bind(actor.person_id)
        .fetch_one(&state.db.pool)
        .await?
        .try_get("password_hash")?;
    if current.len() > 1024 || !password::verify_off_thread(current, stored).await? {
        return Err(AppError::invalid("current_password", "That is not your current password."));
    }
    {
        let mut conn = state.db.pool.acquire().await?;
        attempt.succeeded(&mut conn).await?;
    }
    if let Some(problem) = password::choice_problem_off_thread(new_password, &[&actor.email, &actor.full_name]).await? {
        return Err(AppError::invalid("new_password", problem));
    }
    let hash = password::hash_off_thread(new_password).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE persons SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(now())
        .bind(actor.person_id)
        .execute(&mut *tx)
        .await?;
    let ended = end_other_sessions(&mut tx, actor).await?;
    // Other browsers known from before are known no longer (this one stays known).
    sqlx::query("DELETE FROM known_devices WHERE person_id = $1").bind(actor.person_id).execute(&mut *tx).await?;
    super::session::store::remember_device(state, &mut tx, actor.person_id).await?;
    let entry = audit::Entry::new("auth.password_changed")
        .by(actor)
        .target("person", Some(actor.person_id), &actor.email)
        .change("other_sessions_ended", serde_json::Value::Null, ended);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let notice = email::notice(
        &actor.full_name,
        &actor.email,
        "Your Clientele password was changed",
        &format!(
            "Hello {},\n\nThe password of your Clientele account was changed {}, and every other session \
             signed in as you was ended.\n\nIf this was not you, use \"Forgot password?\" on the sign-in page at once \
             to choose a new one, and tell your administrator.\n",
            actor.full_name,
            email::expiry_text(now()),
        ),
    );
    if let Err(error) = email::send(&state.db, &state.mail, notice).await {
        // The change stands; the notice is recorded as failed in the mailbox log.
        tracing::warn!(?error, "password-changed notice not sent");
    }
    Ok(())
}

/// Ends every session of one's own except this one ("sign out everywhere else").
pub async fn sign_out_others(state: &AppState, actor: &Actor) -> Result<u64, AppError> {
    not_while_impersonating(actor)?;
    let mut tx = state.db.begin().await?;
    let ended = end_other_sessions(&mut tx, actor).await?;
    let entry = audit::Entry::new("auth.signed_out_elsewhere")
        .by(actor)
        .target("person", Some(actor.person_id), &actor.email)
        .change("sessions_ended", serde_json::Value::Null, ended);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Ends every session of the actor's but the one they are using; how many ended.
async fn end_other_sessions(conn: &mut sqlx::AnyConnection, actor: &Actor) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id <> $2")
        .bind(actor.person_id)
        .bind(actor.session_id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}
