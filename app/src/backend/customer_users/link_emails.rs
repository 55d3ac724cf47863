//! Emails carrying a single-use link: invitations, and password resets (asked for by a partner
//! or from the forgotten-password page).

use super::{entry, membership};
use crate::backend::{audit, email, tokens, AppState, TenantScope};
use crate::types::customer_users::MembershipState;
use crate::types::email::EmailKind;
use crate::AppError;
use sqlx::Row;

/// One email carrying a single-use link.
pub(super) struct LinkEmail<'a> {
    pub(super) kind: EmailKind,
    /// Whose template and name it carries; `None`: the built-in wording, signed "Clientele".
    pub(super) tenant_id: Option<i64>,
    pub(super) name: &'a str,
    pub(super) email: &'a str,
    pub(super) customer: &'a str,
    pub(super) link: &'a str,
    pub(super) expires_at: i64,
}

impl LinkEmail<'_> {
    pub(super) async fn send(&self, state: &AppState) -> Result<(), AppError> {
        let (template, partner) = match self.tenant_id {
            Some(tenant) => {
                let mut conn = state.db.pool.acquire().await?;
                let (template, _) = email::template(&mut conn, tenant, self.kind).await?;
                let row =
                    sqlx::query("SELECT name FROM tenants WHERE id = $1").bind(tenant).fetch_one(&mut *conn).await?;
                (template, row.try_get::<String, _>("name")?)
            }
            None => (email::default_template(self.kind), "Clientele".to_string()),
        };
        let expiry = email::expiry_text(self.expires_at);
        let vars = email::Variables {
            name: self.name,
            link: self.link,
            expiry: &expiry,
            customer: self.customer,
            partner: &partner,
        };
        let (subject, body_text, body_html) = email::render(self.kind, &template, &vars);
        let email = email::Email {
            tenant_id: self.tenant_id,
            to_name: self.name.into(),
            to_addr: self.email.into(),
            subject,
            body_text,
            body_html,
            secret: Some(self.link.to_string()),
        };
        email::send(&state.db, &state.mail, email).await
    }
}

/// Emails an active customer user a password-reset link with the tenant's template.
pub async fn send_reset(state: &AppState, scope: &TenantScope, membership_id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    if m.state != MembershipState::Active {
        return Err(AppError::bad_request(format!(
            "{} has not activated yet; resend the invitation instead.",
            m.full_name
        )));
    }
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
    let kind = EmailKind::Reset;
    LinkEmail {
        kind,
        tenant_id: wording,
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
    LinkEmail { kind: EmailKind::Reset, tenant_id, name, email, customer: "", link: &link, expires_at }
        .send(state)
        .await
}
