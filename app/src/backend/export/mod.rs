//! Customer exports (PRODUCT.md §9, issue 13): a CSV of exactly the customers a list view holds
//! (its search and filters, every page) or of a selection, streamed from the database to the
//! browser in batches, so memory stays flat whatever the size. A plain GET download
//! (`/customers/export.csv?<the list's query>[&ids=1,2,3][&bom=1]`), not a server function.
//! One account's export is in [`account`]; the partner's customer users in [`users`].

pub mod account;
pub mod users;

use super::customers::sql::{push_from_where, Access};
use super::memberships::name_in_tenant_sql;
use super::sql::{Sql, Value};
use super::{audit, authz, field_config, AppState, TenantScope};
use crate::error::AppError;
use crate::types::customers::query::CustomerQuery;
use crate::types::field_config::BuiltinField;
use crate::types::session::Permission;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use sqlx::Row;
use std::collections::HashMap;

/// Rows fetched and written per step of the stream.
const BATCH: i64 = 1_000;
/// The most customers one may tick by hand (the list's own limit).
const MAX_IDS: usize = 1_000;

/// What to export, as the download link says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRequest {
    pub query: CustomerQuery,
    /// Ticked customers; when present the query is ignored.
    pub ids: Option<Vec<i64>>,
    /// Start with a UTF-8 byte-order mark, for spreadsheets that guess the encoding otherwise.
    pub bom: bool,
}

impl ExportRequest {
    pub fn from_query_string(qs: &str) -> Result<Self, AppError> {
        let mut request = ExportRequest { query: CustomerQuery::from_query_string(qs), ..Default::default() };
        for (key, value) in form_urlencoded::parse(qs.as_bytes()) {
            match key.as_ref() {
                "bom" => request.bom = value == "1",
                "ids" => {
                    let ids = value
                        .split(',')
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| s.trim().parse::<i64>())
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|_| AppError::bad_request("ids must be customer numbers separated by commas"))?;
                    if ids.is_empty() || ids.len() > MAX_IDS {
                        return Err(AppError::bad_request(format!("Select between 1 and {MAX_IDS} customers.")));
                    }
                    request.ids = Some(ids);
                }
                _ => {}
            }
        }
        Ok(request)
    }
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// a formula; a leading apostrophe makes it text (OWASP's advice for CSV injection).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// "2026-11-23T14:05:00Z", or empty.
pub(in crate::backend) fn timestamp(unix: Option<i64>) -> String {
    unix.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The built-in text columns, by their stored names.
fn text_fields() -> impl Iterator<Item = BuiltinField> {
    BuiltinField::ALL.into_iter().filter(|f| *f != BuiltinField::Network)
}

/// `c.street, c.suite, …, ` for a SELECT list: the built-in text columns by name (`c.*` would
/// bring PostgreSQL's search columns, which the Any driver cannot decode).
fn text_column_list() -> String {
    text_fields().map(|f| format!("c.{}, ", f.key())).collect()
}

/// The header row: stable names (the stored keys), custom fields as `custom.<key>`.
pub fn header(custom_keys: &[String]) -> Vec<String> {
    let mut columns: Vec<String> =
        ["id", "name", "status", "status_changed_at", "status_changed_by"].into_iter().map(String::from).collect();
    columns.extend(text_fields().map(|f| f.key().to_string()));
    columns.extend(["network_id", "network"].map(String::from));
    columns.extend(custom_keys.iter().map(|k| format!("custom.{k}")));
    columns.extend(["created_at", "created_by", "updated_at", "updated_by"].map(String::from));
    columns
}

/// Where the stream is: the last id written, and whether the end was reached.
struct Cursor {
    scope: TenantScope,
    request: ExportRequest,
    custom: Vec<(i64, String)>,
    after: i64,
    done: bool,
}

/// The ids of the next batch, in id order (the list's own filters, or the selection).
async fn next_ids(cursor: &Cursor) -> Result<Vec<i64>, AppError> {
    let scope = &cursor.scope;
    let mut sql = Sql::default();
    sql.push("SELECT c.id");
    match &cursor.request.ids {
        Some(ids) => {
            sql.push(" FROM customers c WHERE +c.tenant_id = ")
                .bind(Value::Int(scope.tenant_id()))
                .push(" AND c.id IN ")
                .bind_list(ids.iter().map(|id| Value::Int(*id)));
        }
        None => push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), &cursor.request.query, Access::INDEXED),
    }
    sql.push(" AND c.id > ").bind(Value::Int(cursor.after)).push(" ORDER BY c.id LIMIT ").bind(Value::Int(BATCH));
    Ok(sql.query().fetch_all(&scope.db.pool).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?)
}

/// One batch as CSV bytes (with the header row first, when `header` is given).
async fn batch_csv(cursor: &Cursor, ids: &[i64], header_row: Option<Vec<String>>) -> Result<Vec<u8>, AppError> {
    let scope = &cursor.scope;
    let mut sql = Sql::default();
    let stamps = format!(
        "{} AS status_by, {} AS created_by_name, {} AS updated_by_name",
        name_in_tenant_sql("sp", "c.tenant_id"),
        name_in_tenant_sql("cp", "c.tenant_id"),
        name_in_tenant_sql("up", "c.tenant_id"),
    );
    sql.push("SELECT ").push(&text_column_list()).push(
        "c.id, c.name, c.status, c.status_changed_at, c.parent_id, c.created_at, c.updated_at, n.name AS network_name, ",
    )
    .push(&stamps)
    .push(
        "
         FROM customers c
         LEFT JOIN customers n ON n.id = c.parent_id AND n.tenant_id = c.tenant_id
         LEFT JOIN persons sp ON sp.id = c.status_changed_by
         LEFT JOIN persons cp ON cp.id = c.created_by
         LEFT JOIN persons up ON up.id = c.updated_by
         WHERE +c.tenant_id = ",
    )
    .bind(Value::Int(scope.tenant_id()))
    .push(" AND c.id IN ")
    .bind_list(ids.iter().map(|id| Value::Int(*id)))
    .push(" ORDER BY c.id");
    // `IN ()` is an error on PostgreSQL: an empty batch (an export of nothing) reads nothing.
    let rows = if ids.is_empty() { Vec::new() } else { sql.query().fetch_all(&scope.db.pool).await? };
    let mut values: HashMap<(i64, i64), String> = HashMap::new();
    if !cursor.custom.is_empty() && !ids.is_empty() {
        let mut sql = Sql::default();
        sql.push("SELECT customer_id, field_id, value FROM customer_field_values WHERE customer_id IN ")
            .bind_list(ids.iter().map(|id| Value::Int(*id)));
        for r in sql.query().fetch_all(&scope.db.pool).await? {
            values.insert((r.try_get("customer_id")?, r.try_get("field_id")?), r.try_get("value")?);
        }
    }
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 300));
    let write = |out: &mut csv::Writer<Vec<u8>>, record: Vec<String>| {
        out.write_record(record.iter().map(|c| neutralise(c).into_owned()))
            .map_err(|e| AppError::internal("writing an export row", e))
    };
    if let Some(header_row) = header_row {
        write(&mut out, header_row)?;
    }
    let text = |r: &sqlx::any::AnyRow, column: &str| -> Result<String, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(column)?.unwrap_or_default())
    };
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let mut record = vec![
            id.to_string(),
            r.try_get("name")?,
            r.try_get("status")?,
            timestamp(r.try_get("status_changed_at")?),
            text(r, "status_by")?,
        ];
        for field in text_fields() {
            record.push(text(r, field.key())?);
        }
        record.push(r.try_get::<Option<i64>, _>("parent_id")?.map(|p| p.to_string()).unwrap_or_default());
        record.push(text(r, "network_name")?);
        for (field_id, _) in &cursor.custom {
            record.push(values.remove(&(id, *field_id)).unwrap_or_default());
        }
        record.extend([
            timestamp(r.try_get("created_at")?),
            text(r, "created_by_name")?,
            timestamp(r.try_get("updated_at")?),
            text(r, "updated_by_name")?,
        ]);
        write(&mut out, record)?;
    }
    out.into_inner().map_err(|e| AppError::internal("finishing an export batch", e))
}

/// How many customers the export will hold (exactly: it is written into the audit log).
async fn count(scope: &TenantScope, request: &ExportRequest) -> Result<i64, AppError> {
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*) AS n");
    match &request.ids {
        Some(ids) => {
            sql.push(" FROM customers c WHERE +c.tenant_id = ")
                .bind(Value::Int(scope.tenant_id()))
                .push(" AND c.id IN ")
                .bind_list(ids.iter().map(|id| Value::Int(*id)));
        }
        None => push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), &request.query, Access::INDEXED),
    }
    Ok(sql.query().fetch_one(&scope.db.pool).await?.try_get("n")?)
}

/// The file name: partner and date, letters, digits and dashes only (nothing a header or a
/// file system could misread).
pub fn file_name(partner_slug: &str, unix: i64) -> String {
    let slug: String = partner_slug
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let date = crate::format::format_date(unix);
    format!("customers-{}-{date}.csv", if slug.is_empty() { "partner" } else { &slug })
}

/// `GET /customers/export.csv`: checks the session and `customers.export`, audits who exported
/// what and how many, and streams the CSV.
pub async fn customers_csv(state: AppState, parts: http::request::Parts) -> Response {
    match start(state, parts).await {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

/// A refused or failed download: the error's status and its message as plain text.
pub(in crate::backend) fn error_response(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response =
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], error.to_string()).into_response();
    if let Some(seconds) = error.retry_after_seconds() {
        response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

async fn start(state: AppState, parts: http::request::Parts) -> Result<Response, AppError> {
    let request = ExportRequest::from_query_string(parts.uri.query().unwrap_or_default())?;
    let scope = authz::authorize_request(&state, parts, Permission::CustomersExport).await?;
    let rows = count(&scope, &request).await?;
    let mut conn = scope.db.pool.acquire().await?;
    let config = field_config::load(&mut conn, scope.tenant_id()).await?;
    let slug: String = sqlx::query("SELECT slug FROM tenants WHERE id = $1")
        .bind(scope.tenant_id())
        .fetch_one(&mut *conn)
        .await?
        .try_get("slug")?;
    drop(conn);
    let filter = match &request.ids {
        Some(ids) => format!("{} selected", ids.len()),
        None => request.query.filters_only().to_query_string(),
    };
    let mut tx = scope.db.begin().await?;
    let entry = audit::Entry::new("customer.export")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("tenant", Some(scope.tenant_id()), "customers")
        .change("filter", serde_json::Value::Null, filter)
        .change("rows", serde_json::Value::Null, rows);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;

    let custom: Vec<(i64, String)> = config.custom_fields.iter().map(|f| (f.id, f.key.clone())).collect();
    let header_row = header(&custom.iter().map(|(_, k)| k.clone()).collect::<Vec<_>>());
    let bom = request.bom;
    let cursor = Cursor { scope, request, custom, after: 0, done: false };
    let first = Some((header_row, bom));
    // One batch per step: fetched, written, sent, dropped. A failure mid-way ends the stream
    // with an error, so the browser reports a failed download rather than a short file.
    let stream = futures::stream::unfold((cursor, first), |(mut cursor, first)| async move {
        if cursor.done {
            return None;
        }
        let step = async {
            let ids = next_ids(&cursor).await?;
            let mut bytes = Vec::new();
            let header_row = match first {
                Some((header_row, bom)) => {
                    if bom {
                        bytes.extend_from_slice("\u{feff}".as_bytes());
                    }
                    Some(header_row)
                }
                None => None,
            };
            if ids.is_empty() {
                cursor.done = true;
                if let Some(header_row) = header_row {
                    bytes.extend(batch_csv(&cursor, &[], Some(header_row)).await?);
                }
                return Ok::<_, AppError>(bytes);
            }
            cursor.after = *ids.last().unwrap_or(&cursor.after);
            cursor.done = (ids.len() as i64) < BATCH;
            bytes.extend(batch_csv(&cursor, &ids, header_row).await?);
            Ok(bytes)
        };
        match step.await {
            Ok(bytes) => Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), (cursor, None))),
            Err(error) => {
                cursor.done = true;
                Some((Err(std::io::Error::other(error.to_string())), (cursor, None)))
            }
        }
    });
    Ok(csv_response(stream, &file_name(&slug, super::now()), Some(rows)))
}

/// A CSV download of `stream`'s chunks, named `name`, announcing `rows` rows when known.
pub(in crate::backend) fn csv_response(
    stream: impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    name: &str,
    rows: Option<i64>,
) -> Response {
    // Fused: a layer around the body (compression) may poll once more after the end.
    let mut response = Body::from_stream(futures::StreamExt::fuse(stream)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Some(rows) = rows {
        headers.insert("x-export-rows", HeaderValue::from(rows));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for hostile in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(hostile), format!("'{hostile}"));
        }
        for plain in ["Alpha Bakery", "", "a=b", "1-2", "'quoted"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn file_names_are_plain() {
        let at = 1_795_000_000; // 2026-11-18
        assert_eq!(file_name("northwind", at), "customers-northwind-2026-11-18.csv");
        assert_eq!(file_name("Ac\"me/..\\x\r\n", at), "customers-ac-me-x-2026-11-18.csv");
        assert_eq!(file_name("", at), "customers-partner-2026-11-18.csv");
    }

    #[test]
    fn the_request_is_read_from_the_link() {
        let r = ExportRequest::from_query_string("q=ann&status=active&bom=1").unwrap();
        assert_eq!((r.query.search.as_str(), r.bom, r.ids), ("ann", true, None));
        let r = ExportRequest::from_query_string("ids=3,1,2").unwrap();
        assert_eq!(r.ids, Some(vec![3, 1, 2]));
        assert!(ExportRequest::from_query_string("ids=1,x").is_err());
        assert!(ExportRequest::from_query_string("ids=").is_err());
    }

    #[test]
    fn the_header_names_are_stable() {
        let header = header(&["plan".to_string()]);
        assert_eq!(header[..3], ["id", "name", "status"]);
        assert!(header.contains(&"custom.plan".to_string()));
        assert_eq!(header.last().unwrap(), "updated_by");
    }
}
