//! The people who sign in to a customer account (PRODUCT.md §7), as a partner manages them:
//! list, invite, resend, revoke, reset password, remove. Every function is scoped to the
//! caller's tenant; the portal's owners reuse `invite` through an `Inviter`.

use super::{audit, email, now, session::normalize_email, tokens, AppState, TenantScope};
use crate::types::customer_users::{
    AccountRole, ActivationMethod, CustomerUser, CustomerUsers, InviteInput, InviteOutcome, MembershipState,
};
use crate::types::email::EmailKind;
use crate::AppError;
use sqlx::{AnyConnection, Row};

/// Who invites: a partner user (any role in the tenant) or an owner in the portal.
pub struct Inviter<'a> {
    pub tenant_id: i64,
    pub actor: &'a super::Actor,
}

impl<'a> From<&'a TenantScope> for Inviter<'a> {
    fn from(scope: &'a TenantScope) -> Self {
        Self { tenant_id: scope.tenant_id(), actor: &scope.actor }
    }
}

/// A customer account's users, newest invitations last. `customer_id` must be the tenant's.
pub async fn list(scope: &TenantScope, customer_id: i64) -> Result<CustomerUsers, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let customer_name = customer_name(&mut conn, scope.tenant_id(), customer_id).await?;
    let users = users_of(&mut conn, scope.tenant_id(), customer_id).await?;
    let link_hours = email::link_hours(&mut conn, scope.tenant_id()).await?;
    Ok(CustomerUsers { customer_id, customer_name, users, link_hours })
}

/// The users of one account (also the portal's list).
pub async fn users_of(
    conn: &mut AnyConnection,
    tenant_id: i64,
    customer_id: i64,
) -> Result<Vec<CustomerUser>, AppError> {
    let rows = sqlx::query(
        "SELECT m.id, p.full_name, p.email, m.customer_role, m.state, m.invited_at, m.activated_at, p.last_login_at,
                (SELECT MAX(t.expires_at) FROM person_tokens t
                 WHERE t.membership_id = m.id AND t.purpose = 'activation' AND t.used_at IS NULL) AS link_expires_at
         FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE m.kind = 'customer' AND m.tenant_id = $1 AND m.customer_id = $2
         ORDER BY p.full_name, p.id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let state =
                MembershipState::from_key(&r.try_get::<String, _>("state")?).unwrap_or(MembershipState::Disabled);
            Ok(CustomerUser {
                membership_id: r.try_get("id")?,
                full_name: r.try_get("full_name")?,
                email: r.try_get("email")?,
                role: AccountRole::from_key(&r.try_get::<String, _>("customer_role")?).unwrap_or_default(),
                state,
                invited_at: r.try_get("invited_at")?,
                activated_at: r.try_get("activated_at")?,
                last_login_at: r.try_get("last_login_at")?,
                link_expires_at: if state == MembershipState::Invited { r.try_get("link_expires_at")? } else { None },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

async fn customer_name(conn: &mut AnyConnection, tenant_id: i64, customer_id: i64) -> Result<String, AppError> {
    let row = sqlx::query("SELECT name FROM customers WHERE id = $1 AND tenant_id = $2")
        .bind(customer_id)
        .bind(tenant_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::not_found("no such customer"))?;
    Ok(row.try_get("name")?)
}

/// A membership of the tenant, with its person and account.
struct Membership {
    id: i64,
    person_id: i64,
    full_name: String,
    email: String,
    customer_name: String,
    state: MembershipState,
}

impl Membership {
    /// How audit entries name it.
    fn label(&self) -> String {
        format!("{} <{}> in {}", self.full_name, self.email, self.customer_name)
    }
}

async fn membership(conn: &mut AnyConnection, tenant_id: i64, membership_id: i64) -> Result<Membership, AppError> {
    let row = sqlx::query(
        "SELECT m.id, m.person_id, p.full_name, p.email, c.name AS customer_name, m.state
         FROM memberships m JOIN persons p ON p.id = m.person_id JOIN customers c ON c.id = m.customer_id
         WHERE m.id = $1 AND m.kind = 'customer' AND m.tenant_id = $2",
    )
    .bind(membership_id)
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::not_found("no such customer user"))?;
    Ok(Membership {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        full_name: row.try_get("full_name")?,
        email: row.try_get("email")?,
        customer_name: row.try_get("customer_name")?,
        state: MembershipState::from_key(&row.try_get::<String, _>("state")?).unwrap_or(MembershipState::Disabled),
    })
}

fn entry(inviter: &Inviter, action: &str, membership: i64, label: &str) -> audit::Entry {
    audit::Entry::new(action).by(inviter.actor).in_tenant(Some(inviter.tenant_id)).target(
        "customer_user",
        Some(membership),
        label,
    )
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
    let full_name = input.full_name.trim().to_string();
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
    let (person_id, existing_person) = match existing {
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
            (id, row.try_get::<Option<String>, _>("password_hash")?.is_some())
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
            .await?
            .try_get("id")?;
            (id, false)
        }
    };
    let at = now();
    let membership_id: i64 = sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, customer_id, customer_role, state, created_at, invited_at, invited_by)
         VALUES ($1, 'customer', $2, $3, $4, 'invited', $5, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(inviter.tenant_id)
    .bind(customer_id)
    .bind(input.role.key())
    .bind(at)
    .bind(inviter.actor.person_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let lifetime = email::link_hours(&mut tx, inviter.tenant_id).await? * 3600;
    let (token, expires_at) = tokens::issue(
        &mut tx,
        tokens::Purpose::Activation,
        person_id,
        Some(membership_id),
        Some(inviter.tenant_id),
        lifetime,
    )
    .await?;
    let label = format!("{full_name} <{email}> in {customer_name}");
    let audit_entry = entry(&inviter, "customer_user.invite", membership_id, &label)
        .change("role", serde_json::Value::Null, input.role.key())
        .change("method", serde_json::Value::Null, method_key(input.method))
        .change("customer_id", serde_json::Value::Null, customer_id);
    audit::record(&mut tx, audit_entry).await?;
    tx.commit().await?;

    let link = link_url(state, EmailKind::Invitation, &token);
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
    Ok(InviteOutcome { membership_id, email, link, expires_at, existing_person })
}

fn method_key(method: ActivationMethod) -> &'static str {
    match method {
        ActivationMethod::SendEmail => "email",
        ActivationMethod::DisplayLink => "display",
    }
}

/// Where a link token is used: the activation page for an invitation, else the reset page.
fn link_url(state: &AppState, kind: EmailKind, token: &str) -> String {
    let page = match kind {
        EmailKind::Invitation => "activate",
        EmailKind::Reset => "reset-password",
    };
    format!("{}/{page}?token={token}", state.mail.public_url)
}

/// One email carrying a single-use link.
struct LinkEmail<'a> {
    kind: EmailKind,
    /// Whose template and name it carries; `None`: the built-in wording, signed "Clientele".
    tenant_id: Option<i64>,
    name: &'a str,
    email: &'a str,
    customer: &'a str,
    link: &'a str,
    expires_at: i64,
}

impl LinkEmail<'_> {
    async fn send(&self, state: &AppState) -> Result<(), AppError> {
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
        let (subject, body_text, body_html) = email::render(&template, &vars);
        let email = email::Email {
            tenant_id: self.tenant_id,
            to_name: self.name.into(),
            to_addr: self.email.into(),
            subject,
            body_text,
            body_html,
        };
        email::send(&state.db, &state.mail, email).await
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
    let (token, expires_at) =
        tokens::issue(&mut tx, tokens::Purpose::Activation, m.person_id, Some(m.id), Some(scope.tenant_id()), lifetime)
            .await?;
    let has_password = sqlx::query("SELECT password_hash FROM persons WHERE id = $1")
        .bind(m.person_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<Option<String>, _>("password_hash")?
        .is_some();
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
    let link = link_url(state, EmailKind::Invitation, &token);
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
        existing_person: has_password,
    })
}

/// Withdraws a pending invitation: the membership and its links go. A person created by the
/// invitation who has no other membership and never set a password goes too.
pub async fn revoke(scope: &TenantScope, membership_id: i64) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    if m.state != MembershipState::Invited {
        return Err(AppError::bad_request(format!(
            "{} has already accepted; remove them from the account instead.",
            m.full_name
        )));
    }
    sqlx::query("DELETE FROM memberships WHERE id = $1").bind(m.id).execute(&mut *tx).await?;
    forget_unused_person(&mut tx, m.person_id).await?;
    let label = m.label();
    audit::record(&mut tx, entry(&scope.into(), "customer_user.revoke", m.id, &label)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a person who never set a password and no longer belongs anywhere: nothing of
/// theirs remains to keep.
async fn forget_unused_person(conn: &mut AnyConnection, person_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM persons WHERE id = $1 AND password_hash IS NULL
           AND NOT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1)",
    )
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends a person's access to this account, or (`whole_tenant`) to every account of this
/// partner. Their memberships with other partners, and their identity, stay.
pub async fn remove(scope: &TenantScope, membership_id: i64, whole_tenant: bool) -> Result<u64, AppError> {
    let mut tx = scope.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    let removed = if whole_tenant {
        sqlx::query("DELETE FROM memberships WHERE person_id = $1 AND kind = 'customer' AND tenant_id = $2")
            .bind(m.person_id)
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?
            .rows_affected()
    } else {
        sqlx::query("DELETE FROM memberships WHERE id = $1").bind(m.id).execute(&mut *tx).await?.rows_affected()
    };
    forget_unused_person(&mut tx, m.person_id).await?;
    let label = m.label();
    let action = if whole_tenant { "customer_user.unsubscribe_tenant" } else { "customer_user.remove" };
    audit::record(
        &mut tx,
        entry(&scope.into(), action, m.id, &label).change("memberships_removed", serde_json::Value::Null, removed),
    )
    .await?;
    tx.commit().await?;
    Ok(removed)
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
    )
    .await?;
    let label = m.label();
    audit::record(&mut tx, entry(&scope.into(), "customer_user.reset_password", m.id, &label)).await?;
    tx.commit().await?;
    let link = link_url(state, EmailKind::Reset, &token);
    let kind = EmailKind::Reset;
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
        tokens::issue(&mut tx, tokens::Purpose::Reset, person_id, None, tenant_id, tokens::RESET_LIFETIME_SECS).await?;
    tx.commit().await?;
    let link = link_url(state, EmailKind::Reset, &token);
    LinkEmail { kind: EmailKind::Reset, tenant_id, name, email, customer: "", link: &link, expires_at }
        .send(state)
        .await
}
