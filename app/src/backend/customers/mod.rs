//! Customer accounts of one tenant. Every function takes a [`TenantScope`] and filters by it.

pub mod search_text;
pub mod sql;

use super::sql::{Sql, Value};
use super::{audit, now, session, DbKind, TenantScope};
use crate::error::AppError;
use crate::types::customers::query::{Cursor, CustomerQuery, SortField, MAX_SEARCH_CHARS};
use crate::types::customers::{
    CustomerCount, CustomerPage, CustomerRow, CustomerStatus, Selection, SidebarCustomer, SidebarCustomers,
    StatusChange,
};
use sql::{choose_access, push_from_where, push_walk_from_where, Access};
use sqlx::Row;

/// The sidebar is a navigator, not a dump: this many names, in name order, then "filter to find others".
const SIDEBAR_LIMIT: i64 = 200;
/// Counting stops here: past it the list says "10,000+" instead of scanning a million rows.
pub const COUNT_CAP: i64 = 10_000;
/// A search counts only this far: each match it counts is a row read (the trigram index
/// cannot confirm a match alone), so "1,000+" keeps a common term as quick as a rare one.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// The expression a sort orders by; NULLs become '' so keyset comparisons stay total.
fn sort_expr(field: SortField) -> &'static str {
    match field {
        SortField::Name => "c.name",
        SortField::Country => "COALESCE(c.country, '')",
        SortField::City => "COALESCE(c.city, '')",
        SortField::Status => "c.status",
        SortField::Created => "c.created_at",
    }
}

fn sort_value(field: SortField, row: &CustomerRow) -> String {
    match field {
        SortField::Name => row.name.clone(),
        SortField::Country => row.country.clone().unwrap_or_default(),
        SortField::City => row.city.clone().unwrap_or_default(),
        SortField::Status => row.status.key().to_string(),
        SortField::Created => row.created_at.to_string(),
    }
}

/// Whether a sorted page is first sought by walking the sort order (PostgreSQL, see
/// [`push_walk_from_where`]): for the filters an index answers in no useful order (search,
/// place, custom values), unless a network is chosen, whose few sub-accounts its index finds.
fn walk_first(db: DbKind, q: &CustomerQuery) -> bool {
    db == DbKind::Postgres
        && q.network.is_none()
        && (!q.search.trim().is_empty() || !q.countries.is_empty() || q.city.is_some() || !q.fields.is_empty())
}

/// One page of the tenant's customers for `q`, by keyset: the cursor names the row a page
/// starts after (or, going back, before), so deep pages cost the same as the first.
pub async fn list(scope: &TenantScope, q: &CustomerQuery) -> Result<CustomerPage, AppError> {
    let expr = sort_expr(q.sort);
    let backwards = q.cursor.as_ref().is_some_and(|c| c.before);
    // Reading backwards walks the order in reverse, then flips the rows back.
    let descending = q.descending != backwards;
    let (cmp, dir) = if descending { ("<", "DESC") } else { (">", "ASC") };

    // The cursor's key, checked before any query runs.
    let cursor = match &q.cursor {
        None => None,
        Some(cursor) => Some((
            match q.sort {
                SortField::Created => match cursor.key.parse() {
                    Ok(n) => Value::Int(n),
                    Err(_) => {
                        return Err(AppError::bad_request("That page link is out of date; start from the first page."))
                    }
                },
                _ => Value::Text(cursor.key.clone()),
            },
            cursor.id,
        )),
    };
    let order_and_cursor = |sql: &mut Sql| {
        if let Some((key, id)) = &cursor {
            sql.push(&format!(" AND ({expr}, c.id) {cmp} ("))
                .bind(key.clone())
                .push(", ")
                .bind(Value::Int(*id))
                .push(")");
        }
        sql.push(&format!(" ORDER BY {expr} {dir}, c.id {dir}"));
    };
    const COLUMNS: &str = "SELECT c.id, c.name, c.status, c.contact_first_name, c.contact_last_name, c.contact_email,
                c.city, c.country, c.created_at, c.parent_id";
    let limit = Value::Int(q.page_size as i64 + 1);

    let mut fetched = None;
    if walk_first(scope.db.kind, q) {
        let mut sql = Sql::default();
        sql.push(COLUMNS);
        push_walk_from_where(&mut sql, scope.tenant_id(), q, order_and_cursor);
        sql.push(&format!(" ORDER BY {expr} {dir}, c.id {dir} LIMIT ")).bind(limit.clone());
        let mut tx = scope.db.pool.begin().await?;
        // For this query only: read the order from its index, never fetch-and-sort (both
        // settings in one statement, `SET LOCAL` as a function: one round trip fewer).
        sqlx::query("SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)")
            .execute(&mut *tx)
            .await?;
        let walked = sql.query().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        if walked.len() > q.page_size as usize {
            fetched = Some(walked);
        }
    }
    let fetched = match fetched {
        Some(rows) => rows,
        None => {
            let access = choose_access(&scope.db, q, scope.tenant_id()).await?;
            let mut sql = Sql::default();
            sql.push(COLUMNS);
            push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), q, access);
            order_and_cursor(&mut sql);
            sql.push(" LIMIT ").bind(limit);
            sql.query().fetch_all(&scope.db.pool).await?
        }
    };
    let mut rows = fetched.iter().map(customer_row).collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > q.page_size as usize;
    rows.truncate(q.page_size as usize);
    name_networks(scope, &mut rows).await?;
    mark_networks(scope, &mut rows).await?;
    if backwards {
        rows.reverse();
    }
    let cursor_at = |row: &CustomerRow, before: bool| Cursor { before, key: sort_value(q.sort, row), id: row.id };
    let (has_prev, has_next) = match &q.cursor {
        None => (false, more),
        Some(c) if c.before => (more, true),
        Some(_) => (true, more),
    };
    Ok(CustomerPage {
        prev: if has_prev { rows.first().map(|r| cursor_at(r, true)) } else { None },
        next: if has_next { rows.last().map(|r| cursor_at(r, false)) } else { None },
        rows,
        page_size: q.page_size,
    })
}

/// Fills in the network names of a page's rows: one lookup for the page, after the sort and
/// limit, rather than a join the database might evaluate for every matching row.
async fn name_networks(scope: &TenantScope, rows: &mut [CustomerRow]) -> Result<(), AppError> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.network_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::default();
    // The ids pick the rows by primary key; the tenant is checked on each. (The unary plus keeps
    // SQLite from reading the tenant's whole name index instead, as it did without statistics.)
    sql.push("SELECT id, name FROM customers WHERE +tenant_id = ")
        .bind(Value::Int(scope.tenant_id()))
        .push(" AND id IN ")
        .bind_list(ids.into_iter().map(Value::Int));
    let names = sql
        .query()
        .fetch_all(&scope.db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("name")?)))
        .collect::<Result<std::collections::HashMap<_, _>, sqlx::Error>>()?;
    for row in rows {
        row.network = row.network_id.and_then(|id| names.get(&id).cloned());
    }
    Ok(())
}

/// Marks the page's networks (rows with sub-accounts), for "Create sub-account": one lookup on
/// the parent index for the page.
async fn mark_networks(scope: &TenantScope, rows: &mut [CustomerRow]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::default();
    sql.push("SELECT DISTINCT parent_id FROM customers WHERE +tenant_id = ")
        .bind(Value::Int(scope.tenant_id()))
        .push(" AND parent_id IN ")
        .bind_list(rows.iter().map(|r| Value::Int(r.id)));
    let parents = sql
        .query()
        .fetch_all(&scope.db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("parent_id"))
        .collect::<Result<std::collections::HashSet<_>, sqlx::Error>>()?;
    for row in rows {
        row.is_network = parents.contains(&row.id);
    }
    Ok(())
}

/// How many active sub-accounts sit directly in the networks `ids` (the number the sidebar
/// shows beside each; in chunks, to stay well inside either database's limit on bound values).
async fn count_sub_accounts(conn: &mut sqlx::AnyConnection, tenant_id: i64, ids: &[i64]) -> Result<u64, AppError> {
    let mut total = 0;
    for chunk in ids.chunks(500) {
        let mut sql = Sql::default();
        sql.push("SELECT COUNT(*) AS n FROM customers WHERE status = 'active' AND +tenant_id = ")
            .bind(Value::Int(tenant_id))
            .push(" AND parent_id IN ")
            .bind_list(chunk.iter().map(|id| Value::Int(*id)));
        total += sql.query().fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? as u64;
    }
    Ok(total)
}

/// How many customers match: exact up to [`COUNT_CAP`] (or [`SEARCH_COUNT_CAP`] when
/// searching), "more than that" beyond.
pub async fn count(scope: &TenantScope, q: &CustomerQuery) -> Result<CustomerCount, AppError> {
    let cap = if q.search.trim().is_empty() { COUNT_CAP } else { SEARCH_COUNT_CAP };
    let mut sql = Sql::default();
    sql.push("SELECT COUNT(*) AS n FROM (SELECT 1");
    push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), q, Access::INDEXED);
    sql.push(" LIMIT ").bind(Value::Int(cap + 1)).push(") capped");
    let n: i64 = sql.query().fetch_one(&scope.db.pool).await?.try_get("n")?;
    Ok(CustomerCount::capped(n, cap))
}

impl CustomerCount {
    /// A count taken with `LIMIT cap + 1`: past the cap it reads "10,000+" (or "1,000+").
    pub fn capped(n: i64, cap: i64) -> Self {
        if n > cap {
            CustomerCount::AtLeast(cap as u64)
        } else {
            CustomerCount::Exact(n as u64)
        }
    }
}

/// The most customers one bulk change may touch; past it the user is asked to narrow the filter.
pub const BULK_LIMIT: usize = 10_000;
const MAX_SELECTED_IDS: usize = 1_000;

/// The selected customers of this tenant as (id, name, status). Ids that are not this tenant's
/// refuse the whole request: nothing of another tenant is ever touched, or even confirmed to exist.
async fn resolve_selection(
    conn: &mut sqlx::AnyConnection,
    scope: &TenantScope,
    selection: &Selection,
) -> Result<Vec<(i64, String, String)>, AppError> {
    let mut sql = Sql::default();
    sql.push("SELECT c.id, c.name, c.status");
    match selection {
        Selection::Ids(ids) => {
            if ids.is_empty() {
                return Err(AppError::bad_request("Select at least one customer."));
            }
            if ids.len() > MAX_SELECTED_IDS {
                return Err(AppError::bad_request(format!(
                    "Select at most {MAX_SELECTED_IDS} customers by hand, or use \"select all matching\"."
                )));
            }
            // By primary key, the tenant checked on each row (see name_networks).
            sql.push(" FROM customers c WHERE +c.tenant_id = ")
                .bind(Value::Int(scope.tenant_id()))
                .push(" AND c.id IN ")
                .bind_list(ids.iter().map(|id| Value::Int(*id)));
        }
        Selection::Matching(query) => {
            let query = CustomerQuery::from_query_string(query);
            push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), &query, Access::INDEXED)
        }
    }
    sql.push(" LIMIT ").bind(Value::Int(BULK_LIMIT as i64 + 1));
    let rows = sql.query().fetch_all(&mut *conn).await?;
    let found = rows
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("status")?)))
        .collect::<Result<Vec<(i64, String, String)>, sqlx::Error>>()?;
    if let Selection::Ids(ids) = selection {
        let mut wanted = ids.clone();
        wanted.sort_unstable();
        wanted.dedup();
        if found.len() != wanted.len() {
            return Err(AppError::not_found("some of the selected customers no longer exist here"));
        }
    }
    if found.len() > BULK_LIMIT {
        return Err(AppError::bad_request(format!(
            "That is more than {BULK_LIMIT} customers; narrow the filter and repeat for each part."
        )));
    }
    Ok(found)
}

/// What a status change of `found` does: how many change, how many already have the status, and
/// how many active sub-accounts sit in the networks that change (they keep their own status, but access
/// through a network follows the network's).
async fn tally(
    conn: &mut sqlx::AnyConnection,
    tenant_id: i64,
    status: CustomerStatus,
    found: &[(i64, String, String)],
) -> Result<StatusChange, AppError> {
    let changing: Vec<i64> = found.iter().filter(|(_, _, s)| s != status.key()).map(|(id, _, _)| *id).collect();
    let sub_accounts = count_sub_accounts(conn, tenant_id, &changing).await?;
    let changed = changing.len() as u64;
    Ok(StatusChange { status, changed, unchanged: found.len() as u64 - changed, sub_accounts })
}

/// What activating or disabling `selection` would do, for the confirmation.
pub async fn preview_status(
    scope: &TenantScope,
    selection: &Selection,
    status: CustomerStatus,
) -> Result<StatusChange, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let found = resolve_selection(&mut conn, scope, selection).await?;
    tally(&mut conn, scope.tenant_id(), status, &found).await
}

/// Activates or disables the selected customers, all or nothing: one transaction changes each
/// customer whose status differs, writes an audit entry per customer, and, when disabling,
/// ends every session of those customers' users.
pub async fn set_status(
    scope: &TenantScope,
    selection: &Selection,
    status: CustomerStatus,
) -> Result<StatusChange, AppError> {
    // Read the selection before taking the write lock (SQLite's is the whole database's):
    // finding ten thousand customers takes a few hundred milliseconds no other writer should
    // wait for. What changes meanwhile is caught by the writes' own `status <>` check.
    let (found, mut outcome) = {
        let mut conn = scope.db.pool.acquire().await?;
        let found = resolve_selection(&mut conn, scope, selection).await?;
        let outcome = tally(&mut conn, scope.tenant_id(), status, &found).await?;
        (found, outcome)
    };
    let writing = std::time::Instant::now();
    let mut tx = scope.db.begin().await?;
    let at = now();
    let action = match status {
        CustomerStatus::Active => "customer.activate",
        CustomerStatus::Disabled => "customer.disable",
    };
    let changing: Vec<&(i64, String, String)> = found.iter().filter(|(_, _, s)| s != status.key()).collect();
    // A few hundred customers per statement: ten thousand, one statement each, would hold
    // SQLite's write lock for seconds.
    for batch in changing.chunks(500) {
        let mut sql = Sql::default();
        // `status <> $1`: a writer that changed one of them since we read it (and won the row
        // lock) leaves nothing for us to change, and nothing to audit.
        sql.push("UPDATE customers SET status = ")
            .bind(Value::Text(status.key().into()))
            .push(", status_changed_at = ")
            .bind(Value::Int(at))
            .push(", status_changed_by = ")
            .bind(Value::Int(scope.actor.person_id))
            .push(", updated_at = ")
            .bind(Value::Int(at))
            .push(", updated_by = ")
            .bind(Value::Int(scope.actor.person_id))
            // By primary key, the tenant checked per row (`+`): through the (tenant, status)
            // index SQLite would walk half a million entries per statement.
            .push(", version = version + 1 WHERE id IN ")
            .bind_list(batch.iter().map(|(id, _, _)| Value::Int(*id)))
            .push(" AND +tenant_id = ")
            .bind(Value::Int(scope.tenant_id()))
            .push(" AND status <> ")
            .bind(Value::Text(status.key().into()))
            .push(" RETURNING id");
        let changed: Vec<i64> =
            sql.query().fetch_all(&mut *tx).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let lost = (batch.len() - changed.len()) as u64;
        outcome.changed -= lost;
        outcome.unchanged += lost;
        if status == CustomerStatus::Disabled {
            session::store::end_for_customers(&mut tx, scope.tenant_id(), &changed).await?;
        }
        // One entry per changed customer; a customer has one of two statuses, so each moved
        // from the other one.
        let entry = audit::Entry::new(action).by(&scope.actor).in_tenant(Some(scope.tenant_id())).change(
            "status",
            status.other().key(),
            status.key(),
        );
        audit::record_for_customers(&mut tx, entry, scope.tenant_id(), &changed).await?;
        super::webhooks::outbox::status_changed(
            &mut tx,
            scope.tenant_id(),
            &changed,
            status.key(),
            status.other().key(),
        )
        .await?;
    }
    tx.commit().await?;
    // How long the transaction (on SQLite: the write lock) lasted; kept under a second.
    tracing::info!(changed = outcome.changed, elapsed = ?writing.elapsed(), "bulk status change written");
    Ok(outcome)
}

fn customer_row(r: &sqlx::any::AnyRow) -> Result<CustomerRow, sqlx::Error> {
    let first: Option<String> = r.try_get("contact_first_name")?;
    let last: Option<String> = r.try_get("contact_last_name")?;
    let contact_name = [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let status: String = r.try_get("status")?;
    Ok(CustomerRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        status: CustomerStatus::from_key(&status).unwrap_or(CustomerStatus::Disabled),
        contact_name,
        contact_email: r.try_get("contact_email")?,
        city: r.try_get("city")?,
        country: r.try_get("country")?,
        network: None,
        network_id: r.try_get("parent_id")?,
        is_network: false,
        created_at: r.try_get("created_at")?,
    })
}

/// One level of the sidebar's active customers: the top-level ones (networks and customers
/// outside any), the sub-accounts of `network`, or, with a filter, every active customer
/// matching it at any level. Built on the list's own filters, so it is as fast at a million.
pub async fn sidebar(scope: &TenantScope, filter: &str, network: Option<i64>) -> Result<SidebarCustomers, AppError> {
    let q = CustomerQuery {
        search: filter.trim().chars().take(MAX_SEARCH_CHARS).collect(),
        status: Some(CustomerStatus::Active),
        network,
        ..CustomerQuery::default()
    };
    let mut sql = Sql::default();
    // Each row's active sub-accounts, counted from the customers_parent index alone.
    sql.push(
        "SELECT c.id, c.name, (SELECT COUNT(*) FROM customers s
                               WHERE s.parent_id = c.id AND s.status = 'active' AND s.tenant_id = c.tenant_id) AS sub_accounts",
    );
    if network.is_none() && q.search.is_empty() {
        // The top level, in name order straight from customers_active_top_level (its condition
        // is repeated literally: a bound status would not let the planner match it).
        sql.push(" FROM customers c WHERE c.tenant_id = ")
            .bind(Value::Int(scope.tenant_id()))
            .push(" AND c.status = 'active' AND c.parent_id IS NULL");
    } else {
        let access = choose_access(&scope.db, &q, scope.tenant_id()).await?;
        push_from_where(&mut sql, scope.db.kind, scope.tenant_id(), &q, access);
    }
    sql.push(" ORDER BY c.name, c.id LIMIT ").bind(Value::Int(SIDEBAR_LIMIT + 1));
    let mut customers = sql
        .query()
        .fetch_all(&scope.db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(SidebarCustomer {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                sub_accounts: r.try_get::<i64, _>("sub_accounts")? as u64,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let more = customers.len() as i64 > SIDEBAR_LIMIT;
    customers.truncate(SIDEBAR_LIMIT as usize);
    let all_active = CustomerQuery { status: Some(CustomerStatus::Active), ..CustomerQuery::default() };
    Ok(SidebarCustomers { customers, more, total: count(scope, &all_active).await? })
}
