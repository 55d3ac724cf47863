//! `/api/v1/customers/{id}/users`: a customer account's users, as the Users page shows them,
//! invitations (always emailed: the API never hands out an activation link, since the address
//! may belong to a person who already has a password), and ending someone's access.

use super::customers::customer_id;
use super::{answer, idempotent, Answer, Problem};
use app::backend::{authorize, customer_users, state, AppState};
use app::types::customer_users::{AccountRole, ActivationMethod, CustomerUser, InviteInput, MembershipState};
use app::types::session::Permission;
use axum::extract::{Path, State};
use axum::response::Response;
use http::{request::Parts, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `owner` (may invite and remove the account's users in the portal) or `member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Member,
}

/// `invited` (has not accepted yet), `active` or `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    Invited,
    Active,
    Disabled,
}

/// One person who can (or is invited to) sign in to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// Their membership of this account: the id to remove them by.
    pub id: i64,
    /// As this partner named them.
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub state: UserState,
    /// Unix seconds, UTC.
    pub invited_at: Option<i64>,
    pub activated_at: Option<i64>,
    pub last_login_at: Option<i64>,
    /// Their answers to this partner (terms, privacy policy, marketing), newest per kind.
    pub consents: Vec<Consent>,
}

/// One recorded answer of a person to the partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    /// `terms`, `privacy` or `marketing`.
    pub kind: String,
    pub accepted: bool,
    /// Unix seconds, UTC.
    pub at: i64,
}

impl From<CustomerUser> for User {
    fn from(user: CustomerUser) -> Self {
        Self {
            id: user.membership_id,
            full_name: user.full_name,
            email: user.email,
            role: match user.role {
                AccountRole::Owner => Role::Owner,
                AccountRole::Member => Role::Member,
            },
            state: match user.state {
                MembershipState::Invited => UserState::Invited,
                MembershipState::Active => UserState::Active,
                MembershipState::Disabled => UserState::Disabled,
            },
            invited_at: user.invited_at,
            activated_at: user.activated_at,
            last_login_at: user.last_login_at,
            consents: user
                .consents
                .into_iter()
                .map(|c| Consent { kind: c.kind.key().to_string(), accepted: c.accepted, at: c.at })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub data: Vec<User>,
}

/// An invitation: the person gets an email with a link to choose a password (or, if they
/// already have one, to accept).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    #[schema(format = Email)]
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invited {
    /// The membership: the user's id in this account.
    pub id: i64,
    pub email: String,
    /// When the emailed link stops working (Unix seconds, UTC).
    pub link_expires_at: i64,
}

/// The users of a customer account.
#[utoipa::path(
    get, path = "/customers/{id}/users", tag = "customer users", operation_id = "list_customer_users",
    params(("id" = i64, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "Its users and pending invitations", body = UserList),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.view", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Response {
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersView).await?;
        let users = customer_users::list(&scope, customer_id(&id)?).await?;
        Ok(Answer::ok(&scope, &UserList { data: users.users.into_iter().map(User::from).collect() })?)
    })
    .await
}

/// Invites someone to a customer account, by email.
#[utoipa::path(
    post, path = "/customers/{id}/users", tag = "customer users", operation_id = "invite_customer_user",
    request_body = Invite,
    params(
        ("id" = i64, Path, description = "The customer's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer again (24 hours)"),
    ),
    responses(
        (status = 201, description = "Invited; the email is on its way", body = Invited),
        (status = 400, description = "The body is not right, or the customer is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customer_users.manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The person is already a user of this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors, as the form shows them", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn invite(
    State(app_state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
    body: axum::body::Bytes,
) -> Response {
    let for_idempotency = parts.clone();
    answer(&app_state, parts, async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        idempotent(&scope, &for_idempotency, &body, async {
            let customer = customer_id(&id)?;
            let invite: Invite = serde_json::from_slice(&body).map_err(|e| {
                Problem::bad_request(format!("The body must be {{\"full_name\", \"email\", \"role\"}}: {e}."))
            })?;
            let input = InviteInput {
                full_name: invite.full_name,
                email: invite.email,
                role: match invite.role {
                    Role::Owner => AccountRole::Owner,
                    Role::Member => AccountRole::Member,
                },
                method: ActivationMethod::SendEmail,
            };
            let outcome = customer_users::invite(&state()?, (&scope).into(), customer, &input).await?;
            let invited =
                Invited { id: outcome.membership_id, email: outcome.email, link_expires_at: outcome.expires_at };
            Ok(Answer::new(&scope, StatusCode::CREATED, &invited)?)
        })
        .await
    })
    .await
}

/// Ends a user's access to the account, or withdraws their invitation. Their own identity,
/// password and access elsewhere are not the partner's to touch and stay.
#[utoipa::path(
    delete, path = "/customers/{id}/users/{user_id}", tag = "customer users", operation_id = "remove_customer_user",
    params(
        ("id" = i64, Path, description = "The customer's id"),
        ("user_id" = i64, Path, description = "The user's id in this account"),
    ),
    responses(
        (status = 204, description = "Removed (or the invitation withdrawn)"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customer_users.manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user of this customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove(State(state): State<AppState>, Path((id, user)): Path<(String, String)>, parts: Parts) -> Response {
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomerUsersManage).await?;
        let customer = customer_id(&id)?;
        let not_found =
            || Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found: no such user of this customer.");
        let membership = user.parse::<i64>().map_err(|_| not_found())?;
        let users = customer_users::list(&scope, customer).await?;
        let found = users.users.iter().find(|u| u.membership_id == membership).ok_or_else(not_found)?;
        if found.state == MembershipState::Invited {
            customer_users::revoke(&scope, membership).await?;
        } else {
            customer_users::remove(&scope, membership, false).await?;
        }
        Ok(Answer::no_content(&scope))
    })
    .await
}
