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

/// What an address is counted as: itself for IPv4, its /64 for IPv6 (one subscriber usually
/// holds a whole /64, so counting single IPv6 addresses would let them rotate past every limit).
pub fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            ipnet::Ipv6Net::new(v6, 64).map(|net| net.trunc().to_string()).unwrap_or_else(|_| addr.to_string())
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or_else(|| addr.to_string(), |v4| v4.to_string()),
        _ => addr.to_string(),
    }
}

fn ip_key(addr: &str) -> String {
    format!("ip:{}", address_key(addr))
}
fn account_ip_key(email: &str, addr: &str) -> String {
    format!("acct-ip:{email}|{}", address_key(addr))
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

/// One sign-in attempt, counted as a failure from the moment it starts: the check and the
/// recording happen in one transaction, serialised per address, so twenty attempts at once
/// cannot all slip through before any is counted. A success takes its count back.
pub struct Attempt {
    email: String,
    addr: String,
    at: i64,
    /// Wait this long before checking the password (many addresses failing on one account).
    pub pause: std::time::Duration,
}

/// Starts an attempt: refuses it at once (429, no waiting) while its address is cooling down,
/// otherwise records it and says how long to pause. Holds no connection afterwards.
pub async fn begin_attempt(db: &super::Db, email: &str, addr: &str) -> Result<Attempt, AppError> {
    let mut tx = db.begin().await?;
    if db.is_postgres() {
        // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL serialises the
        // attempts of one address on a transaction-scoped lock.
        sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l")
            .bind(ip_key(addr))
            .execute(&mut *tx)
            .await?;
    }
    let pause = check(&mut tx, email, addr).await?;
    record_failure(&mut tx, email, addr).await?;
    tx.commit().await?;
    Ok(Attempt { email: email.to_string(), addr: addr.to_string(), at: now(), pause })
}

impl Attempt {
    /// The password was right: this attempt no longer counts, nor do this address's earlier
    /// failures on the account.
    pub async fn succeeded(&self, conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
        for key in [ip_key(&self.addr), account_key(&self.email)] {
            sqlx::query(
                "DELETE FROM login_failures WHERE id IN
                   (SELECT MAX(id) FROM login_failures WHERE throttle_key = $1 AND at >= $2)",
            )
            .bind(key)
            .bind(self.at - 1)
            .execute(&mut *conn)
            .await?;
        }
        record_success(conn, &self.email, &self.addr).await
    }
}

/// Refuses the attempt with the seconds left when its address is cooling down; otherwise
/// returns the pause to apply before checking the password.
async fn check(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<std::time::Duration, AppError> {
    for key in [ip_key(addr), account_ip_key(email, addr)] {
        refuse_while_cooling_down(conn, &key).await?;
    }
    let (account_failures, _) = recent(conn, &account_key(email), now() - WINDOW_SECS).await?;
    Ok(std::time::Duration::from_secs(account_pause(account_failures) as u64))
}

/// `Throttled` with the seconds left when `key` has failed too often lately: free attempts
/// first, then a doubling wait after each failure.
async fn refuse_while_cooling_down(conn: &mut sqlx::AnyConnection, key: &str) -> Result<(), AppError> {
    let at = now();
    let (failures, last) = recent(conn, key, at - WINDOW_SECS).await?;
    match seconds_to_wait(failures, last, at) {
        0 => Ok(()),
        wait => Err(AppError::Throttled(wait as u64)),
    }
}

/// How many seconds a key with `failures` recent failures, the last within second `last`, still
/// waits at second `at` (0: it may try). Times are whole seconds, so the wait counts from the end
/// of second `last`: at least the full delay, at most a second more. Counting from its start let
/// an attempt through a moment after the last failure whenever a second boundary fell between.
pub fn seconds_to_wait(failures: i64, last: i64, at: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    (last + 1 + delay_after(failures) - at).max(0)
}

async fn count(conn: &mut sqlx::AnyConnection, key: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn record_failure(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<(), sqlx::Error> {
    let at = now();
    for key in [ip_key(addr), account_ip_key(email, addr), account_key(email)] {
        count(conn, &key, at).await?;
    }
    // Keep the table small: rows past the window no longer count.
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(at - WINDOW_SECS).execute(&mut *conn).await?;
    Ok(())
}

/// A successful sign-in clears this address's record for the account.
async fn record_success(conn: &mut sqlx::AnyConnection, email: &str, addr: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(account_ip_key(email, addr))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn link_ip_key(addr: &str) -> String {
    format!("link-ip:{}", address_key(addr))
}

/// Refuses a use of an activation link from an address that has failed too often lately (the
/// same doubling wait as sign-in).
pub async fn check_link(conn: &mut sqlx::AnyConnection, addr: &str) -> Result<(), AppError> {
    refuse_while_cooling_down(conn, &link_ip_key(addr)).await
}

pub async fn record_link_failure(conn: &mut sqlx::AnyConnection, addr: &str) -> Result<(), sqlx::Error> {
    count(conn, &link_ip_key(addr), now()).await
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
            .bind(format!("reset-ip:{}", address_key(addr)))
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
        (row.try_get::<i64, _>("n")?, row.try_get::<i64, _>("first")?)
    };
    if from_addr >= FREE_ATTEMPTS * 2 {
        return Err(AppError::Throttled((first + WINDOW_SECS - at).max(1) as u64));
    }
    let (for_email, _) = recent(conn, &format!("reset:{email}"), since).await?;
    for key in [format!("reset-ip:{}", address_key(addr)), format!("reset:{email}")] {
        count(conn, &key, at).await?;
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
    fn the_wait_is_never_shorter_than_the_delay() {
        assert_eq!(seconds_to_wait(4, 100, 100), 0, "free attempts never wait");
        // The fifth failure at 100.999 and the next attempt at 101.001: still a whole second.
        assert_eq!(seconds_to_wait(5, 100, 101), 1);
        assert_eq!(seconds_to_wait(5, 100, 100), 2);
        assert_eq!(seconds_to_wait(5, 100, 102), 0);
        assert_eq!(seconds_to_wait(6, 100, 101), 2);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:bbbb::9"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn account_pause_is_capped() {
        assert_eq!(account_pause(9), 0);
        assert_eq!(account_pause(10), 1);
        assert_eq!(account_pause(1000), ACCOUNT_MAX_PAUSE_SECS);
    }
}
