//! Erasing a person everywhere (PRODUCT.md §2, §9; issue 13). Two ways lead here: the platform
//! operator (`persons.erase`, which no partner role holds) and the person themselves ("Delete my
//! account" in the portal). Either way, one transaction removes the identity with every
//! membership, session, link and view ("Log in as") by cascade, the emails kept for them and
//! their sign-in failures; and it replaces their name and email in the append-only audit log by
//! a pseudonym, so the log keeps what happened without keeping who they were.

use super::{audit, password, Actor, AppState, OperatorScope};
use crate::types::erasure::{pseudonym, ErasurePreview};
use crate::AppError;
use sqlx::{AnyConnection, Row};

/// The person with `email`, with the partners that hold them, for the operator's confirmation.
pub async fn preview(scope: &OperatorScope, email: &str) -> Result<ErasurePreview, AppError> {
    let email = super::session::normalize_email(email);
    let person = sqlx::query("SELECT id, full_name, email FROM persons WHERE email = $1")
        .bind(&email)
        .fetch_optional(&scope.db.pool)
        .await?
        .ok_or_else(|| AppError::not_found("nobody has that email address"))?;
    let person_id: i64 = person.try_get("id")?;
    let partners = sqlx::query(
        "SELECT DISTINCT t.name FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.person_id = $1 ORDER BY t.name",
    )
    .bind(person_id)
    .fetch_all(&scope.db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("name"))
    .collect::<Result<Vec<String>, _>>()?;
    let memberships: i64 = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE person_id = $1")
        .bind(person_id)
        .fetch_one(&scope.db.pool)
        .await?
        .try_get("n")?;
    Ok(ErasurePreview {
        person_id,
        name: person.try_get("full_name")?,
        email: person.try_get("email")?,
        partners,
        memberships: memberships as u64,
    })
}

/// The operator erases person `person_id`; `confirm_email` must be theirs (typed to confirm).
/// Operators are not erased this way (another operator removes the operator role first), nor is
/// oneself (that is "Delete my account").
pub async fn erase_by_operator(scope: &OperatorScope, person_id: i64, confirm_email: &str) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let email: String = sqlx::query("SELECT email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such person"))?
        .try_get("email")?;
    if super::session::normalize_email(confirm_email) != email {
        return Err(AppError::invalid("confirm_email", "Type the person's email address to confirm."));
    }
    if person_id == scope.actor.person_id {
        return Err(AppError::bad_request("You cannot erase yourself here."));
    }
    let operator = sqlx::query("SELECT 1 AS x FROM memberships WHERE person_id = $1 AND kind = 'operator'")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
    if operator.is_some() {
        return Err(AppError::bad_request("This person is a platform operator: remove that role before erasing them."));
    }
    let entry = audit::Entry::new("person.erase").by(&scope.actor);
    erase(&mut tx, person_id, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// "Delete my account": the person themselves, with their password. Partner staff and operators
/// are refused: their access belongs to their organisation, which removes it.
pub async fn delete_own_account(state: &AppState, actor: &Actor, password_attempt: &str) -> Result<(), AppError> {
    if actor.acting.is_some() {
        return Err(AppError::forbidden("you are viewing a customer account as its users do"));
    }
    let stored: Option<String> = sqlx::query("SELECT password_hash FROM persons WHERE id = $1")
        .bind(actor.person_id)
        .fetch_one(&state.db.pool)
        .await?
        .try_get("password_hash")?;
    if !password::verify_off_thread(password_attempt, stored).await? {
        return Err(AppError::invalid("password", "That is not your password."));
    }
    let staff = sqlx::query("SELECT 1 AS x FROM memberships WHERE person_id = $1 AND kind IN ('operator', 'partner')")
        .bind(actor.person_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if staff.is_some() {
        return Err(AppError::bad_request(
            "Your account also gives you work access to a partner or the platform: ask its administrator to remove it.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let entry = audit::Entry::new("person.delete_own_account").by(actor);
    erase(&mut tx, actor.person_id, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Erases `person_id` within the caller's transaction and records `entry` (under the pseudonym).
async fn erase(conn: &mut AnyConnection, person_id: i64, entry: audit::Entry) -> Result<(), AppError> {
    let person = sqlx::query("SELECT full_name, email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::not_found("no such person"))?;
    let email: String = person.try_get("email")?;
    let names = known_names(conn, person_id).await?;
    let partners: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT tenant_id) AS n FROM memberships WHERE person_id = $1 AND tenant_id IS NOT NULL",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    pseudonymise_audit(conn, person_id, &email, &names, None).await?;
    // Memberships, sessions, links and "Log in as" views go with the person (ON DELETE CASCADE);
    // records they made or changed keep their stamps as "no one" (ON DELETE SET NULL).
    sqlx::query("DELETE FROM persons WHERE id = $1").bind(person_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM outbound_emails WHERE to_addr = $1").bind(&email).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM login_failures WHERE throttle_key LIKE $1")
        .bind(format!("%{email}%"))
        .execute(&mut *conn)
        .await?;
    let name = pseudonym(person_id);
    let entry = entry.target("person", Some(person_id), &name).change("partners", serde_json::Value::Null, partners);
    // The erasure's own entry must not name them either, even when they erased themselves.
    let entry =
        if entry.actor_person_id == Some(person_id) { audit::Entry { actor_label: name, ..entry } } else { entry };
    audit::record(conn, entry).await?;
    Ok(())
}

/// Replaces the person's name and email in the audit log by their pseudonym: as the actor, as
/// the target, and inside labels and recorded changes ("Name <email> in Account").
/// With `tenant`, only that partner's entries are rewritten.
async fn pseudonymise_audit(
    conn: &mut AnyConnection,
    person_id: i64,
    email: &str,
    names: &[String],
    tenant: Option<i64>,
) -> Result<(), sqlx::Error> {
    let name = pseudonym(person_id);
    let mentions = format!("%{email}%");
    // 0 matches no tenant: "every partner's entries, and those of none".
    let (only, tenant_id) = (i64::from(tenant.is_some()), tenant.unwrap_or(0));
    for known_as in names {
        let labelled = format!("{known_as} <{email}>");
        sqlx::query(
            "UPDATE audit_log SET target_label = REPLACE(target_label, $1, $2), changes = REPLACE(changes, $1, $2)
             WHERE (target_label LIKE $3 OR changes LIKE $3) AND ($4 = 0 OR tenant_id = $5)",
        )
        .bind(&labelled)
        .bind(&name)
        .bind(&mentions)
        .bind(only)
        .bind(tenant_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE audit_log SET
           actor_label = CASE WHEN actor_person_id = $1 THEN $2 ELSE REPLACE(actor_label, $3, $2) END,
           target_label = CASE WHEN target_type = 'person' AND target_id = $1 THEN $2 ELSE REPLACE(target_label, $3, $2) END,
           changes = REPLACE(changes, $3, $2)
         WHERE (actor_person_id = $1 OR (target_type = 'person' AND target_id = $1)
                OR actor_label LIKE $4 OR target_label LIKE $4 OR changes LIKE $4)
           AND ($5 = 0 OR tenant_id = $6)",
    )
    .bind(person_id)
    .bind(&name)
    .bind(email)
    .bind(&mentions)
    .bind(only)
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every name a person is known by: their own and those partners gave them.
pub(in crate::backend) async fn known_names(conn: &mut AnyConnection, person_id: i64) -> Result<Vec<String>, AppError> {
    let own: String = sqlx::query("SELECT full_name FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("full_name")?;
    let mut names = vec![own];
    for r in
        sqlx::query("SELECT DISTINCT display_name FROM memberships WHERE person_id = $1 AND display_name IS NOT NULL")
            .bind(person_id)
            .fetch_all(&mut *conn)
            .await?
    {
        names.push(r.try_get("display_name")?);
    }
    Ok(names)
}

/// After a partner unsubscribed a person from all its accounts (`names` read before): that
/// partner's log names them by pseudonym from now on, whatever else they have, and a person
/// left with no membership anywhere is erased entirely. Either way the partner sees the same,
/// so it learns nothing about the person's other partners.
pub(in crate::backend) async fn after_unsubscribe(
    conn: &mut AnyConnection,
    tenant_id: i64,
    person_id: i64,
    names: &[String],
    actor: &Actor,
) -> Result<(), AppError> {
    let email: String = sqlx::query("SELECT email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("email")?;
    pseudonymise_audit(conn, person_id, &email, names, Some(tenant_id)).await?;
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE person_id = $1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    if left == 0 {
        // Recorded without a partner: the erasure is the instance's business, not the partner's.
        erase(conn, person_id, audit::Entry::new("person.erase_unsubscribed").by(actor)).await?;
    }
    Ok(())
}
