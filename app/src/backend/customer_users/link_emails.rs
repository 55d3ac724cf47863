//! Password-reset emails: asked for by a partner for one of its customer users, or by the person
//! from the forgotten-password page.

use super::{entry, membership};
use crate::backend::email::{self, LinkEmail};
use crate::backend::{audit, tokens, AppState, TenantScope};
use crate::error::AppError;
use crate::types::customer_users::MembershipState;
use crate::types::email::EmailKind;

/// Emails an active customer user a password-reset link with the tenant's template (within the
/// tenant's link-email limits).
pub async fn send_reset(state: &AppState, scope: &TenantScope, membership_id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    if m.state != MembershipState::Active {
        return Err(AppError::bad_request(format!(
            "{} has not activated yet; resend the invitation instead.",
            m.full_name
        )));
    }
    email::check_link_limits(&mut tx, scope.tenant_id(), &m.email).await?;
    let (token, expires_at) = tokens::issue(
        &mut tx,
        tokens::Purpose::Reset,
        m.person_id,
        None,
        Some(scope.tenant_id()),
        tokens::RESET_LIFETIME_SECS,
        false,
    )
    .await?;
    let label = m.label();
    audit::record(&mut tx, entry(&scope.into(), "customer_user.reset_password", m.id, &label)).await?;
    let wording = email::reset_wording_tenant(&mut tx, m.person_id, Some(scope.tenant_id())).await?;
    tx.commit().await?;
    let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Reset, &token);
    LinkEmail {
        kind: EmailKind::Reset,
        tenant_id: wording,
        template: None,
        requested_by_tenant: Some(scope.tenant_id()),
        name: &m.full_name,
        email: &m.email,
        customer: &m.customer_name,
        link: &link,
        expires_at,
    }
    .send(state)
    .await
}

/// Sends a reset link for the forgotten-password page (no caller: the link proves the inbox).
pub async fn send_forgotten_reset(
    state: &AppState,
    person_id: i64,
    name: &str,
    email: &str,
    tenant_id: Option<i64>,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let (token, expires_at) =
        tokens::issue(&mut tx, tokens::Purpose::Reset, person_id, None, tenant_id, tokens::RESET_LIFETIME_SECS, false)
            .await?;
    tx.commit().await?;
    let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Reset, &token);
    LinkEmail {
        kind: EmailKind::Reset,
        tenant_id,
        template: None,
        requested_by_tenant: None,
        name,
        email,
        customer: "",
        link: &link,
        expires_at,
    }
    .send(state)
    .await
}
