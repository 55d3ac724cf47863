//! Memberships (PRODUCT.md §1, §7): what a person may reach — the platform (operator), a
//! partner's team (staff, with a role) or a customer account (owner or member) — as records: their
//! kinds and states, the name a partner gave the person, when a link for one may be shown, and
//! forgetting an identity nobody took up. How one comes to exist is `invitations`.

use super::now;
use crate::types::customer_users::MembershipState;
use sqlx::{AnyConnection, Row};

/// What a membership gives: the whole platform, a place on a partner's team, or a customer account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipKind {
    Operator,
    Partner,
    Customer,
}

impl MembershipKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Partner => "partner",
            Self::Customer => "customer",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "operator" => Some(Self::Operator),
            "partner" => Some(Self::Partner),
            "customer" => Some(Self::Customer),
            _ => None,
        }
    }
}

impl MembershipState {
    pub fn key(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

/// Whether a link for `membership_id` may be handed to whoever asked instead of going to the
/// person's inbox. Only for an identity this very invitation created: no password, an address
/// never confirmed, no other membership anywhere and no live link but this membership's. Anyone
/// else (an operator, someone's staff, a customer user elsewhere, a person another partner has
/// invited) answers through their own inbox, so a displayed link can never choose the password
/// of an identity that is, or is about to be, someone else's.
pub(in crate::backend) async fn link_may_be_shown(
    conn: &mut AnyConnection,
    person_id: i64,
    membership_id: i64,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.password_hash, p.email_verified_at,
                (SELECT COUNT(*) FROM memberships m WHERE m.person_id = p.id AND m.id <> $2) AS other_memberships,
                (SELECT COUNT(*) FROM person_tokens t
                 WHERE t.person_id = p.id AND t.used_at IS NULL AND t.expires_at > $3
                   AND (t.membership_id IS NULL OR t.membership_id <> $2)) AS other_links
         FROM persons p WHERE p.id = $1",
    )
    .bind(person_id)
    .bind(membership_id)
    .bind(now())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(false) };
    Ok(row.try_get::<Option<String>, _>("password_hash")?.is_none()
        && row.try_get::<Option<i64>, _>("email_verified_at")?.is_none()
        && row.try_get::<i64, _>("other_memberships")? == 0
        && row.try_get::<i64, _>("other_links")? == 0)
}

/// The name partner `tenant_id` gave the person (at invitation), if it gave one.
pub(in crate::backend) async fn name_in_tenant(
    conn: &mut AnyConnection,
    person_id: i64,
    tenant_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT display_name FROM memberships
         WHERE person_id = $1 AND tenant_id = $2 AND display_name IS NOT NULL ORDER BY id LIMIT 1",
    )
    .bind(person_id)
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("display_name")).transpose()
}

/// SQL for the name partner `tenant` (a column) knows person `person` (a `persons` alias) by:
/// the one it gave at invitation, else the person's own (an operator's, say). Stamps on a
/// partner's records are read through it, so a partner never sees a name another gave.
pub fn name_in_tenant_sql(person: &str, tenant: &str) -> String {
    format!(
        "COALESCE((SELECT MIN(nm.display_name) FROM memberships nm WHERE nm.person_id = {person}.id AND nm.tenant_id = {tenant}), {person}.full_name)"
    )
}

/// Deletes a person who never set a password and no longer belongs anywhere: an identity an
/// invitation made and nobody took up. Nothing of theirs remains to keep.
pub(in crate::backend) async fn forget_unused_person(
    conn: &mut AnyConnection,
    person_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM persons WHERE id = $1 AND password_hash IS NULL
           AND NOT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1)",
    )
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
