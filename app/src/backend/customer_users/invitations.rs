//! Inviting someone to a customer account, and sending a pending invitation again.

use super::link_emails::LinkEmail;
use super::{entry, membership, Inviter};
use crate::backend::{audit, email, now, session::normalize_email, tokens, AppState, TenantScope};
use crate::error::OnUnique;
use crate::types::customer_users::{ActivationMethod, InviteInput, InviteOutcome, MembershipState};
use crate::types::email::EmailKind;
use crate::AppError;
use sqlx::Row;

/// Two invitations of one address raced, and the other one won.
fn invited_meanwhile() -> AppError {
    AppError::invalid("email", "This person was invited by someone else a moment ago. Reload the list.")
}

/// Invites a person to a customer account. A person who already exists (same email, any
/// tenant) gets a membership, not a second identity; one who is already a user of this
/// account is refused with a pointer to what to do instead.
pub async fn invite(
    state: &AppState,
    inviter: Inviter<'_>,
    customer_id: i64,
    input: &InviteInput,
) -> Result<InviteOutcome, AppError> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let email = normalize_email(&input.email);
    let full_name = crate::types::forms::clean_text(&input.full_name);
    let mut tx = state.db.begin().await?;
    let customer = sqlx::query("SELECT name, status FROM customers WHERE id = $1 AND tenant_id = $2")
        .bind(customer_id)
        .bind(inviter.tenant_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such customer"))?;
    let customer_name: String = customer.try_get("name")?;
    if customer.try_get::<String, _>("status")? != "active" {
        return Err(AppError::bad_request(format!("{customer_name} is disabled. Activate it before inviting people.")));
    }
    let existing = sqlx::query("SELECT id, password_hash FROM persons WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    let person_id = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let already = sqlx::query(
                "SELECT state FROM memberships WHERE person_id = $1 AND kind = 'customer' AND customer_id = $2",
            )
            .bind(id)
            .bind(customer_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(already) = already {
                let message = match already.try_get::<String, _>("state")?.as_str() {
                    "invited" => "This person is already invited. Resend the invitation from the list instead.",
                    _ => "This person already has access to this account.",
                };
                return Err(AppError::invalid("email", message));
            }
            id
        }
        None => {
            let at = now();
            let id: i64 = sqlx::query(
                "INSERT INTO persons (email, full_name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
            )
            .bind(&email)
            .bind(&full_name)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .on_unique(invited_meanwhile)?
            .try_get("id")?;
            id
        }
    };
    let at = now();
    let membership_id: i64 = sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, customer_id, customer_role, state, created_at, invited_at, invited_by, display_name)
         VALUES ($1, 'customer', $2, $3, $4, 'invited', $5, $5, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(inviter.tenant_id)
    .bind(customer_id)
    .bind(input.role.key())
    .bind(at)
    .bind(inviter.actor.person_id)
    .bind(&full_name)
    .fetch_one(&mut *tx)
    .await
    .on_unique(invited_meanwhile)?
    .try_get("id")?;
    let lifetime = email::link_hours(&mut tx, inviter.tenant_id).await? * 3600;
    let (token, expires_at) = tokens::issue(
        &mut tx,
        tokens::Purpose::Activation,
        person_id,
        Some(membership_id),
        Some(inviter.tenant_id),
        lifetime,
        input.method == ActivationMethod::DisplayLink,
    )
    .await?;
    let label = format!("{full_name} <{email}> in {customer_name}");
    let audit_entry = entry(&inviter, "customer_user.invite", membership_id, &label)
        .change("role", serde_json::Value::Null, input.role.key())
        .change("method", serde_json::Value::Null, method_key(input.method))
        .change("customer_id", serde_json::Value::Null, customer_id);
    audit::record(&mut tx, audit_entry).await?;
    tx.commit().await?;

    let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Activation, &token);
    if input.method == ActivationMethod::SendEmail {
        let kind = EmailKind::Invitation;
        LinkEmail {
            kind,
            tenant_id: Some(inviter.tenant_id),
            name: &full_name,
            email: &email,
            customer: &customer_name,
            link: &link,
            expires_at,
        }
        .send(state)
        .await
        // `send` has logged why; the inviter needs to know what to do next.
        .map_err(|_logged| {
            AppError::bad_request(
                "The invitation was saved but its email could not be sent. Use Resend, or display the link.",
            )
        })?;
    }
    let link = (input.method == ActivationMethod::DisplayLink).then_some(link);
    // Nothing about the person beyond "invited": not whether they exist, not their name elsewhere.
    Ok(InviteOutcome { membership_id, email, link, expires_at })
}

fn method_key(method: ActivationMethod) -> &'static str {
    match method {
        ActivationMethod::SendEmail => "email",
        ActivationMethod::DisplayLink => "display",
    }
}

/// Sends a pending invitation again with a new link; the old link stops working.
pub async fn resend(
    state: &AppState,
    scope: &TenantScope,
    membership_id: i64,
    method: ActivationMethod,
) -> Result<InviteOutcome, AppError> {
    let mut tx = state.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    if m.state != MembershipState::Invited {
        return Err(AppError::bad_request(format!("{} has already accepted the invitation.", m.full_name)));
    }
    let lifetime = email::link_hours(&mut tx, scope.tenant_id()).await? * 3600;
    let (token, expires_at) = tokens::issue(
        &mut tx,
        tokens::Purpose::Activation,
        m.person_id,
        Some(m.id),
        Some(scope.tenant_id()),
        lifetime,
        method == ActivationMethod::DisplayLink,
    )
    .await?;
    let label = m.label();
    audit::record(
        &mut tx,
        entry(&scope.into(), "customer_user.resend", m.id, &label).change(
            "method",
            serde_json::Value::Null,
            method_key(method),
        ),
    )
    .await?;
    tx.commit().await?;
    let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Activation, &token);
    if method == ActivationMethod::SendEmail {
        let kind = EmailKind::Invitation;
        LinkEmail {
            kind,
            tenant_id: Some(scope.tenant_id()),
            name: &m.full_name,
            email: &m.email,
            customer: &m.customer_name,
            link: &link,
            expires_at,
        }
        .send(state)
        .await?;
    }
    Ok(InviteOutcome {
        membership_id: m.id,
        email: m.email,
        link: (method == ActivationMethod::DisplayLink).then_some(link),
        expires_at,
    })
}
