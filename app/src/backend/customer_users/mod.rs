//! The people who sign in to a customer account (PRODUCT.md §7), as a partner manages them:
//! list, invite, resend, revoke, reset password, remove. Every function is scoped to the
//! caller's tenant; the portal's owners reuse `invite` through an `Inviter`.

mod link_emails;

pub use link_emails::{send_forgotten_reset, send_reset};

use super::invitations::{self, NewInvitation, Offer, Pending};
use super::webhooks::outbox;
use super::{audit, email, memberships, AppState, TenantScope};
use crate::error::AppError;
use crate::types::customer_users::{
    AccountRole, ActivationMethod, CustomerUser, CustomerUsers, InviteInput, InviteOutcome, MembershipState,
};
use sqlx::{AnyConnection, Row};

/// Who invites: a partner user (any role in the tenant) or an owner in the portal.
pub struct Inviter<'a> {
    // Private: an inviter is made only from a scope (below), never from a raw tenant id.
    tenant_id: i64,
    actor: &'a super::Actor,
}

impl<'a> From<&'a super::AccountScope> for Inviter<'a> {
    fn from(scope: &'a super::AccountScope) -> Self {
        Self { tenant_id: scope.tenant_id(), actor: &scope.actor }
    }
}

impl<'a> From<&'a TenantScope> for Inviter<'a> {
    fn from(scope: &'a TenantScope) -> Self {
        Self { tenant_id: scope.tenant_id(), actor: &scope.actor }
    }
}

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
    let invitation = invitations::invite(&mut tx, inviter.actor, new).await?;
    let data = serde_json::json!({ "customer_id": customer_id, "membership_id": invitation.membership_id,
                                   "full_name": crate::types::forms::clean_text(&input.full_name),
                                   "email": crate::types::forms::normalize_email(&input.email), "role": input.role.key() });
    outbox::customer_event(&mut tx, inviter.tenant_id, "customer_user.invited", customer_id, data).await?;
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
        invitations::reissue(&mut tx, pending, method, entry(&scope.into(), "customer_user.resend", m.id, &label))
            .await?;
    tx.commit().await?;
    invitation.deliver(state).await
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
pub(in crate::backend) async fn users_of(
    conn: &mut AnyConnection,
    tenant_id: i64,
    customer_id: i64,
) -> Result<Vec<CustomerUser>, AppError> {
    let rows = sqlx::query(
        // The name is the one this tenant gave (a person's own or another tenant's stays theirs);
        // the last sign-in shows only once the person has accepted.
        "SELECT m.id, m.person_id, COALESCE(m.display_name, p.full_name) AS full_name, p.email, m.customer_role, m.state,
                m.invited_at, m.activated_at,
                CASE WHEN m.state = 'active' THEN p.last_login_at END AS last_login_at,
                (SELECT MAX(t.expires_at) FROM person_tokens t
                 WHERE t.membership_id = m.id AND t.purpose = 'activation' AND t.used_at IS NULL) AS link_expires_at
         FROM memberships m JOIN persons p ON p.id = m.person_id
         WHERE m.kind = 'customer' AND m.tenant_id = $1 AND m.customer_id = $2
         ORDER BY COALESCE(m.display_name, p.full_name), p.id",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    let people: Vec<i64> = rows.iter().map(|r| r.try_get("person_id")).collect::<Result<_, _>>()?;
    let mut consents = super::consents::of_people(conn, tenant_id, &people).await?;
    rows.iter()
        .map(|r| {
            let person_id: i64 = r.try_get("person_id")?;
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
                consents: consents.remove(&person_id).unwrap_or_default(),
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
    /// The name this tenant gave the person.
    full_name: String,
    email: String,
    customer_id: i64,
    customer_name: String,
    role: AccountRole,
    state: MembershipState,
}

impl Membership {
    /// What a `customer_user.*` event says of it.
    fn event_data(&self, was: &str) -> serde_json::Value {
        serde_json::json!({ "customer_id": self.customer_id, "membership_id": self.id, "full_name": self.full_name,
                            "email": self.email, "was": was })
    }

    /// How audit entries name it.
    fn label(&self) -> String {
        format!("{} <{}> in {}", self.full_name, self.email, self.customer_name)
    }
}

async fn membership(conn: &mut AnyConnection, tenant_id: i64, membership_id: i64) -> Result<Membership, AppError> {
    let row = sqlx::query(
        "SELECT m.id, m.person_id, COALESCE(m.display_name, p.full_name) AS full_name, p.email, c.id AS customer_id,
                c.name AS customer_name, m.customer_role, m.state
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
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        role: AccountRole::from_key(&row.try_get::<String, _>("customer_role")?).unwrap_or_default(),
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
    let label = m.label();
    // Recorded first, while the membership still says whose it was.
    audit::record(&mut tx, entry(&scope.into(), "customer_user.revoke", m.id, &label)).await?;
    outbox::customer_event(&mut tx, scope.tenant_id(), "customer_user.removed", m.customer_id, m.event_data("invited"))
        .await?;
    sqlx::query("DELETE FROM memberships WHERE id = $1").bind(m.id).execute(&mut *tx).await?;
    memberships::forget_unused_person(&mut tx, m.person_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a person's access to this account, or (`whole_tenant`, "unsubscribe") to every account
/// of this partner. Only this partner's memberships end: the person's identity, password,
/// sessions elsewhere, other partners' memberships and logs are not this partner's to touch
/// (instance-wide erasure is the operator's and the person's own, `erasure`). After an
/// unsubscribe this partner's log names them by pseudonym. An identity an invitation made that
/// never chose a password and now belongs nowhere is forgotten.
pub async fn remove(scope: &TenantScope, membership_id: i64, whole_tenant: bool) -> Result<u64, AppError> {
    let mut tx = scope.db.begin().await?;
    let m = membership(&mut tx, scope.tenant_id(), membership_id).await?;
    let label = m.label();
    let action = if whole_tenant { "customer_user.unsubscribe_tenant" } else { "customer_user.remove" };
    let removing: i64 = if whole_tenant {
        sqlx::query(
            "SELECT COUNT(*) AS n FROM memberships WHERE person_id = $1 AND kind = 'customer' AND tenant_id = $2",
        )
        .bind(m.person_id)
        .bind(scope.tenant_id())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?
    } else {
        1
    };
    // Recorded first, while the membership still says whose it was.
    audit::record(
        &mut tx,
        entry(&scope.into(), action, m.id, &label).change("memberships_removed", serde_json::Value::Null, removing),
    )
    .await?;
    // One event per account the person leaves (all of this partner's on an unsubscribe).
    let leaving: Vec<i64> = if whole_tenant {
        sqlx::query("SELECT customer_id FROM memberships WHERE person_id = $1 AND kind = 'customer' AND tenant_id = $2")
            .bind(m.person_id)
            .bind(scope.tenant_id())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("customer_id"))
            .collect::<Result<_, _>>()?
    } else {
        vec![m.customer_id]
    };
    for customer in leaving {
        let data = serde_json::json!({ "customer_id": customer, "membership_id": if customer == m.customer_id { Some(m.id) } else { None },
                                       "full_name": m.full_name, "email": m.email, "was": m.state.key() });
        outbox::customer_event(&mut tx, scope.tenant_id(), "customer_user.removed", customer, data).await?;
    }
    if whole_tenant {
        super::erasure::pseudonymise_in_tenant(&mut tx, scope.tenant_id(), m.person_id).await?;
    }
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
    memberships::forget_unused_person(&mut tx, m.person_id).await?;
    tx.commit().await?;
    if whole_tenant {
        super::erasure::finish_soon(&scope.db).await;
    }
    Ok(removed)
}
