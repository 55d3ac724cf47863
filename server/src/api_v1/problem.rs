//! Errors of the partner API as RFC 9457 problem details (`application/problem+json`): one
//! mapping from the app's one error type, `AppError`, so the API says what the forms say.

use app::AppError;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An error answer. `code` is stable for software to branch on; `detail` is for people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: `code` names the kind of problem.
    #[serde(rename = "type", serialize_with = "about_blank")]
    #[schema(value_type = String)]
    pub kind: (),
    /// The HTTP status's phrase.
    pub title: &'static str,
    pub status: u16,
    /// What went wrong, in words.
    pub detail: String,
    /// One of: `unauthenticated`, `forbidden`, `not_found`, `bad_request`, `invalid`,
    /// `version_mismatch`, `conflict`, `duplicate_name`, `rate_limited`, `unavailable`, `internal`.
    pub code: &'static str,
    /// For `invalid`: field → problem, as the forms show them (`custom.<key>` for custom fields).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
    /// For `version_mismatch`: the customer's version now (its `ETag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For `rate_limited` and `unavailable`: seconds to wait (also `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: (),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: BTreeMap::new(),
            current_version: None,
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// One field's problem.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut problem = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Some fields need attention.");
        problem.errors.insert(field.to_string(), message.into());
        problem
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn about_blank<S: serde::Serializer>(_: &(), serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("about:blank")
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = error.retry_after_seconds();
        let mut problem = match error {
            AppError::Unauthenticated | AppError::BadCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Send a valid API key as `Authorization: Bearer clt_live_…`: this request has none, or its key is \
                 unknown, revoked or expired, or its creator no longer works for the partner.",
            ),
            AppError::AccountDisabled => Self::new(StatusCode::FORBIDDEN, "forbidden", error.to_string()),
            AppError::Forbidden(_) => Self::new(status, "forbidden", error.to_string()),
            AppError::NotFound(_) => Self::new(status, "not_found", error.to_string()),
            AppError::BadRequest(_) => Self::new(status, "bad_request", error.to_string()),
            AppError::Invalid(errors) => {
                let mut problem = Self::new(status, "invalid", "Some fields need attention.");
                problem.errors = errors;
                problem
            }
            AppError::Conflict(current) => {
                let mut problem = Self::new(
                    StatusCode::PRECONDITION_FAILED,
                    "version_mismatch",
                    "The customer changed since the version in If-Match: read it again and re-apply your change.",
                );
                problem.current_version = Some(current.version);
                problem
            }
            AppError::DuplicateName(_) => Self::new(
                status,
                "duplicate_name",
                format!("{error} Send \"allow_duplicate_name\": true to save it anyway."),
            ),
            AppError::AlreadyExists(_) => Self::new(status, "conflict", error.to_string()),
            AppError::Throttled(seconds) => Self::new(
                status,
                "rate_limited",
                format!("This key made too many requests this minute; try again in {seconds} seconds."),
            ),
            AppError::Unavailable(_) => Self::new(status, "unavailable", error.to_string()),
            AppError::Internal | AppError::Transport(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side; nothing was changed. Please try again.",
            ),
        };
        problem.retry_after = retry_after;
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after;
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"clientele\""));
        }
        response
    }
}
