//! Inviting someone to a customer account, and sending a pending invitation again. The rules of
//! who may be shown a link, and of one identity per address, are `memberships`'.

use super::{entry, membership, Inviter};
use crate::backend::memberships::{self, NewInvitation, Offer, Pending};
use crate::backend::{AppState, TenantScope};
use crate::types::customer_users::{ActivationMethod, InviteInput, InviteOutcome, MembershipState};
use crate::AppError;
use sqlx::Row;

/// Invites a person to a customer account of the inviter's tenant. A person who already exists
/// (same email, any tenant) gets a membership to accept, not a second identity; one who is
/// already a user of this account is refused with a pointer to what to do instead.
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
    let new = NewInvitation {
        tenant_id: inviter.tenant_id,
        offer: Offer::Customer { customer_id, customer_name, role: input.role },
        full_name: &input.full_name,
        email: &input.email,
        method: input.method,
    };
    let invitation = memberships::invite(&mut tx, inviter.actor, new).await?;
    tx.commit().await?;
    invitation.deliver(state).await
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
    let label = m.label();
    let pending = Pending {
        tenant_id: scope.tenant_id(),
        membership_id: m.id,
        person_id: m.person_id,
        full_name: &m.full_name,
        email: &m.email,
        offer: Offer::Customer { customer_id: m.customer_id, customer_name: m.customer_name.clone(), role: m.role },
    };
    let invitation =
        memberships::reissue(&mut tx, pending, method, entry(&scope.into(), "customer_user.resend", m.id, &label))
            .await?;
    tx.commit().await?;
    invitation.deliver(state).await
}
