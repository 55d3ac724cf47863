//! The one error type of every server function. It crosses the wire as JSON, so the browser
//! shows the same message the server chose; on the server each variant maps to an HTTP status.
use crate::types::customer_records::detail::StoredCustomer;
use crate::types::forms::FieldErrors;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Deliberately says nothing about whether the email exists.
    #[error("The email or password is not correct.")]
    BadCredentials,
    #[error("Too many attempts. Try again in {0} seconds.")]
    Throttled(u64),
    /// Right password, but every way in the person has is disabled (their customer account, or
    /// the partner they work for or buy from).
    #[error("This account is disabled, so access is paused. Contact your provider to have it activated again.")]
    AccountDisabled,
    #[error("Not permitted: {0}.")]
    Forbidden(String),
    #[error("Not found: {0}.")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Field key → problem, shown next to each field.
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    /// An edit carried an old version: here is the record as it is now.
    #[error("Someone else changed this customer while you were editing.")]
    Conflict(Box<StoredCustomer>),
    /// Someone else created the same thing at the same moment (a unique constraint caught it).
    #[error("{0}")]
    AlreadyExists(String),
    /// Another customer of the tenant has this exact name; saving again with consent creates it anyway.
    #[error("Another customer is already called \u{201c}{0}\u{201d}.")]
    DuplicateName(String),
    /// The database cannot serve this right now (busy, full, gone): a passing fault, not the
    /// request's. Answers 503 with `Retry-After`; nothing was changed.
    #[error("{} Nothing was changed; please try again in a moment.", .0.describe())]
    Unavailable(Outage),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport-level failures (network, decoding) raised by the server-function machinery.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn forbidden(what: impl Into<String>) -> Self {
        Self::Forbidden(what.into())
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }
    /// One field's problem, as the form shows it.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid([(field.to_string(), message.into())].into())
    }

    /// An internal failure: logged here, once, with what was being done and where; the browser
    /// learns only that something went wrong on our side.
    #[cfg(feature = "ssr")]
    #[track_caller]
    pub fn internal(doing: &str, error: impl std::fmt::Display) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(%error, %at, "internal error while {doing}");
        Self::Internal
    }

    /// The `Retry-After` (seconds) a failure this way answers with: outages, and throttled tries.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Self::Unavailable(outage) => Some(outage.retry_after_seconds()),
            Self::Throttled(seconds) => Some(*seconds),
            _ => None,
        }
    }

    /// The HTTP status a server function answers with when it fails this way.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::Forbidden(_) | Self::AccountDisabled => 403,
            Self::NotFound(_) => 404,
            Self::BadRequest(_) => 400,
            Self::Invalid(_) => 422,
            Self::Conflict(_) | Self::DuplicateName(_) | Self::AlreadyExists(_) => 409,
            Self::Throttled(_) => 429,
            Self::Unavailable(_) => 503,
            Self::Internal | Self::Transport(_) => 500,
        }
    }
}

/// Why the database cannot serve at the moment (see [`AppError::Unavailable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outage {
    /// Another writer held the lock for longer than we wait (SQLite's busy timeout), or
    /// PostgreSQL gave up on a lock or a serialisation conflict.
    Busy,
    /// The disk under the database is full.
    DiskFull,
    /// The database refuses writes (a read-only file or a standby server).
    ReadOnly,
    /// The database cannot be reached (server stopped, network, file gone).
    Unreachable,
}

impl Outage {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Busy => "The database is busy.",
            Self::DiskFull => "The database's disk is full.",
            Self::ReadOnly => "The database is read-only at the moment.",
            Self::Unreachable => "The database cannot be reached.",
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`): a lock passes in
    /// moments, the rest needs someone to act.
    pub fn retry_after_seconds(self) -> u64 {
        match self {
            Self::Busy => 1,
            Self::DiskFull | Self::ReadOnly | Self::Unreachable => 5,
        }
    }

    /// The outage behind a database error, if that is what it was. SQLite reports (extended)
    /// result codes, PostgreSQL SQLSTATEs; a connection that cannot be made or was lost is an
    /// I/O error or the pool's timeout.
    #[cfg(feature = "ssr")]
    pub fn of(error: &sqlx::Error) -> Option<Self> {
        match error {
            sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                Some(Self::Unreachable)
            }
            // SQLite: the primary result code is the low byte of the extended one.
            sqlx::Error::Database(e) if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
                match e.code()?.parse::<u32>().ok()? & 0xff {
                    5 | 6 => Some(Self::Busy),          // SQLITE_BUSY, SQLITE_LOCKED
                    13 => Some(Self::DiskFull),         // SQLITE_FULL
                    8 => Some(Self::ReadOnly),          // SQLITE_READONLY
                    10 | 14 => Some(Self::Unreachable), // SQLITE_IOERR, SQLITE_CANTOPEN
                    _ => None,
                }
            }
            // PostgreSQL: SQLSTATEs.
            sqlx::Error::Database(e) => {
                let code = e.code()?;
                match &*code {
                    // Lock not available (lock_timeout), serialisation failure, deadlock.
                    "55P03" | "40001" | "40P01" => Some(Self::Busy),
                    // Insufficient resources: disk full; out of memory, too many connections.
                    "53100" => Some(Self::DiskFull),
                    code if code.starts_with("53") => Some(Self::Busy),
                    // A read-only transaction (a standby, or default_transaction_read_only).
                    "25006" => Some(Self::ReadOnly),
                    // Connection exceptions, and the server shutting down or starting up.
                    "57P01" | "57P02" | "57P03" => Some(Self::Unreachable),
                    code if code.starts_with("08") => Some(Self::Unreachable),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Gives the response of the server function being run the status of this error
    /// (`status_code`, the one mapping) and its `Retry-After`, if it has one.
    pub fn set_response_status(&self) {
        use leptos::prelude::use_context;
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let Some(seconds) = self.retry_after_seconds() {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // The caller sent arguments that do not decode: their mistake, not ours.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                Self::BadRequest(format!("The request was malformed: {message}"))
            }
            other => Self::Transport(other.to_string()),
        };
        // On the server this runs inside the request, before any handler code: give the
        // response the error's status here (server_fn itself always answers 500).
        #[cfg(feature = "ssr")]
        error.set_response_status();
        error
    }
}

/// `?` on a database call: the log names the line of that `?` (track_caller), the browser
/// gets only `Internal`. A unique-constraint violation is a race another writer won, not a
/// fault: it answers 409 (call sites that know better use [`OnUnique`]).
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        if let Some(outage) = Outage::of(&error) {
            tracing::warn!(%error, at = %std::panic::Location::caller(), "database unavailable: {}", outage.describe());
            return Self::Unavailable(outage);
        }
        if is_data_exception(&error) {
            tracing::info!(%error, at = %std::panic::Location::caller(), "the database refused a value sent");
            return Self::BadRequest(
                "Some of the values sent cannot be stored (a NUL character, or a number out of range).".into(),
            );
        }
        if is_unique_violation(&error) {
            tracing::info!(%error, at = %std::panic::Location::caller(), "unique constraint: a concurrent writer won");
            return Self::AlreadyExists(
                "Someone else saved the same thing at the same moment. Reload and try again.".into(),
            );
        }
        Self::internal("querying the database", error)
    }
}

/// PostgreSQL's class 22 ("data exception": a NUL byte in text, a number out of range): a
/// value the request carried that no check caught, so the request's fault, not ours.
#[cfg(feature = "ssr")]
fn is_data_exception(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e)
        if e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some()
            && e.code().is_some_and(|code| code.starts_with("22")))
}

#[cfg(feature = "ssr")]
fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// Gives a unique-constraint violation (another writer got there first, between our check and
/// our insert) the answer the check would have given.
#[cfg(feature = "ssr")]
pub trait OnUnique<T> {
    fn on_unique(self, instead: impl FnOnce() -> AppError) -> Result<T, AppError>;
}

#[cfg(feature = "ssr")]
impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    #[track_caller]
    fn on_unique(self, instead: impl FnOnce() -> AppError) -> Result<T, AppError> {
        match self {
            Err(error) if is_unique_violation(&error) => Err(instead()),
            other => Ok(other?),
        }
    }
}
