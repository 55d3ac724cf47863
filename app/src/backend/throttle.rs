//! Sign-in throttling that slows guessing without handing an attacker a way to lock the real
//! user out.
//!
//! Failures are counted per client address and per (account, address) pair; past a few free
//! attempts those keys must wait a doubling delay before the next try, which an attacker can only
//! impose on addresses they use. Failures per account from all addresses together only add a
//! short, capped server-side pause: distributed guessing gets slower, the owner is never refused.

use super::now;
use crate::AppError;
use sqlx::Row;

const WINDOW_SECS: i64 = 15 * 60;
const FREE_ATTEMPTS: i64 = 5;
const MAX_DELAY_SECS: i64 = 60;
const ACCOUNT_PAUSE_AFTER: i64 = 10;
const ACCOUNT_MAX_PAUSE_SECS: i64 = 3;

fn ip_key(addr: &str) -> String {
    format!("ip:{addr}")
}
fn account_ip_key(email: &str, addr: &str) -> String {
    format!("acct-ip:{email}|{addr}")
}
fn account_key(email: &str) -> String {
    format!("acct:{email}")
}

/// How long a key with `failures` recent failures must wait after its last one.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        0
    } else {
        (1i64 << (failures - FREE_ATTEMPTS).min(6)).min(MAX_DELAY_SECS)
    }
}

/// The capped pause for an account that many addresses are failing on.
pub fn account_pause(failures: i64) -> i64 {
    (failures - ACCOUNT_PAUSE_AFTER + 1).clamp(0, ACCOUNT_MAX_PAUSE_SECS)
}

async fn recent(conn: &mut sqlx::AnyConnection, key: &str, since: i64) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MAX(at), 0) AS last FROM login_failures WHERE throttle_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("last")?))
}

/// Refuses the attempt with the seconds left when its address is cooling down; otherwise
/// returns the pause to apply before checking the password.
pub async fn check(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<std::time::Duration, AppError> {
    let at = now();
    let since = at - WINDOW_SECS;
    for key in [ip_key(addr), account_ip_key(email, addr)] {
        let (failures, last) = recent(conn, &key, since).await?;
        let wait = last + delay_after(failures) - at;
        if failures >= FREE_ATTEMPTS && wait > 0 {
            return Err(AppError::Throttled(wait as u64));
        }
    }
    let (account_failures, _) = recent(conn, &account_key(email), since).await?;
    Ok(std::time::Duration::from_secs(account_pause(account_failures) as u64))
}

pub async fn record_failure(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<(), sqlx::Error> {
    let at = now();
    for key in [ip_key(addr), account_ip_key(email, addr), account_key(email)] {
        sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(at)
            .execute(&mut *conn)
            .await?;
    }
    // Keep the table small: rows past the window no longer count.
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(at - WINDOW_SECS).execute(&mut *conn).await?;
    Ok(())
}

/// A successful sign-in clears this address's record for the account.
pub async fn record_success(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(account_ip_key(email, addr))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn link_ip_key(addr: &str) -> String {
    format!("link-ip:{addr}")
}

/// Refuses a use of an activation link from an address that has failed too often lately (the
/// same doubling wait as sign-in).
pub async fn check_link(conn: &mut sqlx::AnyConnection, addr: &str) -> Result<(), AppError> {
    let at = now();
    let (failures, last) = recent(conn, &link_ip_key(addr), at - WINDOW_SECS).await?;
    let wait = last + delay_after(failures) - at;
    if failures >= FREE_ATTEMPTS && wait > 0 {
        return Err(AppError::Throttled(wait as u64));
    }
    Ok(())
}

pub async fn record_link_failure(conn: &mut sqlx::AnyConnection, addr: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
        .bind(link_ip_key(addr))
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Password-reset requests ("Forgot password?"). An address may ask `FREE_ATTEMPTS` times per
/// window, then is refused until the window moves on. One email gets at most three reset
/// emails per window, silently (the answer stays the same), so nobody can flood an inbox.
/// Returns whether to send.
pub async fn reset_request(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<bool, AppError> {
    const PER_EMAIL: i64 = 3;
    let at = now();
    let since = at - WINDOW_SECS;
    let (from_addr, first) = {
        let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS first FROM login_failures WHERE throttle_key = $1 AND at >= $2")
            .bind(format!("reset-ip:{addr}"))
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
        (row.try_get::<i64, _>("n")?, row.try_get::<i64, _>("first")?)
    };
    if from_addr >= FREE_ATTEMPTS * 2 {
        return Err(AppError::Throttled((first + WINDOW_SECS - at).max(1) as u64));
    }
    let (for_email, _) = recent(conn, &format!("reset:{email}"), since).await?;
    for key in [format!("reset-ip:{addr}"), format!("reset:{email}")] {
        sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(at)
            .execute(&mut *conn)
            .await?;
    }
    Ok(for_email < PER_EMAIL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_is_free_then_doubles_then_caps() {
        assert_eq!(delay_after(0), 0);
        assert_eq!(delay_after(4), 0);
        assert_eq!(delay_after(5), 1);
        assert_eq!(delay_after(6), 2);
        assert_eq!(delay_after(9), 16);
        assert_eq!(delay_after(11), 60);
        assert_eq!(delay_after(500), 60);
    }

    #[test]
    fn account_pause_is_capped() {
        assert_eq!(account_pause(9), 0);
        assert_eq!(account_pause(10), 1);
        assert_eq!(account_pause(1000), ACCOUNT_MAX_PAUSE_SECS);
    }
}
