//! "Export customer users" (issue 13): every membership of a person in one of this partner's
//! customer accounts, one row each, streamed in batches like the customer export. The name is
//! the one this partner gave; the last sign-in shows only once the person has accepted.

use super::{csv_response, error_response, neutralise, timestamp};
use crate::backend::{audit, authz, AppState, TenantScope};
use crate::error::AppError;
use crate::types::consents::ConsentKind;
use crate::types::customer_users::{AccountRole, MembershipState};
use crate::types::session::Permission;
use axum::body::Bytes;
use axum::response::Response;
use sqlx::Row;

const BATCH: i64 = 1_000;

pub const HEADER: [&str; 13] = [
    "email",
    "name",
    "account_id",
    "account",
    "role",
    "state",
    "invited_at",
    "activated_at",
    "last_sign_in_at",
    "terms_accepted_at",
    "privacy_accepted_at",
    "marketing",
    "marketing_at",
];

/// The next batch after membership `after`: (last id, CSV bytes), or None at the end.
async fn batch(scope: &TenantScope, after: i64, header: bool) -> Result<Option<(i64, Vec<u8>)>, AppError> {
    let rows = sqlx::query(
        "SELECT m.id, m.person_id, p.email, COALESCE(m.display_name, p.full_name) AS name, c.id AS account_id, c.name AS account,
                m.customer_role, m.state, m.invited_at, m.activated_at,
                CASE WHEN m.state = 'active' THEN p.last_login_at END AS last_login_at
         FROM memberships m JOIN persons p ON p.id = m.person_id JOIN customers c ON c.id = m.customer_id
         WHERE m.kind = 'customer' AND m.tenant_id = $1 AND c.tenant_id = $1 AND m.id > $2
         ORDER BY m.id LIMIT $3",
    )
    .bind(scope.tenant_id())
    .bind(after)
    .bind(BATCH)
    .fetch_all(&scope.db.pool)
    .await?;
    if rows.is_empty() && !header {
        return Ok(None);
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal("writing a user export row", e);
    if header {
        out.write_record(HEADER).map_err(fail)?;
    }
    let people: Vec<i64> = rows.iter().map(|r| r.try_get("person_id")).collect::<Result<_, _>>()?;
    let mut conn = scope.db.pool.acquire().await?;
    let consents = crate::backend::consents::of_people(&mut conn, scope.tenant_id(), &people).await?;
    drop(conn);
    let mut last = after;
    for r in &rows {
        let person_id: i64 = r.try_get("person_id")?;
        let answer = |kind: ConsentKind| {
            consents.get(&person_id).and_then(|list| list.iter().find(|c| c.kind == kind)).map(|c| (c.accepted, c.at))
        };
        let accepted_at = |kind: ConsentKind| match answer(kind) {
            Some((true, at)) => timestamp(Some(at)),
            _ => String::new(),
        };
        let (marketing, marketing_at) = match answer(ConsentKind::Marketing) {
            Some((accepted, at)) => ((if accepted { "yes" } else { "no" }).to_string(), timestamp(Some(at))),
            None => (String::new(), String::new()),
        };
        last = r.try_get("id")?;
        let role = AccountRole::from_key(&r.try_get::<String, _>("customer_role")?).unwrap_or_default();
        let state = MembershipState::from_key(&r.try_get::<String, _>("state")?).unwrap_or(MembershipState::Disabled);
        let record = [
            r.try_get::<String, _>("email")?,
            r.try_get("name")?,
            r.try_get::<i64, _>("account_id")?.to_string(),
            r.try_get("account")?,
            role.label().to_string(),
            state.label().to_string(),
            timestamp(r.try_get("invited_at")?),
            timestamp(r.try_get("activated_at")?),
            timestamp(r.try_get("last_login_at")?),
            accepted_at(ConsentKind::Terms),
            accepted_at(ConsentKind::Privacy),
            marketing,
            marketing_at,
        ];
        out.write_record(record.iter().map(|c| neutralise(c).into_owned())).map_err(fail)?;
    }
    Ok(Some((last, out.into_inner().map_err(|e| AppError::internal("finishing a user export", e))?)))
}

/// `GET /customers/users-export.csv`: `customers.export`, audited with the row count.
pub async fn download(state: AppState, parts: http::request::Parts) -> Response {
    let started = async {
        let scope = authz::authorize_request(&state, parts, Permission::CustomersExport).await?;
        let rows: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM memberships m WHERE m.kind = 'customer' AND m.tenant_id = $1")
                .bind(scope.tenant_id())
                .fetch_one(&scope.db.pool)
                .await?
                .try_get("n")?;
        let slug: String = sqlx::query("SELECT slug FROM tenants WHERE id = $1")
            .bind(scope.tenant_id())
            .fetch_one(&scope.db.pool)
            .await?
            .try_get("slug")?;
        let mut tx = scope.db.begin().await?;
        let entry = audit::Entry::new("customer_user.export")
            .by(&scope.actor)
            .in_tenant(Some(scope.tenant_id()))
            .target("tenant", Some(scope.tenant_id()), "customer users")
            .change("rows", serde_json::Value::Null, rows);
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        Ok::<_, AppError>((scope, rows, slug))
    }
    .await;
    let (scope, rows, slug) = match started {
        Ok(started) => started,
        Err(error) => return error_response(&error),
    };
    let stream = futures::stream::unfold(Some((scope, 0_i64, true)), |state| async move {
        let (scope, after, header) = state?;
        match batch(&scope, after, header).await {
            Ok(Some((last, bytes))) => {
                let next = if last == after { None } else { Some((scope, last, false)) };
                Some((Ok(Bytes::from(bytes)), next))
            }
            Ok(None) => None,
            Err(error) => Some((Err(std::io::Error::other(error.to_string())), None)),
        }
    });
    let name = super::file_name(&slug, crate::backend::now()).replacen("customers-", "customer-users-", 1);
    csv_response(stream, &name, Some(rows))
}
