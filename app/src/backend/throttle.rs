//! Throttling of password guesses that slows guessing without handing an attacker a way to lock
//! anyone out (PRODUCT.md §12; issue 35). Every password check goes through [`begin_attempt`]:
//! sign-in, password change and "Delete my account". Failures are rows of `login_failures`, so
//! several instances share them, and each counts under three keys:
//!
//! * **the account from this address** (`acct-ip:`): past [`FREE_ATTEMPTS`], the next try waits a
//!   doubling delay (capped at a minute), refused (429) until then. Only the address that
//!   guessed waits, and only for that account.
//! * **the account from every address** (`acct:`): guessing spread over many machines. Past
//!   [`ACCOUNT_SLOW_AFTER`] failures in the window the account takes one try per growing
//!   interval (2, 4, … capped at [`ACCOUNT_MAX_SPACING_SECS`]), and its owner is emailed once.
//!   A browser the owner has signed in from before (a *known device*, below) is not held back.
//! * **the address, for every account** (`ip:`): spraying one password over many accounts.
//!   Past [`ADDRESS_SLOW_AFTER`] failures it adds a short pause (capped at
//!   [`ADDRESS_MAX_PAUSE_MS`]) before each check from there: never a refusal, so a shared office
//!   or proxy cannot be locked out by one guesser. The pause counts every failure alike, unknown
//!   emails included: telling them apart would say which emails exist.
//!
//! A known device is a browser that signed in as the person before: the `clientele_device`
//! cookie, a random token whose hash `known_devices` pairs with the person. Its tries count
//! under its own key (`dev:`, refused past [`FREE_ATTEMPTS`] like the address's) instead of the
//! address's and the account's, so the owner signs in at once while strangers guess.
//!
//! Single-use links (activation, reset) are 256-bit tokens: a wrong one is counted against the
//! address, and past [`FREE_ATTEMPTS`] a wrong one answers 429 rather than 400; a valid link is
//! never refused for what others did from the same address ([`check_link`]).

use super::now;
use crate::error::AppError;
use sqlx::Row;
use std::time::Duration;

const WINDOW_SECS: i64 = 15 * 60;
pub const FREE_ATTEMPTS: i64 = 5;
const MAX_DELAY_SECS: i64 = 60;
/// Failures of one account from any addresses before it slows down.
pub const ACCOUNT_SLOW_AFTER: i64 = 10;
pub const ACCOUNT_MAX_SPACING_SECS: i64 = 30;
/// Failures from one address (any accounts) before it pauses.
pub const ADDRESS_SLOW_AFTER: i64 = 20;
pub const ADDRESS_MAX_PAUSE_MS: u64 = 2000;

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
fn device_key(device_hash: &str, email: &str) -> String {
    format!("dev:{device_hash}|{email}")
}

/// How long a key with `failures` recent failures must wait after its last one.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        0
    } else {
        (1i64 << (failures - FREE_ATTEMPTS).min(6)).min(MAX_DELAY_SECS)
    }
}

/// The interval between tries of an account failing from many addresses (0: not slowed).
pub fn account_spacing(failures: i64) -> i64 {
    if failures < ACCOUNT_SLOW_AFTER {
        0
    } else {
        (2i64 << (failures - ACCOUNT_SLOW_AFTER).min(5)).min(ACCOUNT_MAX_SPACING_SECS)
    }
}

/// The pause before a check from an address with `failures` recent failures.
pub fn address_pause(failures: i64) -> Duration {
    let over = u64::try_from(failures - ADDRESS_SLOW_AFTER + 1).unwrap_or(0);
    Duration::from_millis((over * 250).min(ADDRESS_MAX_PAUSE_MS))
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

/// One password check, counted as a failure from the moment it starts: the check and the
/// recording happen in one transaction, serialised per account and per address, so twenty
/// attempts at once cannot all slip through before any is counted. A success takes its count back.
pub struct Attempt {
    email: String,
    addr: String,
    /// The known device's token hash, when the browser is one for this account.
    device: Option<String>,
    at: i64,
    /// Wait this long before checking the password (the address has failed a lot lately).
    pub pause: Duration,
    /// This attempt took the account past [`ACCOUNT_SLOW_AFTER`]: tell its owner.
    pub account_under_attack: bool,
}

/// Starts an attempt for `email` from `addr`, from a browser holding `device` (the
/// `clientele_device` cookie, if any): refuses it at once (429, no waiting) while the account is
/// cooling down for this address or device, or is slowed and this is not a known device;
/// otherwise records it and says how long to pause. Holds no connection afterwards.
pub async fn begin_attempt(db: &super::Db, email: &str, addr: &str, device: Option<&str>) -> Result<Attempt, AppError> {
    let mut tx = db.begin().await?;
    if db.is_postgres() {
        // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL serialises the
        // attempts on one account, then those of one address (always in that order), on
        // transaction-scoped locks.
        for key in [account_key(email), ip_key(addr)] {
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
    }
    let device = match device {
        Some(token) => known_device(&mut tx, token, email).await?,
        None => None,
    };
    let at = now();
    let since = at - WINDOW_SECS;
    let own_key = match &device {
        Some(hash) => device_key(hash, email),
        None => account_ip_key(email, addr),
    };
    refuse_while_cooling_down(&mut tx, &own_key).await?;
    let (account_failures, account_last) = recent(&mut tx, &account_key(email), since).await?;
    let (address_failures, _) = recent(&mut tx, &ip_key(addr), since).await?;
    let pause = if device.is_none() {
        let wait = (account_last + account_spacing(account_failures) - at).max(0);
        if account_spacing(account_failures) > 0 && wait > 0 {
            return Err(AppError::Throttled(wait as u64));
        }
        address_pause(address_failures)
    } else {
        Duration::ZERO
    };
    for key in [ip_key(addr), account_key(email), own_key] {
        count(&mut tx, &key, at).await?;
    }
    // Keep the table small: rows past the window no longer count.
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(since).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Attempt {
        email: email.to_string(),
        addr: addr.to_string(),
        device,
        at,
        pause,
        account_under_attack: account_failures + 1 == ACCOUNT_SLOW_AFTER,
    })
}

impl Attempt {
    /// The password was right: this attempt no longer counts, nor do this address's (or
    /// device's) earlier failures on the account.
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
        let own_key = match &self.device {
            Some(hash) => device_key(hash, &self.email),
            None => account_ip_key(&self.email, &self.addr),
        };
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1").bind(own_key).execute(&mut *conn).await?;
        Ok(())
    }
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

/// The hash of `token` when it is a known device of the person with `email`.
async fn known_device(conn: &mut sqlx::AnyConnection, token: &str, email: &str) -> Result<Option<String>, sqlx::Error> {
    let hash = super::tokens::token_hash(token);
    let row = sqlx::query(
        "SELECT 1 AS known FROM known_devices d JOIN persons p ON p.id = d.person_id
         WHERE d.token_hash = $1 AND p.email = $2",
    )
    .bind(&hash)
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|_| hash))
}

/// Remembers this browser as a known device of `person_id` (after they proved their password or
/// a link to their inbox): `device` is the browser's current device token, if any. Returns the
/// token the browser should keep, when it is a new one.
pub async fn remember_device(
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
    device: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let (token, new) = match device {
        Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => (token.to_string(), false),
        _ => (super::tokens::new_token(), true),
    };
    let hash = super::tokens::token_hash(&token);
    let at = now();
    let touched = sqlx::query("UPDATE known_devices SET last_used_at = $1 WHERE token_hash = $2 AND person_id = $3")
        .bind(at)
        .bind(&hash)
        .bind(person_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if touched == 0 {
        sqlx::query(
            "INSERT INTO known_devices (token_hash, person_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(&hash)
        .bind(person_id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(new.then_some(token))
}

/// Tells the person with `email`, if there is one, that their password is being guessed from
/// many places (`throttle::Attempt::account_under_attack`: once per wave). In the background: the
/// answer to whoever is guessing takes as long either way.
pub(in crate::backend) fn warn_owner(state: &super::AppState, email: &str) {
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

/// Forgets the sign-in and reset failures counted against the account `email` (an erasure): its
/// own keys exactly, and its per-address and per-device keys by their exact prefix and suffix,
/// never a pattern that a crafted address (`%@corp.example`) could widen to other accounts.
pub async fn forget_account(conn: &mut sqlx::AnyConnection, email: &str) -> Result<(), sqlx::Error> {
    // `account_ip_key(email, addr)` is this prefix followed by the address; `device_key` is
    // "dev:" and a 64-digit hash followed by `|email`.
    let per_address = format!("acct-ip:{email}|");
    let per_device = format!("|{email}");
    sqlx::query(
        "DELETE FROM login_failures
         WHERE throttle_key IN ($1, $2) OR SUBSTR(throttle_key, 1, LENGTH($3)) = $3
            OR (SUBSTR(throttle_key, 1, 4) = 'dev:' AND SUBSTR(throttle_key, 69) = $4)",
    )
    .bind(account_key(email))
    .bind(format!("reset:{email}"))
    .bind(per_address)
    .bind(per_device)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn link_ip_key(addr: &str) -> String {
    format!("link-ip:{}", address_key(addr))
}

/// A use of a single-use link from `addr` that failed: `Throttled` instead of the link's own
/// problem once the address has failed too often lately (the same doubling wait as sign-in).
/// Only failures are ever refused: a valid link is used whatever else came from the address.
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
    fn an_account_under_distributed_guessing_slows_down_up_to_a_cap() {
        assert_eq!(account_spacing(ACCOUNT_SLOW_AFTER - 1), 0);
        assert_eq!(account_spacing(ACCOUNT_SLOW_AFTER), 2);
        assert_eq!(account_spacing(ACCOUNT_SLOW_AFTER + 1), 4);
        assert_eq!(account_spacing(ACCOUNT_SLOW_AFTER + 3), 16);
        assert_eq!(account_spacing(1000), ACCOUNT_MAX_SPACING_SECS);
    }

    #[test]
    fn an_address_only_ever_pauses_and_briefly() {
        assert_eq!(address_pause(ADDRESS_SLOW_AFTER - 1), Duration::ZERO);
        assert_eq!(address_pause(ADDRESS_SLOW_AFTER), Duration::from_millis(250));
        assert_eq!(address_pause(10_000), Duration::from_millis(ADDRESS_MAX_PAUSE_MS));
    }
}
