//! A partner's own staff (Settings → Team, `partner_users.manage`).
//!
//! The rules that keep this from being a way up: nobody hands out a role holding permissions
//! they do not hold themselves, nor touches a colleague whose role holds more than theirs, nor
//! changes their own role or access; the last active Partner admin stays one; a role is this
//! partner's or built in. Disabling or removing someone here ends their rights in this partner
//! only: their identity, password and sessions are theirs, and other partners' business.

use super::customer_users::forget_unused_person;
use super::{audit, email, now, session::normalize_email, tokens, Actor, AppState, TenantScope};
use crate::error::OnUnique;
use crate::types::customer_users::{ActivationMethod, InviteOutcome, MembershipState};
use crate::types::email::{EmailKind, EmailTemplate};
use crate::types::session::Permission;
use crate::types::team::{RoleRef, StaffInvite, StaffMember, Team};
use crate::AppError;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// The built-in role that holds every partner-side permission (migration 0001).
pub const PARTNER_ADMIN_KEY: &str = "partner_admin";

/// The tenant's staff, invited first, then by name.
pub async fn list(scope: &TenantScope) -> Result<Team, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT m.id, m.role_id, m.state, COALESCE(m.display_name, p.full_name) AS name, p.email, p.last_login_at,
                p.id AS person_id, r.name AS role_name
         FROM memberships m JOIN persons p ON p.id = m.person_id JOIN roles r ON r.id = m.role_id
         WHERE m.tenant_id = $1 AND m.kind = 'partner'
         ORDER BY CASE WHEN m.state = 'invited' THEN 0 ELSE 1 END, name, m.id",
    )
    .bind(scope.tenant_id())
    .fetch_all(&mut *conn)
    .await?;
    let members = rows
        .iter()
        .map(|r| {
            Ok(StaffMember {
                membership_id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                role_id: r.try_get("role_id")?,
                role_name: r.try_get("role_name")?,
                state: MembershipState::from_key(&r.try_get::<String, _>("state")?)
                    .unwrap_or(MembershipState::Disabled),
                last_sign_in: r.try_get("last_login_at")?,
                is_self: r.try_get::<i64, _>("person_id")? == scope.actor.person_id,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let mut assignable = Vec::new();
    for role in super::roles::of_tenant(&mut conn, scope.tenant_id()).await? {
        if grantable_by(scope, &role.permissions).is_ok() {
            assignable.push(RoleRef { id: role.id, name: role.name });
        }
    }
    Ok(Team { members, assignable })
}

/// Refuses permissions the caller does not hold, naming them.
fn grantable_by(scope: &TenantScope, permissions: &BTreeSet<Permission>) -> Result<(), AppError> {
    let missing: Vec<&str> = permissions.difference(&scope.actor.permissions).map(|p| p.key()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("you cannot grant permissions you do not hold: {}", missing.join(", "))))
    }
}

/// A role someone may be given here: this partner's own or built in, and no more than the
/// caller holds. Anything else is a field error on the role (or a refusal naming what is missing).
async fn assignable_role(
    conn: &mut AnyConnection,
    scope: &TenantScope,
    role_id: i64,
) -> Result<(String, BTreeSet<Permission>), AppError> {
    let Some(role) = super::roles::find(conn, scope.tenant_id(), role_id).await? else {
        return Err(AppError::invalid("role_id", "Choose one of this partner's roles."));
    };
    grantable_by(scope, &role.permissions)?;
    Ok((role.name, role.permissions))
}

/// One of this tenant's staff memberships, as the rules need it.
struct Member {
    id: i64,
    person_id: i64,
    name: String,
    email: String,
    role_name: String,
    role_key: String,
    permissions: BTreeSet<Permission>,
    state: MembershipState,
}

impl Member {
    fn label(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
    fn is_active_admin(&self) -> bool {
        self.role_key == PARTNER_ADMIN_KEY && self.state == MembershipState::Active
    }
}

async fn member(conn: &mut AnyConnection, scope: &TenantScope, membership_id: i64) -> Result<Member, AppError> {
    let row = sqlx::query(
        "SELECT m.id, m.person_id, m.role_id, m.state, COALESCE(m.display_name, p.full_name) AS name, p.email,
                r.name AS role_name, r.key AS role_key
         FROM memberships m JOIN persons p ON p.id = m.person_id JOIN roles r ON r.id = m.role_id
         WHERE m.id = $1 AND m.tenant_id = $2 AND m.kind = 'partner'",
    )
    .bind(membership_id)
    .bind(scope.tenant_id())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::not_found("no such colleague"))?;
    let role_id: i64 = row.try_get("role_id")?;
    let permissions =
        super::roles::find(conn, scope.tenant_id(), role_id).await?.map(|r| r.permissions).unwrap_or_default();
    Ok(Member {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        role_name: row.try_get("role_name")?,
        role_key: row.try_get("role_key")?,
        permissions,
        state: MembershipState::from_key(&row.try_get::<String, _>("state")?).unwrap_or(MembershipState::Disabled),
    })
}

/// Whether the caller may change `target` at all: not themselves, and not someone whose role
/// holds permissions the caller lacks (a lesser manager must not demote or lock out an admin).
fn may_manage(scope: &TenantScope, target: &Member) -> Result<(), AppError> {
    if target.person_id == scope.actor.person_id {
        return Err(AppError::forbidden("you cannot change your own role or access; ask another Partner admin"));
    }
    if !target.permissions.is_subset(&scope.actor.permissions) {
        return Err(AppError::forbidden(format!("{}'s role holds permissions you do not", target.name)));
    }
    Ok(())
}

/// Refuses to take the last active Partner admin away (by demotion, disabling or removal).
async fn keep_an_admin(conn: &mut AnyConnection, scope: &TenantScope, target: &Member) -> Result<(), AppError> {
    if !target.is_active_admin() {
        return Ok(());
    }
    let others: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships m JOIN roles r ON r.id = m.role_id
         WHERE m.tenant_id = $1 AND m.kind = 'partner' AND m.state = 'active' AND r.key = $2 AND m.id <> $3",
    )
    .bind(scope.tenant_id())
    .bind(PARTNER_ADMIN_KEY)
    .bind(target.id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    if others == 0 {
        return Err(AppError::bad_request(format!(
            "{} is the last Partner admin here; make someone else Partner admin first.",
            target.name
        )));
    }
    Ok(())
}

fn entry(scope: &TenantScope, action: &str, target: &Member) -> audit::Entry {
    audit::Entry::new(action).by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "partner_user",
        Some(target.id),
        target.label(),
    )
}

/// Invites a colleague with a role. A person who already exists gets a membership to accept,
/// never a second identity; staff rights wait for a confirmed email (see `authz::load_actor`).
pub async fn invite(state: &AppState, scope: &TenantScope, input: &StaffInvite) -> Result<InviteOutcome, AppError> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = scope.db.begin().await?;
    let (role_name, _) = assignable_role(&mut tx, scope, input.role_id).await?;
    let invitation = record_invitation(&mut tx, scope.tenant_id(), &scope.actor, input, &role_name).await?;
    tx.commit().await?;
    invitation.deliver(state).await
}

/// A staff invitation written in the caller's transaction, to be delivered once it commits.
pub(in crate::backend) struct Invitation {
    tenant_id: i64,
    membership_id: i64,
    full_name: String,
    email: String,
    role_name: String,
    partner: String,
    token: String,
    expires_at: i64,
    shown: bool,
}

/// Writes the invitation of `input` (already validated, its role already allowed) to
/// `tenant_id`: the person if new, the invited membership, its single-use link and the audit entry.
pub(in crate::backend) async fn record_invitation(
    conn: &mut AnyConnection,
    tenant_id: i64,
    actor: &Actor,
    input: &StaffInvite,
    role_name: &str,
) -> Result<Invitation, AppError> {
    let email = normalize_email(&input.email);
    let full_name = crate::types::forms::clean_text(&input.full_name);
    let invited_meanwhile = || AppError::invalid("email", "This person was invited a moment ago. Reload the list.");
    let existing =
        sqlx::query("SELECT id FROM persons WHERE email = $1").bind(&email).fetch_optional(&mut *conn).await?;
    let person_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let already = sqlx::query(
                "SELECT state FROM memberships WHERE person_id = $1 AND kind = 'partner' AND tenant_id = $2",
            )
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(already) = already {
                let message = match already.try_get::<String, _>("state")?.as_str() {
                    "invited" => "This person is already invited. Remove the invitation to send a new one.",
                    _ => "This person is already on the team.",
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
    let at = now();
    let membership_id: i64 = sqlx::query(
        "INSERT INTO memberships (person_id, kind, tenant_id, role_id, state, created_at, invited_at, invited_by, display_name)
         VALUES ($1, 'partner', $2, $3, 'invited', $4, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(tenant_id)
    .bind(input.role_id)
    .bind(at)
    .bind(actor.person_id)
    .bind(&full_name)
    .fetch_one(&mut *conn)
    .await
    .on_unique(invited_meanwhile)?
    .try_get("id")?;
    let lifetime = email::link_hours(conn, tenant_id).await? * 3600;
    let shown = input.method == ActivationMethod::DisplayLink;
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
    let entry = audit::Entry::new("partner_user.invite")
        .by(actor)
        .in_tenant(Some(tenant_id))
        .target("partner_user", Some(membership_id), format!("{full_name} <{email}>"))
        .change("role", serde_json::Value::Null, role_name)
        .change("method", serde_json::Value::Null, if shown { "display" } else { "email" });
    audit::record(conn, entry).await?;
    let partner: String = sqlx::query("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("name")?;
    Ok(Invitation {
        tenant_id,
        membership_id,
        full_name,
        email,
        role_name: role_name.to_string(),
        partner,
        token,
        expires_at,
        shown,
    })
}

impl Invitation {
    /// Emails the link, or hands it back to be shown once.
    pub(in crate::backend) async fn deliver(self, state: &AppState) -> Result<InviteOutcome, AppError> {
        let link = tokens::link_url(&state.mail.public_url, tokens::Purpose::Activation, &self.token);
        if !self.shown {
            invitation_email(state, &self, &link).await.map_err(|_logged| {
                AppError::bad_request(
                    "The invitation was saved but its email could not be sent. Remove it and invite again, or display the link.",
                )
            })?;
        }
        Ok(InviteOutcome {
            membership_id: self.membership_id,
            email: self.email,
            link: self.shown.then_some(link),
            expires_at: self.expires_at,
        })
    }
}

/// A staff invitation always has the built-in wording: a partner words the emails its
/// customers get, never the one that hands out staff rights.
async fn invitation_email(state: &AppState, invitation: &Invitation, link: &str) -> Result<(), AppError> {
    let template = EmailTemplate {
        subject: "Join the {{partner}} team on Clientele".into(),
        body_text: "Hello {{name}},\n\n{{partner}} has invited you to its team on Clientele, as {{customer}}.\n\
                    Choose your password here to get started:\n\n{{link}}\n\nThe link works once and expires {{expiry}}.\n"
            .into(),
    };
    let expiry = email::expiry_text(invitation.expires_at);
    let vars = email::Variables {
        name: &invitation.full_name,
        link,
        expiry: &expiry,
        customer: &invitation.role_name,
        partner: &invitation.partner,
    };
    let (subject, body_text, body_html) = email::render(EmailKind::Invitation, &template, &vars);
    let message = email::Email {
        tenant_id: Some(invitation.tenant_id),
        to_name: invitation.full_name.clone(),
        to_addr: invitation.email.clone(),
        subject,
        body_text,
        body_html,
        secret: Some(link.to_string()),
    };
    email::send(&state.db, &state.mail, message).await
}

/// Gives a colleague another role.
pub async fn change_role(scope: &TenantScope, membership_id: i64, role_id: i64) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let target = member(&mut tx, scope, membership_id).await?;
    may_manage(scope, &target)?;
    let (role_name, _) = assignable_role(&mut tx, scope, role_id).await?;
    let new_key: String =
        sqlx::query("SELECT key FROM roles WHERE id = $1").bind(role_id).fetch_one(&mut *tx).await?.try_get("key")?;
    if new_key != PARTNER_ADMIN_KEY {
        keep_an_admin(&mut tx, scope, &target).await?;
    }
    sqlx::query("UPDATE memberships SET role_id = $1 WHERE id = $2")
        .bind(role_id)
        .bind(target.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        entry(scope, "partner_user.role_changed", &target).change("role", target.role_name.as_str(), role_name),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (or enables again) a colleague's access to this partner. An invitation cannot be
/// disabled: remove it instead.
pub async fn set_active(scope: &TenantScope, membership_id: i64, active: bool) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let target = member(&mut tx, scope, membership_id).await?;
    may_manage(scope, &target)?;
    let (from, to) = match (target.state, active) {
        (MembershipState::Invited, _) => {
            return Err(AppError::bad_request(format!(
                "{} has not accepted yet; remove the invitation instead.",
                target.name
            )))
        }
        (MembershipState::Active, true) | (MembershipState::Disabled, false) => {
            tx.commit().await?;
            return Ok(());
        }
        (MembershipState::Active, false) => ("active", "disabled"),
        (MembershipState::Disabled, true) => ("disabled", "active"),
    };
    if !active {
        keep_an_admin(&mut tx, scope, &target).await?;
    }
    sqlx::query("UPDATE memberships SET state = $1 WHERE id = $2 AND state = $3")
        .bind(to)
        .bind(target.id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
    let action = if active { "partner_user.enabled" } else { "partner_user.disabled" };
    audit::record(&mut tx, entry(scope, action, &target).change("state", from, to)).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a colleague (or an invitation) off the team. A person invited here who never chose a
/// password and belongs nowhere else is forgotten entirely.
pub async fn remove(scope: &TenantScope, membership_id: i64) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let target = member(&mut tx, scope, membership_id).await?;
    may_manage(scope, &target)?;
    keep_an_admin(&mut tx, scope, &target).await?;
    sqlx::query("DELETE FROM memberships WHERE id = $1").bind(target.id).execute(&mut *tx).await?;
    forget_unused_person(&mut tx, target.person_id).await?;
    audit::record(
        &mut tx,
        entry(scope, "partner_user.removed", &target).change(
            "role",
            target.role_name.as_str(),
            serde_json::Value::Null,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
