//! The one way to be invited to a partner's team or a customer account. Partner users inviting
//! customer users, owners inviting members in the portal, staff invitations and a new partner's
//! first admin all come through [`invite`], so the rules that keep a tenant from reaching a
//! person's identity elsewhere are written once:
//!
//! * one identity per address: an existing person gets a membership only they can accept, never
//!   a second identity, and the inviter learns nothing of their other memberships;
//! * a link is shown to the inviter only for an identity this very invitation created
//!   (`memberships::link_may_be_shown`); anyone else's goes to their own inbox, where only they
//!   can use it;
//! * emails carrying a link are limited per partner, and per partner and recipient
//!   ([`email::check_link_limits`]).

use super::memberships::{link_may_be_shown, MembershipKind};
use super::{audit, email, now, tokens, Actor, AppState};
use crate::error::AppError;
use crate::error::OnUnique;
use crate::types::customer_users::{AccountRole, ActivationMethod, InviteOutcome, MembershipState};
use crate::types::email::EmailKind;
use sqlx::{AnyConnection, Row};

/// What an invitation offers.
#[derive(Debug, Clone)]
pub enum Offer {
    /// A customer account, as owner or member (the account is the inviter's tenant's).
    Customer { customer_id: i64, customer_name: String, role: AccountRole },
    /// A place on the partner's team with a role the inviter may hand out (checked before).
    Staff { role_id: i64, role_name: String },
}

impl Offer {
    fn kind(&self) -> MembershipKind {
        match self {
            Self::Customer { .. } => MembershipKind::Customer,
            Self::Staff { .. } => MembershipKind::Partner,
        }
    }
}

/// An invitation to write: to `offer` in `tenant_id`, for `email` as `full_name` (the name this
/// partner will know them by).
pub struct NewInvitation<'a> {
    pub tenant_id: i64,
    pub offer: Offer,
    pub full_name: &'a str,
    pub email: &'a str,
    pub method: ActivationMethod,
}

/// An invitation written in the caller's transaction, to be delivered once that commits
/// (a slow mail server must never hold a database lock).
pub struct Invitation {
    tenant_id: i64,
    offer: Offer,
    pub membership_id: i64,
    full_name: String,
    email: String,
    link: IssuedLink,
}

/// A new activation link and where it goes.
struct IssuedLink {
    token: String,
    expires_at: i64,
    /// Handed back to the inviter to be shown, instead of going to the person's inbox.
    shown: bool,
    /// The inviter asked to display it, but the person is not one the invitation created: it
    /// went to their inbox instead.
    emailed_instead: bool,
}

/// Invites `new.email` to `new.offer` on behalf of `actor`: the person (if new), the invited
/// membership, its single-use link and the audit entry, in the caller's transaction. Someone who
/// already holds this membership is a field error on the email.
pub async fn invite(conn: &mut AnyConnection, actor: &Actor, new: NewInvitation<'_>) -> Result<Invitation, AppError> {
    let email = crate::types::forms::normalize_email(new.email);
    let full_name = crate::types::forms::clean_text(new.full_name);
    let invited_meanwhile = || AppError::invalid("email", "This person was invited a moment ago. Reload the list.");
    let existing =
        sqlx::query("SELECT id FROM persons WHERE email = $1").bind(&email).fetch_optional(&mut *conn).await?;
    let person_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            if let Some(state) = held(conn, id, new.tenant_id, &new.offer).await? {
                let message = match (&new.offer, state) {
                    (Offer::Customer { .. }, MembershipState::Invited) => {
                        "This person is already invited. Resend the invitation from the list instead."
                    }
                    (Offer::Customer { .. }, _) => "This person already has access to this account.",
                    (Offer::Staff { .. }, MembershipState::Invited) => {
                        "This person is already invited. Remove the invitation to send a new one."
                    }
                    (Offer::Staff { .. }, _) => "This person is already on the team.",
                };
                return Err(AppError::invalid("email", message));
            }
            id
        }
        None => sqlx::query(
            "INSERT INTO persons (email, full_name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(&email)
        .bind(&full_name)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
        .on_unique(invited_meanwhile)?
        .try_get("id")?,
    };
    let (customer_id, customer_role, role_id) = match &new.offer {
        Offer::Customer { customer_id, role, .. } => (Some(*customer_id), Some(role.key()), None),
        Offer::Staff { role_id, .. } => (None, None, Some(*role_id)),
    };
    let at = now();
    let membership_id: i64 = sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, customer_id, customer_role, role_id, state,
                                  created_at, invited_at, invited_by, display_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) RETURNING id",
    )
    .bind(person_id)
    .bind(new.offer.kind().key())
    .bind(new.tenant_id)
    .bind(customer_id)
    .bind(customer_role)
    .bind(role_id)
    .bind(MembershipState::Invited.key())
    .bind(at)
    .bind(actor.person_id)
    .bind(&full_name)
    .fetch_one(&mut *conn)
    .await
    .on_unique(invited_meanwhile)?
    .try_get("id")?;
    let link = issue_link(conn, person_id, membership_id, new.tenant_id, &email, new.method).await?;
    let entry = match &new.offer {
        Offer::Customer { customer_id, customer_name, role } => audit::Entry::new("customer_user.invite")
            .target("customer_user", Some(membership_id), format!("{full_name} <{email}> in {customer_name}"))
            .change("role", serde_json::Value::Null, role.key())
            .change("customer_id", serde_json::Value::Null, *customer_id),
        Offer::Staff { role_name, .. } => audit::Entry::new("partner_user.invite")
            .target("partner_user", Some(membership_id), format!("{full_name} <{email}>"))
            .change("role", serde_json::Value::Null, role_name.as_str()),
    };
    let entry = link.describe(entry.by(actor).in_tenant(Some(new.tenant_id)));
    audit::record(conn, entry).await?;
    Ok(Invitation { tenant_id: new.tenant_id, offer: new.offer, membership_id, full_name, email, link })
}

/// The state of the membership `offer` would create, if the person already holds it.
async fn held(
    conn: &mut AnyConnection,
    person_id: i64,
    tenant_id: i64,
    offer: &Offer,
) -> Result<Option<MembershipState>, sqlx::Error> {
    let row = match offer {
        Offer::Customer { customer_id, .. } => {
            sqlx::query("SELECT state FROM memberships WHERE person_id = $1 AND kind = $2 AND customer_id = $3")
                .bind(person_id)
                .bind(MembershipKind::Customer.key())
                .bind(*customer_id)
                .fetch_optional(&mut *conn)
                .await?
        }
        Offer::Staff { .. } => {
            sqlx::query("SELECT state FROM memberships WHERE person_id = $1 AND kind = $2 AND tenant_id = $3")
                .bind(person_id)
                .bind(MembershipKind::Partner.key())
                .bind(tenant_id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    Ok(match row {
        Some(row) => {
            Some(MembershipState::from_key(&row.try_get::<String, _>("state")?).unwrap_or(MembershipState::Disabled))
        }
        None => None,
    })
}

/// A pending invitation to send again.
pub struct Pending<'a> {
    pub tenant_id: i64,
    pub membership_id: i64,
    pub person_id: i64,
    pub full_name: &'a str,
    pub email: &'a str,
    pub offer: Offer,
}

/// A new link for a pending invitation (the old one stops working), in the caller's transaction;
/// `entry` is the caller's audit entry, told how the link went.
pub async fn reissue(
    conn: &mut AnyConnection,
    pending: Pending<'_>,
    method: ActivationMethod,
    entry: audit::Entry,
) -> Result<Invitation, AppError> {
    let link =
        issue_link(conn, pending.person_id, pending.membership_id, pending.tenant_id, pending.email, method).await?;
    audit::record(conn, link.describe(entry)).await?;
    Ok(Invitation {
        tenant_id: pending.tenant_id,
        offer: pending.offer,
        membership_id: pending.membership_id,
        full_name: pending.full_name.to_string(),
        email: pending.email.to_string(),
        link,
    })
}

/// Issues the membership's activation link: shown when asked for and allowed, otherwise for the
/// inbox (within the email limits, checked before anything is written).
async fn issue_link(
    conn: &mut AnyConnection,
    person_id: i64,
    membership_id: i64,
    tenant_id: i64,
    email: &str,
    method: ActivationMethod,
) -> Result<IssuedLink, AppError> {
    let asked_to_show = method == ActivationMethod::DisplayLink;
    let shown = asked_to_show && link_may_be_shown(conn, person_id, membership_id).await?;
    if !shown {
        email::check_link_limits(conn, tenant_id, email).await?;
    }
    let lifetime = email::link_hours(conn, tenant_id).await? * 3600;
    let (token, expires_at) = tokens::issue(
        conn,
        tokens::Purpose::Activation,
        person_id,
        Some(membership_id),
        Some(tenant_id),
        lifetime,
        shown,
    )
    .await?;
    Ok(IssuedLink { token, expires_at, shown, emailed_instead: asked_to_show && !shown })
}

impl IssuedLink {
    /// The audit entry says how the link went.
    fn describe(&self, entry: audit::Entry) -> audit::Entry {
        let entry = entry.change("method", serde_json::Value::Null, if self.shown { "display" } else { "email" });
        if self.emailed_instead {
            entry.change("display_refused", serde_json::Value::Null, "an existing identity answers through its inbox")
        } else {
            entry
        }
    }
}

impl Invitation {
    pub fn membership_id(&self) -> i64 {
        self.membership_id
    }

    /// Emails the link (in the partner's wording for a customer account, in Clientele's for a
    /// place on a team), or hands it back to be shown once.
    pub async fn deliver(self, state: &AppState) -> Result<InviteOutcome, AppError> {
        let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Activation, &self.link.token);
        if !self.link.shown {
            let (template, customer, undeliverable) = match &self.offer {
                Offer::Customer { customer_name, .. } => (
                    None,
                    customer_name.as_str(),
                    "The invitation was saved but its email could not be sent. Use Resend to try again.",
                ),
                Offer::Staff { role_name, .. } => (
                    Some(email::staff_invitation_template()),
                    role_name.as_str(),
                    "The invitation was saved but its email could not be sent. Remove it and invite again.",
                ),
            };
            email::LinkEmail {
                kind: EmailKind::Invitation,
                tenant_id: Some(self.tenant_id),
                template,
                requested_by_tenant: Some(self.tenant_id),
                name: &self.full_name,
                email: &self.email,
                customer,
                link: &link,
                expires_at: self.link.expires_at,
            }
            .send(state)
            .await
            // `send` has logged why; the inviter needs to know what to do next.
            .map_err(|_logged| AppError::bad_request(undeliverable))?;
        }
        // Nothing about the person beyond "invited": not their name elsewhere, not where else they belong.
        Ok(InviteOutcome {
            membership_id: self.membership_id,
            email: self.email,
            link: self.link.shown.then_some(link),
            expires_at: self.link.expires_at,
            emailed_instead: self.link.emailed_instead,
        })
    }
}
