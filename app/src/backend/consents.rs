//! Consents per person and partner (PRODUCT.md §9, issue 13). A partner sets its terms and
//! privacy links and which must be accepted (`tenant.configure`); the activation page asks for
//! them; the portal shows a person their answers to each partner and lets them give or withdraw
//! marketing consent; the users page and the exports show them. Each answer keeps its date; the
//! audit log keeps every change.

use super::{audit, Actor, TenantScope};
use crate::error::AppError;
use crate::types::consents::{Consent, ConsentChoices, ConsentKind, ConsentPolicy, PartnerConsents};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

pub async fn policy(conn: &mut AnyConnection, tenant_id: i64) -> Result<ConsentPolicy, AppError> {
    let row = sqlx::query("SELECT terms_url, privacy_url, terms_required, privacy_required FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(ConsentPolicy {
        terms_url: row.try_get("terms_url")?,
        privacy_url: row.try_get("privacy_url")?,
        terms_required: row.try_get::<i64, _>("terms_required")? != 0,
        privacy_required: row.try_get::<i64, _>("privacy_required")? != 0,
    })
}

pub async fn settings(scope: &TenantScope) -> Result<ConsentPolicy, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    policy(&mut conn, scope.tenant_id()).await
}

pub async fn save_settings(scope: &TenantScope, wanted: &ConsentPolicy) -> Result<ConsentPolicy, AppError> {
    let problems = wanted.problems();
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let wanted = wanted.normalized();
    let mut tx = scope.db.begin().await?;
    let before = policy(&mut tx, scope.tenant_id()).await?;
    sqlx::query(
        "UPDATE tenants SET terms_url = $1, privacy_url = $2, terms_required = $3, privacy_required = $4 WHERE id = $5",
    )
    .bind(wanted.terms_url.clone())
    .bind(wanted.privacy_url.clone())
    .bind(i64::from(wanted.terms_required))
    .bind(i64::from(wanted.privacy_required))
    .bind(scope.tenant_id())
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry::new("tenant.consent_settings")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("tenant", Some(scope.tenant_id()), "consent settings")
        .change("terms_url", before.terms_url, wanted.terms_url.clone())
        .change("privacy_url", before.privacy_url, wanted.privacy_url.clone())
        .change("terms_required", before.terms_required, wanted.terms_required)
        .change("privacy_required", before.privacy_required, wanted.privacy_required);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(wanted)
}

/// Refuses an activation that leaves out a consent the partner requires (nothing is stored).
pub fn check_choices(policy: &ConsentPolicy, choices: &ConsentChoices) -> Result<(), AppError> {
    let mut errors = crate::types::forms::FieldErrors::new();
    if policy.terms_required && policy.terms_url.is_some() && !choices.terms {
        errors.insert("terms".into(), "Accept the terms to continue.".into());
    }
    if policy.privacy_required && policy.privacy_url.is_some() && !choices.privacy {
        errors.insert("privacy".into(), "Accept the privacy policy to continue.".into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Records one answer (and its audit entry) in the caller's transaction.
async fn set(
    conn: &mut AnyConnection,
    person_id: i64,
    tenant_id: i64,
    kind: ConsentKind,
    accepted: bool,
    entry: audit::Entry,
) -> Result<(), AppError> {
    let at = super::now();
    let before: Option<i64> =
        sqlx::query("SELECT accepted FROM consents WHERE person_id = $1 AND tenant_id = $2 AND kind = $3")
            .bind(person_id)
            .bind(tenant_id)
            .bind(kind.key())
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get("accepted"))
            .transpose()?;
    if before == Some(i64::from(accepted)) {
        return Ok(());
    }
    sqlx::query("DELETE FROM consents WHERE person_id = $1 AND tenant_id = $2 AND kind = $3")
        .bind(person_id)
        .bind(tenant_id)
        .bind(kind.key())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO consents (person_id, tenant_id, kind, accepted, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(person_id)
        .bind(tenant_id)
        .bind(kind.key())
        .bind(i64::from(accepted))
        .bind(at)
        .execute(&mut *conn)
        .await?;
    let entry = entry.in_tenant(Some(tenant_id)).change(kind.key(), before.map(|b| b != 0), accepted);
    audit::record(conn, entry).await?;
    Ok(())
}

/// What the person ticked when activating (in the activation's transaction). Terms and privacy
/// are recorded only where the partner asks for them; marketing always.
pub(in crate::backend) async fn record_choices(
    conn: &mut AnyConnection,
    person: (i64, &str, &str),
    tenant_id: i64,
    policy: &ConsentPolicy,
    choices: &ConsentChoices,
) -> Result<(), AppError> {
    let (person_id, name, email) = person;
    let label = format!("{name} <{email}>");
    let answers = [
        (ConsentKind::Terms, policy.terms_url.is_some(), choices.terms),
        (ConsentKind::Privacy, policy.privacy_url.is_some(), choices.privacy),
        (ConsentKind::Marketing, true, choices.marketing),
    ];
    for (kind, _, accepted) in answers.into_iter().filter(|(_, asked, _)| *asked) {
        let entry = audit::Entry::new("consent.set").by_person(person_id, name, email).target(
            "person",
            Some(person_id),
            &label,
        );
        set(conn, person_id, tenant_id, kind, accepted, entry).await?;
    }
    Ok(())
}

/// A person's answers to each partner they are an active customer user of (the portal's view). A
/// pending invitation is not enough: whoever holds an identity must not learn, or answer for,
/// partners that invited the address before its owner accepted.
pub async fn mine(db: &super::Db, actor: &Actor) -> Result<Vec<PartnerConsents>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let tenants = sqlx::query(
        "SELECT DISTINCT t.id, t.name FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.person_id = $1 AND m.kind = 'customer' AND m.state = 'active' ORDER BY t.name",
    )
    .bind(actor.person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for t in tenants {
        let tenant_id: i64 = t.try_get("id")?;
        let consents =
            of_people(&mut conn, tenant_id, &[actor.person_id]).await?.remove(&actor.person_id).unwrap_or_default();
        out.push(PartnerConsents {
            tenant_id,
            partner: t.try_get("name")?,
            policy: policy(&mut conn, tenant_id).await?,
            consents,
        });
    }
    Ok(out)
}

/// The person gives or withdraws marketing consent to one of their partners. Never while a
/// partner user views their account: a consent is the person's own word.
pub async fn set_marketing(db: &super::Db, actor: &Actor, tenant_id: i64, accepted: bool) -> Result<(), AppError> {
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden("a consent is the person's own: you are viewing their account"));
    }
    let mut tx = db.begin().await?;
    let member =
        sqlx::query(
            "SELECT 1 AS x FROM memberships WHERE person_id = $1 AND tenant_id = $2 AND kind = 'customer' AND state = 'active'",
        )
            .bind(actor.person_id)
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
    if member.is_none() {
        return Err(AppError::not_found("no such partner"));
    }
    let known_as = super::memberships::name_in_tenant(&mut tx, actor.person_id, tenant_id).await?;
    let label = format!("{} <{}>", known_as.as_deref().unwrap_or(&actor.full_name), actor.email);
    let entry = audit::Entry::new("consent.set").by(actor).target("person", Some(actor.person_id), label);
    set(&mut tx, actor.person_id, tenant_id, ConsentKind::Marketing, accepted, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The answers of `people` to partner `tenant_id`, by person.
pub(in crate::backend) async fn of_people(
    conn: &mut AnyConnection,
    tenant_id: i64,
    people: &[i64],
) -> Result<HashMap<i64, Vec<Consent>>, AppError> {
    let mut out: HashMap<i64, Vec<Consent>> = HashMap::new();
    for chunk in people.chunks(500) {
        let mut sql = super::sql::Sql::default();
        sql.push("SELECT person_id, kind, accepted, at FROM consents WHERE tenant_id = ")
            .bind(super::sql::Value::Int(tenant_id))
            .push(" AND person_id IN ")
            .bind_list(chunk.iter().map(|id| super::sql::Value::Int(*id)))
            .push(" ORDER BY kind");
        for r in sql.query().fetch_all(&mut *conn).await? {
            let Some(kind) = ConsentKind::from_key(&r.try_get::<String, _>("kind")?) else { continue };
            out.entry(r.try_get("person_id")?).or_default().push(Consent {
                kind,
                accepted: r.try_get::<i64, _>("accepted")? != 0,
                at: r.try_get("at")?,
            });
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|c| c.kind);
    }
    Ok(out)
}
