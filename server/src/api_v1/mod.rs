//! The partner API, `/api/v1` (`docs/API.md`): JSON over HTTP for partners' own software. Each
//! handler is thin: inside [`answer`] it authorizes through `app::backend::authz` like every
//! server function does (the caller is an API key: `request::api_secret`), calls the domain
//! layer, and shapes the answer. The OpenAPI 3.1 document is generated from the same handlers
//! and types (utoipa), so the routes and the document cannot differ; `tests/integration/api`
//! compares the served document with `docs/openapi.json` too, so every change to it is seen.

pub mod account;
pub mod customer_users;
pub mod customers;
pub mod problem;
pub mod reference;

use app::backend::actor::RateState;
use app::backend::{idempotency, AppState, TenantScope};
use app::AppError;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::{header, request::Parts, HeaderName, HeaderValue, StatusCode};
pub use problem::Problem;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clientele partner API",
        version = "1",
        description = "Manage your customer accounts from your own software. Authenticate with an API key \
                       (Settings → API keys) as `Authorization: Bearer clt_live_…`. Errors are RFC 9457 problem \
                       details. Every POST takes an `Idempotency-Key`. Keys, limits, webhooks and a walk-through: \
                       docs/API.md in the source."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "customers", description = "Customer accounts: list, read, create, change, activate or disable, delete."),
        (name = "customer users", description = "The people who sign in to a customer account: list, invite, remove."),
        (name = "account", description = "For account keys (made by a customer account's owner in the portal): that one account.")
    )
)]
struct ApiDoc;

/// Declares the API key as the document's security scheme.
struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("clt_live_…").build()),
        );
    }
}

fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::get, customers::update, customers::delete))
        .routes(routes!(customers::set_status))
        .routes(routes!(customers::add_network))
        .routes(routes!(customers::custom_fields))
        .routes(routes!(customer_users::list, customer_users::invite))
        .routes(routes!(customer_users::remove))
        .routes(routes!(account::get))
        .split_for_parts()
}

/// The OpenAPI document of every route [`router`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    parts().1
}

/// The routes, to nest at `/api/v1`, with the document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, document) = parts();
    let document = document.to_pretty_json().expect("the OpenAPI document serializes");
    let page = reference::render(&serde_json::from_str(&document).expect("the document is JSON"));
    router
        .route(
            "/reference",
            axum::routing::get(move || {
                let page = page.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                            (
                                header::CONTENT_SECURITY_POLICY,
                                "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                            ),
                        ],
                        page,
                    )
                }
            }),
        )
        .route(
            "/reference.css",
            axum::routing::get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], reference::STYLESHEET) }),
        )
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], document) }
            }),
        )
        .fallback(|| async {
            Problem::new(StatusCode::NOT_FOUND, "not_found", "No such API route: see /api/v1/openapi.json.")
        })
}

/// A successful answer: status, JSON body, extra headers, and the caller's rate-limit state.
pub struct Answer {
    status: StatusCode,
    body: String,
    content_type: &'static str,
    headers: Vec<(HeaderName, String)>,
    rate: Option<RateState>,
    replayed: bool,
}

impl Answer {
    pub fn new(scope: &TenantScope, status: StatusCode, body: &impl serde::Serialize) -> Result<Self, AppError> {
        let body = serde_json::to_string(body).map_err(|e| AppError::internal("writing an API answer", e))?;
        let rate = scope.actor.api_key.as_ref().and_then(|k| k.rate);
        Ok(Self { status, body, content_type: "application/json", headers: Vec::new(), rate, replayed: false })
    }

    pub fn ok(scope: &TenantScope, body: &impl serde::Serialize) -> Result<Self, AppError> {
        Self::new(scope, StatusCode::OK, body)
    }

    /// A 200 for a caller whose rate state is given (an account key's scope is not a tenant's).
    pub fn with_rate(rate: Option<RateState>, body: &impl serde::Serialize) -> Result<Self, AppError> {
        let body = serde_json::to_string(body).map_err(|e| AppError::internal("writing an API answer", e))?;
        Ok(Self {
            status: StatusCode::OK,
            body,
            content_type: "application/json",
            headers: Vec::new(),
            rate,
            replayed: false,
        })
    }

    pub fn no_content(scope: &TenantScope) -> Self {
        let rate = scope.actor.api_key.as_ref().and_then(|k| k.rate);
        Self {
            status: StatusCode::NO_CONTENT,
            body: String::new(),
            content_type: "application/json",
            headers: Vec::new(),
            rate,
            replayed: false,
        }
    }

    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = if self.status == StatusCode::NO_CONTENT {
            self.status.into_response()
        } else {
            (self.status, [(header::CONTENT_TYPE, self.content_type)], self.body).into_response()
        };
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        if let Some(rate) = self.rate {
            rate_headers(headers, rate.limit, rate.remaining, rate.reset_seconds);
        }
        if self.replayed {
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

fn rate_headers(headers: &mut http::HeaderMap, limit: u32, remaining: u32, reset: u64) {
    headers.insert("ratelimit-limit", HeaderValue::from(limit));
    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(reset));
}

/// Runs one API operation in the request's context (where `authz` finds the caller) and turns
/// its outcome into the response: the answer, or a problem document.
pub async fn answer(
    state: &AppState,
    parts: Parts,
    work: impl std::future::Future<Output = Result<Answer, Problem>>,
) -> Response {
    let outcome = app::backend::authz::in_request(state, parts, async move { Ok::<_, AppError>(work.await) }).await;
    match outcome {
        Ok(Ok(answer)) => answer.into_response(),
        Ok(Err(problem)) => with_limit(problem, state).into_response(),
        Err(error) => with_limit(Problem::from(error), state).into_response(),
    }
}

/// A rate-limited answer says the limit too.
fn with_limit(problem: Problem, state: &AppState) -> Response {
    let limited = problem.code == "rate_limited";
    let reset = problem.retry_after.unwrap_or(60);
    let mut response = problem.into_response();
    if limited {
        rate_headers(response.headers_mut(), state.security.api_rate_limit, 0, reset);
    }
    response
}

/// Runs a POST once per `Idempotency-Key` (when the request has one): a retry with the same key
/// and request gets the first answer again, byte for byte.
pub async fn idempotent<F>(scope: &TenantScope, parts: &Parts, body: &[u8], work: F) -> Result<Answer, Problem>
where
    F: std::future::Future<Output = Result<Answer, Problem>>,
{
    let Some(key) = parts.headers.get("idempotency-key") else {
        return work.await;
    };
    let key = key.to_str().map_err(|_| Problem::bad_request("Idempotency-Key must be printable ASCII."))?.to_string();
    let Some(api_key) = scope.actor.api_key.as_ref() else {
        return work.await;
    };
    let mut request = format!("{} {}\n", parts.method, parts.uri.path()).into_bytes();
    request.extend_from_slice(body);
    match idempotency::claim(&scope.db, api_key.id, &key, &request).await? {
        idempotency::Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let content_type = if status.is_success() { "application/json" } else { "application/problem+json" };
            let rate = api_key.rate;
            Ok(Answer { status, body, content_type, headers: Vec::new(), rate, replayed: true })
        }
        idempotency::Claim::New => {
            let outcome = work.await;
            match &outcome {
                Ok(answer) => {
                    idempotency::finish(&scope.db, api_key.id, &key, answer.status.as_u16(), &answer.body).await?
                }
                // What the request itself got wrong is its answer; a passing failure is not.
                Err(problem) if problem.status().is_client_error() && !matches!(problem.status, 401 | 409 | 429) => {
                    let body = serde_json::to_string(problem).unwrap_or_default();
                    idempotency::finish(&scope.db, api_key.id, &key, problem.status, &body).await?
                }
                Err(_) => idempotency::release(&scope.db, api_key.id, &key).await?,
            }
            outcome
        }
    }
}
