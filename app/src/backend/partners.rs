//! Partners (tenants), as the platform operator runs them (Settings → Partners): the list with
//! search, creating one with its first Partner admin, its details, disabling and enabling it, and
//! its support level.

use super::customers::COUNT_CAP;
use super::invitations::{self, NewInvitation, Offer};
use super::sql::like_pattern;
use super::{audit, now, team, tokens, AppState, OperatorScope};
use crate::error::AppError;
use crate::error::OnUnique;
use crate::types::customer_users::{ActivationMethod, InviteOutcome};
use crate::types::customers::CustomerCount;
use crate::types::partners::{slug_of, PartnerDraft, PartnerSummary};
use sqlx::{AnyConnection, Row};

/// Partners whose name contains `search` (any case), by name.
pub async fn list(scope: &OperatorScope, search: &str) -> Result<Vec<PartnerSummary>, AppError> {
    // LIKE with its wildcards escaped (the same on both databases).
    let pattern = like_pattern(&search.trim().to_lowercase());
    summaries(scope, "LOWER(t.name) LIKE $2 ESCAPE '\\'", pattern).await
}

/// One partner's summary, by id (not by name: SQLite's LOWER folds ASCII only, so a search for
/// a name with other capitals can miss it).
async fn summary(scope: &OperatorScope, id: i64) -> Result<PartnerSummary, AppError> {
    summaries(scope, "t.id = $2", id).await?.pop().ok_or_else(|| AppError::not_found("no such partner"))
}

async fn summaries<T>(scope: &OperatorScope, condition: &str, value: T) -> Result<Vec<PartnerSummary>, AppError>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
{
    let sql = format!(
        "SELECT t.id, t.name, t.contact_name, t.contact_email, t.support_level_confirmed, t.status,
                (SELECT COUNT(*) FROM memberships m WHERE m.tenant_id = t.id AND m.kind = 'partner') AS partner_users,
                (SELECT COUNT(*) FROM (SELECT 1 FROM customers c WHERE c.tenant_id = t.id LIMIT $1) capped) AS customers
         FROM tenants t WHERE {condition} ORDER BY t.name"
    );
    let rows = sqlx::query(&sql).bind(COUNT_CAP + 1).bind(value).fetch_all(&scope.db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(PartnerSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                contact_name: r.try_get("contact_name")?,
                contact_email: r.try_get("contact_email")?,
                support_level_confirmed: r.try_get::<i64, _>("support_level_confirmed")? != 0,
                active: r.try_get::<String, _>("status")? == "active",
                partner_users: r.try_get::<i64, _>("partner_users")? as u64,
                customers: CustomerCount::capped(r.try_get("customers")?, COUNT_CAP),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

fn optional(value: &str) -> Option<String> {
    let value = crate::types::forms::clean_text(value);
    (!value.is_empty()).then_some(value)
}

fn name_taken() -> AppError {
    AppError::invalid("name", "Another partner already has this name.")
}

async fn name_in_use(conn: &mut AnyConnection, name: &str, except: Option<i64>) -> Result<bool, AppError> {
    let row = sqlx::query("SELECT 1 AS x FROM tenants WHERE LOWER(name) = LOWER($1) AND id <> $2")
        .bind(name)
        .bind(except.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// A slug no other partner has: the name's, numbered when taken.
async fn free_slug(conn: &mut AnyConnection, name: &str) -> Result<String, AppError> {
    let base = slug_of(name);
    for n in 1..1000 {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        let taken = sqlx::query("SELECT 1 AS x FROM tenants WHERE slug = $1")
            .bind(&candidate)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{}", &tokens::new_token()[..8]))
}

/// Creates a partner and invites its first Partner admin by email, in one transaction: either
/// both exist afterwards or neither does.
pub async fn create(
    state: &AppState,
    scope: &OperatorScope,
    draft: &PartnerDraft,
) -> Result<(PartnerSummary, InviteOutcome), AppError> {
    let draft = PartnerDraft { id: None, ..draft.clone() };
    let errors = draft.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = crate::types::forms::clean_text(&draft.name);
    let mut tx = scope.db.begin().await?;
    if name_in_use(&mut tx, &name, None).await? {
        return Err(name_taken());
    }
    let slug = free_slug(&mut tx, &name).await?;
    let at = now();
    let tenant_id: i64 = sqlx::query(
        "INSERT INTO tenants (name, slug, support_level_confirmed, contact_name, contact_email, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&name)
    .bind(&slug)
    .bind(i64::from(draft.support_level_confirmed))
    .bind(optional(&draft.contact_name))
    .bind(optional(&draft.contact_email).map(|e| crate::types::forms::normalize_email(&e)))
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .on_unique(name_taken)?
    .try_get("id")?;
    let entry = audit::Entry::new("partner.created")
        .by(&scope.actor)
        .in_tenant(Some(tenant_id))
        .target("tenant", Some(tenant_id), &name)
        .change("name", serde_json::Value::Null, name.as_str())
        .change("contact_name", serde_json::Value::Null, optional(&draft.contact_name))
        .change("contact_email", serde_json::Value::Null, optional(&draft.contact_email))
        .change("support_level_confirmed", serde_json::Value::Null, draft.support_level_confirmed);
    audit::record(&mut tx, entry).await?;
    let admin_role: i64 = sqlx::query("SELECT id FROM roles WHERE tenant_id IS NULL AND key = $1")
        .bind(team::PARTNER_ADMIN_KEY)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    let new = NewInvitation {
        tenant_id,
        offer: Offer::Staff { role_id: admin_role, role_name: "Partner admin".into() },
        full_name: &draft.admin_name,
        email: &draft.admin_email,
        method: ActivationMethod::SendEmail,
    };
    let invitation = invitations::invite(&mut tx, &scope.actor, new).await.map_err(|error| match error {
        // The invitation's field errors belong to the admin fields of this form.
        AppError::Invalid(errors) => {
            AppError::Invalid(errors.into_iter().map(|(k, v)| (format!("admin_{k}"), v)).collect())
        }
        other => other,
    })?;
    tx.commit().await?;
    let outcome = invitation.deliver(state).await?;
    Ok((summary(scope, tenant_id).await?, outcome))
}

/// Changes a partner's name and contact.
pub async fn update(scope: &OperatorScope, draft: &PartnerDraft) -> Result<(), AppError> {
    let id = draft.id.ok_or_else(|| AppError::bad_request("Say which partner to change."))?;
    let errors = draft.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = crate::types::forms::clean_text(&draft.name);
    let mut tx = scope.db.begin().await?;
    let before = sqlx::query("SELECT name, contact_name, contact_email FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such partner"))?;
    if name_in_use(&mut tx, &name, Some(id)).await? {
        return Err(name_taken());
    }
    let (contact_name, contact_email) = (
        optional(&draft.contact_name),
        optional(&draft.contact_email).map(|e| crate::types::forms::normalize_email(&e)),
    );
    sqlx::query("UPDATE tenants SET name = $1, contact_name = $2, contact_email = $3, updated_at = $4 WHERE id = $5")
        .bind(&name)
        .bind(&contact_name)
        .bind(&contact_email)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .on_unique(name_taken)?;
    let entry = audit::Entry::new("partner.updated")
        .by(&scope.actor)
        .in_tenant(Some(id))
        .target("tenant", Some(id), &name)
        .change("name", before.try_get::<String, _>("name")?, name.as_str())
        .change("contact_name", before.try_get::<Option<String>, _>("contact_name")?, contact_name)
        .change("contact_email", before.try_get::<Option<String>, _>("contact_email")?, contact_email);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables a partner (its staff cannot sign in or work there, its customers' users cannot open
/// its accounts, and the sessions of people with no access elsewhere end) or enables it again.
pub async fn set_active(scope: &OperatorScope, tenant_id: i64, active: bool) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let row = sqlx::query("SELECT name, status FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such partner"))?;
    let (name, status): (String, String) = (row.try_get("name")?, row.try_get("status")?);
    let to = if active { "active" } else { "disabled" };
    if status == to {
        tx.commit().await?;
        return Ok(());
    }
    sqlx::query("UPDATE tenants SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(to)
        .bind(now())
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    let mut ended = 0;
    if !active {
        // Only people this partner was their sole way in for: anyone with access elsewhere
        // keeps their sessions (and there, their rights).
        ended = sqlx::query(
            "DELETE FROM sessions WHERE person_id IN (SELECT m.person_id FROM memberships m WHERE m.tenant_id = $1 AND m.state = 'active')
               AND person_id NOT IN (
                 SELECT m.person_id FROM memberships m
                 LEFT JOIN tenants t ON t.id = m.tenant_id LEFT JOIN customers c ON c.id = m.customer_id
                 WHERE m.state = 'active'
                   AND (m.kind = 'operator'
                        OR (t.status = 'active' AND (m.kind = 'partner' OR (m.kind = 'customer' AND c.status = 'active')))))",
        )
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    let action = if active { "partner.enabled" } else { "partner.disabled" };
    let entry = audit::Entry::new(action)
        .by(&scope.actor)
        .in_tenant(Some(tenant_id))
        .target("tenant", Some(tenant_id), &name)
        .change("status", status.as_str(), to)
        .change("sessions_ended", serde_json::Value::Null, if active { serde_json::Value::Null } else { ended.into() });
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms (or withdraws) a partner's support level, which unlocks "Log in as" for its staff
/// (PRODUCT.md §1, §10). Withdrawing ends the views in progress at their next request.
pub async fn set_support_level(scope: &OperatorScope, tenant_id: i64, confirmed: bool) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let row = sqlx::query("SELECT name, support_level_confirmed FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such partner"))?;
    let before = row.try_get::<i64, _>("support_level_confirmed")? != 0;
    if before != confirmed {
        sqlx::query("UPDATE tenants SET support_level_confirmed = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(confirmed))
            .bind(now())
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        let action = if confirmed { "partner.support_level_confirmed" } else { "partner.support_level_withdrawn" };
        let entry = audit::Entry::new(action)
            .by(&scope.actor)
            .in_tenant(Some(tenant_id))
            .target("tenant", Some(tenant_id), row.try_get::<String, _>("name")?)
            .change("support_level_confirmed", before, confirmed);
        audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}
