//! Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).

use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// argon2id's parameters for every password stored: memory in KiB, passes, lanes (OWASP's
/// minimum). A hash carries its own, so one made with other parameters still verifies.
pub const PARAMETERS: (u32, u32, u32) = (19 * 1024, 2, 1);

/// Set only by the test harness: hash with the smallest parameters argon2 allows instead, so
/// that a test suite creating and signing in hundreds of people does not spend minutes hashing.
static CHEAP_FOR_TESTS: AtomicBool = AtomicBool::new(false);

/// For tests only (the server never calls it): every hash from now on in this process uses
/// argon2's smallest parameters (8 KiB, one pass) instead of [`PARAMETERS`].
pub fn use_cheap_parameters_in_tests() {
    CHEAP_FOR_TESTS.store(true, Ordering::Relaxed);
}

fn hasher() -> Argon2<'static> {
    let (memory, passes, lanes) = if CHEAP_FOR_TESTS.load(Ordering::Relaxed) { (8, 1, 1) } else { PARAMETERS };
    let params = Params::new(memory, passes, lanes, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

/// Verifies against a stored hash. With no hash (unknown email, or no password set yet) it
/// verifies against a dummy so that the answer takes as long either way: timing must not reveal
/// which emails exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("clientele-timing-equaliser"));
    let (encoded, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(encoded) else {
        return false;
    };
    hasher().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// argon2 (19 MiB, CPU-bound) and zxcvbn run on blocking threads, one fewer at a time than there
/// are cores (at least one): a burst of sign-ins waits its turn and always leaves a core for
/// every other request.
fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// Runs CPU-heavy password work off the async executor, a bounded number at a time.
async fn off_thread<T: Send + 'static>(doing: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _permit = permits().acquire().await.map_err(|e| AppError::internal(doing, e))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::internal(doing, e))
}

/// [`hash`], off the executor.
pub async fn hash_off_thread(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    off_thread("hashing a new password", move || hash(&password)).await
}

/// [`verify`], off the executor.
pub async fn verify_off_thread(password: &str, stored: Option<String>) -> Result<bool, AppError> {
    let password = password.to_string();
    off_thread("verifying a password", move || verify(&password, stored.as_deref())).await
}

/// [`choice_problem`] (zxcvbn), off the executor.
pub async fn choice_problem_off_thread(password: &str, personal: &[&str]) -> Result<Option<String>, AppError> {
    let password = password.to_string();
    let personal: Vec<String> = personal.iter().map(|s| s.to_string()).collect();
    off_thread("rating a password", move || {
        let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
        choice_problem(&password, &personal)
    })
    .await
}

/// Why a password someone chose cannot be used, if it cannot: the length rules, then
/// zxcvbn's estimate. Scores 0 and 1 (found within a million guesses: the most common
/// passwords, keyboard walks, the person's own name or email) are refused.
pub fn choice_problem(password: &str, personal: &[&str]) -> Option<String> {
    if let Some(problem) = crate::types::account_links::password_length_problem(password) {
        return Some(problem);
    }
    let estimate = zxcvbn::zxcvbn(password, personal);
    ((estimate.score() as u8) < 2).then(|| {
        let hint = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
        format!("This password is too easy to guess{hint}. Try a longer phrase of unrelated words.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What production stores (this unit test process never switches to the cheap parameters):
    /// argon2id, 19 MiB, 2 passes, 1 lane, verifiable.
    #[test]
    fn stored_passwords_use_the_production_parameters() {
        assert_eq!(PARAMETERS, (19 * 1024, 2, 1), "OWASP's minimum for argon2id");
        let stored = hash("violet tractor ninety lanterns");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("violet tractor ninety lanterns", Some(&stored)));
        assert!(!verify("violet tractor ninety lantern", Some(&stored)));
        assert!(!verify("anything", None), "no stored hash never verifies");
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert!(choice_problem("password", &[]).is_some());
        assert!(choice_problem("12345678", &[]).is_some());
        assert!(choice_problem("qwertyuiop", &[]).is_some());
        assert!(choice_problem("dana.diaz@example.com", &["dana.diaz@example.com"]).is_some());
        assert!(choice_problem("short", &[]).unwrap().contains("at least 8"));
        assert_eq!(choice_problem("violet tractor ninety lanterns", &[]), None);
    }

    #[test]
    fn hashes_are_argon2id_with_required_cost_and_verify() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", Some(&h)));
        assert!(!verify("wrong horse", Some(&h)));
        assert!(!verify("correct horse", None));
        assert!(!verify("x", Some("not a hash")));
    }
}
