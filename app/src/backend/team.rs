//! A partner's own staff (Settings → Team, `partner_users.manage`).
//!
//! The rules that keep this from being a way up: nobody hands out a role holding permissions
//! they do not hold themselves, nor touches a colleague whose role holds more than theirs, nor
//! changes their own role or access; the last active Partner admin stays one; a role is this
//! partner's or built in. Disabling or removing someone here ends their rights in this partner
//! only: their identity, password and sessions are theirs, and other partners' business.

use super::invitations::{self, NewInvitation, Offer};
use super::memberships::forget_unused_person;
use super::{audit, AppState, TenantScope};
use crate::error::AppError;
use crate::types::customer_users::{InviteOutcome, MembershipState};
use crate::types::roles::RoleRef;
use crate::types::session::Permission;
use crate::types::team::{StaffInvite, StaffMember, Team};
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
    audit::Entry::new(action)
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("partner_user", Some(target.id), target.label())
        .about(target.person_id)
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
    let new = NewInvitation {
        tenant_id: scope.tenant_id(),
        offer: Offer::Staff { role_id: input.role_id, role_name },
        full_name: &input.full_name,
        email: &input.email,
        method: input.method,
    };
    let invitation = invitations::invite(&mut tx, &scope.actor, new).await?;
    tx.commit().await?;
    invitation.deliver(state).await
}

/// Serialises changes to one partner's team: the last-admin rule reads the other admins, then
/// writes, and two Partner admins demoting each other at once must not both see the other as
/// the one that stays. SQLite's `BEGIN IMMEDIATE` already runs one writer at a time; PostgreSQL
/// takes a transaction-scoped lock on the partner.
async fn lock_team(conn: &mut AnyConnection, tenant_id: i64) -> Result<(), sqlx::Error> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1, $2)) AS l")
            .bind(TEAM_LOCK)
            .bind(i32::try_from(tenant_id % i64::from(i32::MAX)).unwrap_or_default())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The first key of the team locks (`pg_advisory_xact_lock(key1, key2)`, the partner is the second).
const TEAM_LOCK: i32 = 0x7465_616d;

/// Gives a colleague another role.
pub async fn change_role(scope: &TenantScope, membership_id: i64, role_id: i64) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    lock_team(&mut tx, scope.tenant_id()).await?;
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
    lock_team(&mut tx, scope.tenant_id()).await?;
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
    lock_team(&mut tx, scope.tenant_id()).await?;
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
