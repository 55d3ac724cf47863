//! Reading the audit log (PRODUCT.md §11, issue 14): newest first, keyset paging by id, every
//! filter combinable and each served by an index (migration 0014), and the filtered log as a
//! streamed CSV. Partner staff with `audit.view` read their partner's entries; operators read
//! every partner's and the entries with no partner.

use crate::backend::export::{csv_response, error_response, neutralise, timestamp};
use crate::backend::sql::{like_pattern, Sql, Value};
use crate::backend::{audit, authz, AppState, AuditScope};
use crate::error::AppError;
use crate::types::audit::{AuditEntryView, AuditFilter, AuditPage, FieldChange, PAGE_SIZE};
use crate::types::forms::parse_date;
use axum::body::Bytes;
use axum::response::Response;
use sqlx::Row;

const COLUMNS: &str = "a.id, a.at, a.actor_label, a.acting_as, t.name AS partner, a.action, a.target_type, a.target_id,
                       a.target_label, a.changes, a.client_addr";

/// The WHERE clause of `filter` within `scope`, for entries older than `before`.
fn push_where(sql: &mut Sql, scope: &AuditScope, filter: &AuditFilter, before: Option<i64>) {
    sql.push(" WHERE 1 = 1");
    match (scope.tenant_id(), filter.partner) {
        (Some(tenant), _) => {
            sql.push(" AND a.tenant_id = ").bind(Value::Int(tenant));
        }
        (None, Some(0)) => {
            sql.push(" AND a.tenant_id IS NULL");
        }
        (None, Some(partner)) => {
            sql.push(" AND a.tenant_id = ").bind(Value::Int(partner));
        }
        (None, None) => {}
    }
    if !filter.actor.is_empty() {
        sql.push(" AND a.actor_person_id = (SELECT p.id FROM persons p WHERE p.email = ")
            .bind(Value::Text(filter.actor.trim().to_lowercase()))
            .push(")");
    }
    if !filter.acting_as.is_empty() {
        let pattern = like_pattern(&filter.acting_as.to_lowercase());
        sql.push(" AND a.acting_as IS NOT NULL AND LOWER(a.acting_as) LIKE ")
            .bind(Value::Text(pattern))
            .push(" ESCAPE '\\'");
    }
    if let Some(prefix) = filter.action.strip_suffix('.') {
        // Every action of a kind, as a range the action index serves: "customer." ≤ a < "customer/".
        sql.push(" AND a.action >= ").bind(Value::Text(format!("{prefix}.")));
        sql.push(" AND a.action < ").bind(Value::Text(format!("{prefix}/")));
    } else if !filter.action.is_empty() {
        sql.push(" AND a.action = ").bind(Value::Text(filter.action.clone()));
    }
    if let Some((kind, id)) = filter.target_parts() {
        sql.push(" AND a.target_type = ").bind(Value::Text(kind.to_string()));
        sql.push(" AND a.target_id = ").bind(Value::Int(id));
    }
    // Days become id bounds (ids grow with time): the newest-first scan then starts and stops
    // at the right place instead of walking every later entry. Each bound is the first (or
    // last) entry in time order, one step along the `at` index; MIN/MAX(id) over a date range
    // would read every entry in it (120 ms for a year of a million-entry log).
    if let Some(from) = parse_date(&filter.from) {
        sql.push(" AND a.id >= (SELECT f.id FROM audit_log f WHERE f.at >= ")
            .bind(Value::Int(from.midnight().assume_utc().unix_timestamp()))
            .push(" ORDER BY f.at, f.id LIMIT 1)");
    }
    if let Some(to) = parse_date(&filter.to) {
        let end = to.next_day().map_or(i64::MAX, |d| d.midnight().assume_utc().unix_timestamp());
        sql.push(" AND a.id <= (SELECT u.id FROM audit_log u WHERE u.at < ")
            .bind(Value::Int(end))
            .push(" ORDER BY u.at DESC, u.id DESC LIMIT 1)");
    }
    if let Some(before) = before {
        sql.push(" AND a.id < ").bind(Value::Int(before));
    }
}

fn checked(filter: &AuditFilter) -> Result<(), AppError> {
    let errors = filter.validate();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// A JSON value as the page and the CSV show it.
fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn changes_of(json: Option<&str>) -> Vec<FieldChange> {
    let Some(serde_json::Value::Object(map)) = json.and_then(|j| serde_json::from_str(j).ok()) else {
        return Vec::new();
    };
    map.into_iter()
        .map(|(field, pair)| {
            let (before, after) = match pair.as_array().map(Vec::as_slice) {
                Some([before, after]) => (as_text(before), as_text(after)),
                _ => ("—".into(), as_text(&pair)),
            };
            FieldChange { field, before, after }
        })
        .collect()
}

fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntryView, sqlx::Error> {
    Ok(AuditEntryView {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor_label")?,
        acting_as: r.try_get("acting_as")?,
        partner: r.try_get("partner")?,
        action: r.try_get("action")?,
        target_type: r.try_get("target_type")?,
        target_id: r.try_get("target_id")?,
        target_label: r.try_get("target_label")?,
        changes: changes_of(r.try_get::<Option<String>, _>("changes")?.as_deref()),
        client_addr: r.try_get("client_addr")?,
    })
}

async fn fetch(
    scope: &AuditScope,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntryView>, AppError> {
    let mut sql = Sql::default();
    sql.push("SELECT ").push(COLUMNS).push(" FROM audit_log a LEFT JOIN tenants t ON t.id = a.tenant_id");
    push_where(&mut sql, scope, filter, before);
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(Value::Int(limit));
    let rows = if scope.db.is_postgres() {
        // As the customer list does: walk an index in id order and stop at the page's end,
        // never fetch every match to sort it (what PostgreSQL picks without statistics, or when
        // it misjudges how many entries a filter matches).
        let mut tx = scope.db.pool.begin().await?;
        sqlx::query("SET LOCAL enable_sort = off").execute(&mut *tx).await?;
        sqlx::query("SET LOCAL enable_bitmapscan = off").execute(&mut *tx).await?;
        let rows = sql.query().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        rows
    } else {
        sql.query().fetch_all(&scope.db.pool).await?
    };
    Ok(rows.iter().map(entry_of).collect::<Result<_, _>>()?)
}

/// One page of the log, newest first, older than `before` when given.
pub async fn page(scope: &AuditScope, filter: &AuditFilter, before: Option<i64>) -> Result<AuditPage, AppError> {
    checked(filter)?;
    let mut entries = fetch(scope, filter, before, PAGE_SIZE as i64 + 1).await?;
    let next_before = (entries.len() > PAGE_SIZE).then(|| {
        entries.truncate(PAGE_SIZE);
        entries.last().map_or(0, |e| e.id)
    });
    Ok(AuditPage { entries, next_before })
}

const CSV_BATCH: i64 = 1_000;
const CSV_HEADER: [&str; 12] = [
    "id",
    "at",
    "actor",
    "acting_as",
    "partner",
    "action",
    "target_type",
    "target_id",
    "target",
    "field",
    "before",
    "after",
];

fn csv_rows(entries: &[AuditEntryView], header: bool) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal("writing an audit export row", e);
    if header {
        out.write_record(CSV_HEADER).map_err(fail)?;
    }
    for e in entries {
        // One row per changed field (or one row for an entry without changes): a diff a
        // spreadsheet can filter.
        let changes = if e.changes.is_empty() { vec![None] } else { e.changes.iter().map(Some).collect() };
        for change in changes {
            let cells = [
                e.id.to_string(),
                timestamp(Some(e.at)),
                e.actor.clone(),
                e.acting_as.clone().unwrap_or_default(),
                e.partner.clone().unwrap_or_default(),
                e.action.clone(),
                e.target_type.clone().unwrap_or_default(),
                e.target_id.map(|id| id.to_string()).unwrap_or_default(),
                e.target_label.clone().unwrap_or_default(),
                change.map(|c| c.field.clone()).unwrap_or_default(),
                change.map(|c| c.before.clone()).unwrap_or_default(),
                change.map(|c| c.after.clone()).unwrap_or_default(),
            ];
            out.write_record(cells.iter().map(|c| neutralise(c).into_owned())).map_err(fail)?;
        }
    }
    out.into_inner().map_err(|e| AppError::internal("finishing an audit export batch", e.into_error()))
}

/// `GET /audit/export.csv?<the page's filter>`: the filtered log, newest first, streamed in
/// batches; the export itself is audited.
pub async fn download(state: AppState, parts: http::request::Parts) -> Response {
    match start_download(state, parts).await {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

async fn start_download(state: AppState, parts: http::request::Parts) -> Result<Response, AppError> {
    let query = parts.uri.query().unwrap_or_default().to_string();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let filter = AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let scope = authz::with_request(&state, parts, authz::authorize_audit()).await?;
    checked(&filter)?;
    let mut tx = scope.db.begin().await?;
    let described = filter.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let entry = audit::Entry::new("audit.export")
        .by(&scope.actor)
        .in_tenant(scope.tenant_id())
        .target("audit_log", None, "audit log")
        .change("filter", serde_json::Value::Null, described);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let stream = futures::stream::unfold(
        (scope, filter, None::<i64>, true, false),
        |(scope, filter, before, first, done)| async move {
            if done {
                return None;
            }
            let step = async {
                let entries = fetch(&scope, &filter, before, CSV_BATCH).await?;
                let bytes = csv_rows(&entries, first)?;
                let next = entries.last().map(|e| e.id);
                Ok::<_, AppError>((bytes, next, (entries.len() as i64) < CSV_BATCH))
            };
            match step.await {
                Ok((bytes, next, last)) => {
                    Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), (scope, filter, next.or(before), false, last)))
                }
                Err(error) => {
                    Some((Err(std::io::Error::other(error.to_string())), (scope, filter, before, false, true)))
                }
            }
        },
    );
    let name = format!("audit-log-{}.csv", crate::format::format_date(crate::backend::now()));
    Ok(csv_response(stream, &name, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_text_before_and_after() {
        let changes = changes_of(Some(r#"{"name":["A","<b>B</b>"],"city":[null,"Berlin"],"rows":[null,3]}"#));
        let by_field = |f: &str| changes.iter().find(|c| c.field == f).cloned().unwrap();
        assert_eq!((by_field("name").before, by_field("name").after), ("A".into(), "<b>B</b>".into()));
        assert_eq!((by_field("city").before, by_field("rows").after), ("—".into(), "3".into()));
        assert!(changes_of(Some("not json")).is_empty());
        assert!(changes_of(None).is_empty());
    }
}
