//! The SQL behind the customer list: the tenant and filter conditions of a [`CustomerQuery`],
//! and how its search terms reach an index. Shared by the list, its count and bulk selections,
//! so all three always agree on which customers a view holds.

use crate::backend::sql::{like_pattern, Sql, Value};
use crate::backend::{Db, DbKind};
use crate::types::customers::query::CustomerQuery;
use sqlx::Row;

/// Search terms as needles (lower-cased, see [`needle`]); a customer matches when its search
/// text contains every one. Control characters separate terms like spaces: no search text
/// holds one, and SQLite cannot take a NUL inside a pattern.
pub fn search_terms(search: &str) -> Vec<String> {
    let mut terms: Vec<String> = search
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|t| !t.is_empty())
        .map(|t| needle(&t.to_lowercase()))
        .collect();
    terms.sort();
    terms.dedup();
    terms.truncate(MAX_TERMS);
    terms
}
const MAX_TERMS: usize = 8;

/// How a term is found in `search_text`: 3+ characters anywhere; shorter terms at the start
/// of a word, that is after a space (the search text starts with one, so its first word counts
/// too). The space also gives a two-letter term its trigram, so an index can find it.
fn needle(term: &str) -> String {
    if term.chars().count() < 3 {
        format!(" {term}")
    } else {
        term.to_string()
    }
}

/// Needles this short have no trigram, so no index can find them: they are matched by scanning.
const MIN_INDEXED_CHARS: usize = 3;

/// How the search terms are matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchVia {
    /// The trigram index finds the matching rows first (SQLite: the FTS5 table drives the query;
    /// PostgreSQL: the planner uses the pg_trgm index for `LIKE`).
    Index,
    /// `LIKE` checks each row the query walks anyway. On SQLite this wins when a term matches
    /// so many customers that walking the sort order finds a page of them sooner than the index
    /// could list them all (see [`choose_access`]).
    Scan,
}

/// How a query reaches its rows, on SQLite: its planner cannot see how many rows a full-text
/// match returns, and it overrates the country and city indexes (it would read and sort
/// 150,000 German customers rather than walk the name order for 26 of them). PostgreSQL is
/// told differently: it first tries a bounded walk of the sort order ([`push_walk_from_where`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub search: SearchVia,
    /// Look up country and city filters in their indexes (else check them row by row).
    pub place_index: bool,
    /// Find custom-field filter matches through the (field, value) index (else check each row's
    /// value by its (customer, field) key while walking the sort order).
    pub fields_index: bool,
}

impl Access {
    /// Every index the filters can use: right for counts and bulk selections, which need
    /// every match and no order.
    pub const INDEXED: Access = Access { search: SearchVia::Index, place_index: true, fields_index: true };
}

/// Past this many matches, a sorted page is found faster by walking the sort order and
/// checking each row than by fetching every match through an index and sorting them.
const MATCHES_FOR_WALK: i64 = 5_000;

/// The access for one sorted page of `q`: on SQLite, counts (cheaply, stopping at the
/// threshold) how many rows the search index and the place indexes would hand over, and walks
/// the sort order instead when that is many.
pub async fn choose_access(db: &Db, q: &CustomerQuery, tenant_id: i64) -> Result<Access, sqlx::Error> {
    if db.kind != DbKind::Sqlite {
        return Ok(Access::INDEXED);
    }
    let terms = search_terms(&q.search);
    let indexed: Vec<String> = terms.into_iter().filter(|t| t.chars().count() >= MIN_INDEXED_CHARS).collect();
    let search = if indexed.is_empty() {
        SearchVia::Index
    } else {
        let hits: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT rowid FROM customers_search WHERE search_text MATCH $1 LIMIT $2) hits",
        )
        .bind(fts_match_expression(&indexed))
        .bind(MATCHES_FOR_WALK + 1)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
        if hits > MATCHES_FOR_WALK {
            SearchVia::Scan
        } else {
            SearchVia::Index
        }
    };
    let place_index = if q.countries.is_empty() && q.city.is_none() {
        true
    } else {
        // Answered from the (tenant, country, status) or (tenant, city, status) index alone.
        let mut sql = Sql::default();
        sql.push("SELECT COUNT(*) AS n FROM (SELECT 1 FROM customers c WHERE c.tenant_id = ")
            .bind(Value::Int(tenant_id));
        push_place_and_status(&mut sql, q, true);
        sql.push(" LIMIT ").bind(Value::Int(MATCHES_FOR_WALK + 1)).push(") hits");
        let hits: i64 = sql.query().fetch_one(&db.pool).await?.try_get("n")?;
        hits <= MATCHES_FOR_WALK
    };
    // A custom-field value that many customers hold (a plan, a yes/no answer) is found faster
    // by walking the sort order; a rare one through its index. The rarest filter decides: the
    // index then hands over few rows and the others are checked on them.
    let mut fields_index = true;
    for (key, value) in &q.fields {
        let hits: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM customer_field_values v
               WHERE v.field_id = (SELECT id FROM custom_fields WHERE tenant_id = $1 AND key = $2 AND removing_since IS NULL) AND v.value = $3 LIMIT $4) hits",
        )
        .bind(tenant_id)
        .bind(key)
        .bind(value)
        .bind(MATCHES_FOR_WALK + 1)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
        fields_index = hits <= MATCHES_FOR_WALK;
        if fields_index {
            break;
        }
    }
    Ok(Access { search, place_index, fields_index })
}

/// Status, country and city conditions. Without `indexed`, the place columns are written
/// `+c.country`, which keeps SQLite from using their indexes (PostgreSQL reads it as the column).
fn push_place_and_status(sql: &mut Sql, q: &CustomerQuery, indexed: bool) {
    let prefix = if indexed { "" } else { "+" };
    if let Some(status) = q.status {
        sql.push(" AND c.status = ").bind(Value::Text(status.key().into()));
    }
    if !q.countries.is_empty() {
        sql.push(&format!(" AND {prefix}c.country IN ")).bind_list(q.countries.iter().cloned().map(Value::Text));
    }
    if let Some(city) = &q.city {
        sql.push(&format!(" AND {prefix}c.city = ")).bind(Value::Text(city.clone()));
    }
}

/// The tenant's customers `c` matching every filter of `q` (not its cursor): `FROM … WHERE …`.
pub fn push_from_where(sql: &mut Sql, db: DbKind, tenant_id: i64, q: &CustomerQuery, access: Access) {
    let plan = Plan::new(db, q, access);
    // On SQLite a custom-field filter looked up through its index drives the query from that
    // index when no full-text match does: `c.id IN (subquery)` would first collect every id
    // (120,000 for a common plan) before a count could stop at its cap.
    if plan.drive_by_field {
        sql.push(" FROM customer_field_values d CROSS JOIN customers c ON c.id = d.customer_id");
    } else if plan.indexed.is_empty() {
        sql.push(" FROM customers c");
    } else {
        // CROSS JOIN keeps the search table first, so SQLite reads only the matching rows.
        sql.push(" FROM customers_search s CROSS JOIN customers c ON c.id = s.rowid");
    }
    if db == DbKind::Postgres && !plan.scanned.is_empty() {
        // The trigram index finds a search's rows; the tenant is checked on each. Left as an
        // index condition, PostgreSQL without statistics would also read the tenant's million
        // index entries to intersect with (40 ms for a term that matches nothing).
        sql.push(" WHERE c.tenant_id + 0 = ").bind(Value::Int(tenant_id));
    } else if db == DbKind::Sqlite && q.network.is_some() {
        // A network's sub-accounts are found through the parent index and sorted (a few
        // hundred rows); left indexable, the tenant lets SQLite walk its million names in
        // order instead, checking each for the parent: 0.5 s, or 2.5 s for a customer that
        // has no sub-accounts at all.
        sql.push(" WHERE +c.tenant_id = ").bind(Value::Int(tenant_id));
    } else {
        sql.push(" WHERE c.tenant_id = ").bind(Value::Int(tenant_id));
    }
    push_conditions(sql, db, tenant_id, q, access, &plan);
}

/// How many customers, in the page's order, a walk reads at most before it gives up (see
/// [`push_walk_from_where`]): about 5 ms of index reads on PostgreSQL.
pub const WALK_BUDGET: i64 = 5_000;

/// PostgreSQL's first try at a sorted, filtered page: the next [`WALK_BUDGET`] customers of
/// the tenant in the page's order (`order_and_cursor` pushes the cursor condition and the
/// `ORDER BY`), with the filters checked on each: `FROM (SELECT … LIMIT budget) c WHERE …`.
///
/// Why: without statistics (after a bulk load or a restore) PostgreSQL takes every filter
/// for a rare one, so it fetches all matches through an index and sorts them: 150 ms for the
/// 150,000 German customers of a million, where reading the name order finds a page of them
/// in the first 400 rows. It has no way to be told, but this form leaves it no other plan (run
/// with sorting and bitmap scans discouraged, see `customers::list`). When the walk fills the
/// page, those are exactly the page's rows; when it does not, the filters match too few rows
/// for a walk and the usual query fetches them through their indexes.
pub fn push_walk_from_where(sql: &mut Sql, tenant_id: i64, q: &CustomerQuery, order_and_cursor: impl FnOnce(&mut Sql)) {
    // Each custom value checked by its (customer, field) key on the walked rows.
    let access = Access { search: SearchVia::Scan, place_index: true, fields_index: false };
    let plan = Plan::new(DbKind::Postgres, q, access);
    sql.push(" FROM (SELECT * FROM customers c WHERE c.tenant_id = ").bind(Value::Int(tenant_id));
    order_and_cursor(sql);
    sql.push(" LIMIT ").bind(Value::Int(WALK_BUDGET)).push(") c WHERE c.tenant_id = ").bind(Value::Int(tenant_id));
    push_conditions(sql, DbKind::Postgres, tenant_id, q, access, &plan);
}

/// Which search terms go through the full-text index, which are checked with `LIKE`, and
/// whether a custom-field index drives the query.
struct Plan {
    indexed: Vec<String>,
    scanned: Vec<String>,
    drive_by_field: bool,
}

impl Plan {
    fn new(db: DbKind, q: &CustomerQuery, access: Access) -> Self {
        let terms = search_terms(&q.search);
        let (indexed, scanned): (Vec<String>, Vec<String>) = match (db, access.search) {
            (DbKind::Sqlite, SearchVia::Index) => {
                terms.into_iter().partition(|t| t.chars().count() >= MIN_INDEXED_CHARS)
            }
            _ => (Vec::new(), terms),
        };
        let drive_by_field = db == DbKind::Sqlite && access.fields_index && indexed.is_empty() && !q.fields.is_empty();
        Plan { indexed, scanned, drive_by_field }
    }
}

/// The filter conditions after `WHERE c.tenant_id = ?`, each starting ` AND`.
fn push_conditions(sql: &mut Sql, db: DbKind, tenant_id: i64, q: &CustomerQuery, access: Access, plan: &Plan) {
    let (indexed, scanned, drive_by_field) = (&plan.indexed, &plan.scanned, plan.drive_by_field);
    if drive_by_field {
        // (customer_id, field_id) is the key of customer_field_values: one row per customer.
        let (key, value) = &q.fields[0];
        sql.push(" AND d.field_id = (SELECT f.id FROM custom_fields f WHERE f.tenant_id = ")
            .bind(Value::Int(tenant_id))
            .push(" AND f.key = ")
            .bind(Value::Text(key.clone()))
            .push(" AND f.removing_since IS NULL) AND d.value = ")
            .bind(Value::Text(value.clone()));
    }
    if !indexed.is_empty() {
        sql.push(" AND s.search_text MATCH ").bind(Value::Text(fts_match_expression(indexed)));
    }
    for term in scanned {
        sql.push(" AND c.search_text LIKE ").bind(Value::Text(like_pattern(term)));
        if db == DbKind::Sqlite {
            // PostgreSQL's LIKE escapes with a backslash by default; SQLite's needs telling.
            sql.push(" ESCAPE '\\'");
        }
    }
    push_place_and_status(sql, q, access.place_index || db != DbKind::Sqlite);
    if let Some(network) = q.network {
        sql.push(" AND c.parent_id = ").bind(Value::Int(network));
    }
    if let Some(workflow) = &q.workflow {
        sql.push(" AND c.workflow = ").bind(Value::Text(workflow.clone()));
    }
    for (key, value) in q.fields.iter().skip(usize::from(drive_by_field)) {
        let field = "(SELECT f.id FROM custom_fields f WHERE f.tenant_id = ";
        if access.fields_index {
            // A semi-join driven from the (field_id, value, customer_id) index.
            sql.push(" AND c.id IN (SELECT v.customer_id FROM customer_field_values v WHERE v.field_id = ");
        } else {
            // Checked per row by the (customer_id, field_id) key: a correlated scalar subquery,
            // which neither database turns into a join that would drive the query.
            sql.push(" AND (SELECT v.value FROM customer_field_values v WHERE v.customer_id = c.id AND v.field_id = ");
        }
        sql.push(field)
            .bind(Value::Int(tenant_id))
            .push(" AND f.key = ")
            .bind(Value::Text(key.clone()))
            .push(" AND f.removing_since IS NULL)");
        if access.fields_index {
            sql.push(" AND v.value = ").bind(Value::Text(value.clone())).push(")");
        } else {
            sql.push(") = ").bind(Value::Text(value.clone()));
        }
    }
    if let Some(from) = q.created_from.as_deref().and_then(day_start) {
        sql.push(" AND c.created_at >= ").bind(Value::Int(from));
    }
    if let Some(to) = q.created_to.as_deref().and_then(day_start) {
        sql.push(" AND c.created_at < ").bind(Value::Int(to + 86_400));
    }
}

/// Each term as an FTS5 phrase (quotes doubled), all required. Over a trigram table a phrase
/// matches wherever the text contains it, the same rows `LIKE '%term%'` would.
fn fts_match_expression(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ")
}

fn day_start(date: &str) -> Option<i64> {
    crate::types::forms::parse_date(date).map(|d| d.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercased_deduplicated_and_bounded() {
        assert_eq!(search_terms("  Müller  anna MÜLLER Ab x"), vec![" ab", " x", "anna", "müller"]);
        assert_eq!(search_terms("a b c d e f g h i j").len(), MAX_TERMS);
        assert_eq!(search_terms("ab\u{0}cd\u{1}"), vec![" ab", " cd"], "control characters split terms");
    }

    #[test]
    fn fts_phrases_are_quoted() {
        let terms = [r#"o"neil"#.to_string(), "AND".to_string()];
        assert_eq!(fts_match_expression(&terms), r#""o""neil" AND "AND""#);
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let q = CustomerQuery::from_query_string("q=a+smith&country=DE,FR&status=active");
        let mut sql = Sql::default();
        push_from_where(&mut sql, DbKind::Sqlite, 7, &q, Access::INDEXED);
        insta::assert_snapshot!(sql.text.trim(), @r"FROM customers_search s CROSS JOIN customers c ON c.id = s.rowid WHERE c.tenant_id = $1 AND s.search_text MATCH $2 AND c.search_text LIKE $3 ESCAPE '\' AND c.status = $4 AND c.country IN ($5, $6)");
        let mut sql = Sql::default();
        push_from_where(&mut sql, DbKind::Postgres, 7, &q, Access::INDEXED);
        insta::assert_snapshot!(sql.text.trim(), @"FROM customers c WHERE c.tenant_id + 0 = $1 AND c.search_text LIKE $2 AND c.search_text LIKE $3 AND c.status = $4 AND c.country IN ($5, $6)");
        let mut sql = Sql::default();
        push_from_where(
            &mut sql,
            DbKind::Sqlite,
            7,
            &q,
            Access { search: SearchVia::Scan, place_index: false, fields_index: false },
        );
        insta::assert_snapshot!(sql.text.trim(), @r"FROM customers c WHERE c.tenant_id = $1 AND c.search_text LIKE $2 ESCAPE '\' AND c.search_text LIKE $3 ESCAPE '\' AND c.status = $4 AND +c.country IN ($5, $6)");
    }
}
