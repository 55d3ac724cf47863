//! `/api/v1/account`: what an **account key** (made by a customer account's owner in the portal)
//! reaches — that one account's details and users, as its owners see them in the portal. A
//! disabled account, or an owner who no longer is one, leaves the key refused at once.

use super::customer_users::User;
use super::{answer, Answer, Problem};
use app::backend::{authorize_key_account, portal, AppState};
use axum::extract::State;
use axum::response::Response;
use http::request::Parts;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Detail {
    pub label: String,
    pub value: String,
}

/// The account the key belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub name: String,
    /// The partner the account is with.
    pub partner: String,
    /// Its filled-in details, in the partner's form order.
    pub details: Vec<Detail>,
    pub users: Vec<User>,
}

/// The key's own customer account.
#[utoipa::path(
    get, path = "/account", tag = "account", operation_id = "get_account",
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 401, description = "No valid key, or the account was disabled or is no longer the key's owner's", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A partner's key: only an account key opens /account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, parts: Parts) -> Response {
    answer(&state, parts, async move {
        let scope = authorize_key_account().await?;
        let account = portal::account(&scope).await?;
        let body = Account {
            id: account.customer_id,
            name: account.name,
            partner: account.tenant_name,
            details: account.details.into_iter().map(|(label, value)| Detail { label, value }).collect(),
            users: account.users.into_iter().map(User::from).collect(),
        };
        let rate = scope.actor.api_key.as_ref().and_then(|k| k.rate);
        Ok(Answer::with_rate(rate, &body)?)
    })
    .await
}
