//! One customer at a time: the add/edit form, saving with validation and optimistic
//! concurrency, the detail page and delete. Every function takes a [`TenantScope`] and touches
//! only that tenant's rows; the list and bulk status changes live in `customers`.

mod detail;
mod networks;

pub use detail::{delete_impact, detail};
pub use networks::add_network;

use super::customers::search_text::search_text_for;
use detail::impact;

use super::sql::{Sql, Value};
use super::webhooks::outbox;
use super::{audit, field_config, now, session, TenantScope};
use crate::error::AppError;
use crate::types::customer_records::detail::{CustomerForm, NetworkChoice, StoredCustomer, DELETE_TREE_MAX};
use crate::types::customer_records::{validate, CustomerInput, MAX_NETWORK_LEVELS};
use crate::types::field_config::{BuiltinField, FieldConfig, FieldMode};
use sqlx::{AnyConnection, Row};

/// The built-in text columns, in the order the queries below list them.
const TEXT_FIELDS: [BuiltinField; 12] = [
    BuiltinField::Street,
    BuiltinField::Suite,
    BuiltinField::City,
    BuiltinField::StateProvince,
    BuiltinField::PostalCode,
    BuiltinField::Country,
    BuiltinField::ContactFirstName,
    BuiltinField::ContactLastName,
    BuiltinField::ContactEmail,
    BuiltinField::PhonePrimary,
    BuiltinField::PhoneSecondary,
    BuiltinField::Workflow,
];

fn not_found() -> AppError {
    AppError::not_found("no such customer here")
}

/// The form for a new customer (`id` None) or for editing one.
pub async fn form(scope: &TenantScope, id: Option<i64>) -> Result<CustomerForm, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let config = field_config::load(&mut conn, scope.tenant_id()).await?;
    let current = match id {
        Some(id) => Some(load_stored(&mut conn, scope, id).await?.ok_or_else(not_found)?),
        None => None,
    };
    Ok(CustomerForm { config, current })
}

/// The stored editable values of one of the tenant's customers.
async fn load_stored(
    conn: &mut AnyConnection,
    scope: &TenantScope,
    id: i64,
) -> Result<Option<StoredCustomer>, AppError> {
    let Some(row) = sqlx::query(
        "SELECT c.id, c.version, c.name, c.street, c.suite, c.city, c.state_province, c.postal_code, c.country,
                c.contact_first_name, c.contact_last_name, c.contact_email, c.phone_primary, c.phone_secondary,
                c.workflow, c.parent_id, p.name AS network_name
         FROM customers c LEFT JOIN customers p ON p.id = c.parent_id AND p.tenant_id = c.tenant_id
         WHERE c.id = $1 AND c.tenant_id = $2",
    )
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut values =
        CustomerInput { name: row.try_get("name")?, parent_id: row.try_get("parent_id")?, ..Default::default() };
    for field in TEXT_FIELDS {
        if let Some(slot) = values.text_mut(field) {
            *slot = row.try_get::<Option<String>, _>(field.key())?.unwrap_or_default();
        }
    }
    let custom = sqlx::query(
        "SELECT f.key, v.value FROM customer_field_values v JOIN custom_fields f ON f.id = v.field_id
         WHERE v.customer_id = $1 AND f.tenant_id = $2 AND f.removing_since IS NULL",
    )
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_all(&mut *conn)
    .await?;
    for r in &custom {
        values.custom.insert(r.try_get("key")?, r.try_get("value")?);
    }
    let network = match (values.parent_id, row.try_get::<Option<String>, _>("network_name")?) {
        (Some(id), Some(name)) => Some(NetworkChoice { id, name }),
        _ => None,
    };
    Ok(Some(StoredCustomer { id: row.try_get("id")?, version: row.try_get("version")?, values, network }))
}

/// Validates `input` against the tenant's configuration and the database (network, duplicate
/// name); returns what is to be stored. Hidden fields take `keep`'s values (or stay empty).
async fn prepare(
    conn: &mut AnyConnection,
    scope: &TenantScope,
    config: &FieldConfig,
    input: &CustomerInput,
    keep: Option<&StoredCustomer>,
    allow_duplicate_name: bool,
) -> Result<CustomerInput, AppError> {
    let mut values = input.normalized(config);
    for field in BuiltinField::ALL.into_iter().filter(|f| config.mode(*f) == FieldMode::Hidden) {
        let kept = keep.map(|k| &k.values);
        match field {
            // A hidden network stays as stored; a new customer may still be made inside one
            // ("Create sub-account"), which is checked below like any other choice.
            BuiltinField::Network => values.parent_id = kept.map_or(values.parent_id, |k| k.parent_id),
            other => {
                if let Some(slot) = values.text_mut(other) {
                    *slot = kept.map(|k| k.text(other).to_string()).unwrap_or_default();
                }
            }
        }
    }
    let mut errors = validate(&values, config);
    if !errors.contains_key("network") {
        if let Some(parent) = values.parent_id {
            if let Some(problem) = check_network(conn, scope, keep.map(|k| k.id), parent).await? {
                errors.insert("network".into(), problem);
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let renamed = keep.is_none_or(|k| k.values.name != values.name);
    if renamed && !allow_duplicate_name {
        let twin = sqlx::query("SELECT id FROM customers WHERE tenant_id = $1 AND name = $2 AND id <> $3 LIMIT 1")
            .bind(scope.tenant_id())
            .bind(&values.name)
            .bind(keep.map(|k| k.id).unwrap_or(0))
            .fetch_optional(&mut *conn)
            .await?;
        if twin.is_some() {
            return Err(AppError::DuplicateName(values.name));
        }
    }
    Ok(values)
}

/// Whether customer `id` (None: a new one) may sit in network `parent`: same tenant, no loop,
/// and the tree no deeper than [`MAX_NETWORK_LEVELS`].
async fn check_network(
    conn: &mut AnyConnection,
    scope: &TenantScope,
    id: Option<i64>,
    parent: i64,
) -> Result<Option<String>, AppError> {
    // Walk up from the parent: its level, and whether the customer itself is among its ancestors.
    let mut levels_above = 0;
    let mut at = Some(parent);
    while let Some(current) = at {
        if Some(current) == id {
            return Ok(Some("A customer cannot be inside itself or one of its own sub-accounts.".into()));
        }
        let row = sqlx::query("SELECT parent_id FROM customers WHERE id = $1 AND tenant_id = $2")
            .bind(current)
            .bind(scope.tenant_id())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else {
            return Ok(Some("Choose a network of this partner.".into()));
        };
        levels_above += 1;
        if levels_above > MAX_NETWORK_LEVELS {
            break;
        }
        at = row.try_get("parent_id")?;
    }
    // Walk down from the customer: how many levels its own sub-accounts add.
    let mut levels_below = 1;
    let mut frontier: Vec<i64> = id.into_iter().collect();
    while !frontier.is_empty() && levels_above + levels_below <= MAX_NETWORK_LEVELS {
        let mut sql = Sql::default();
        // By the parent index, the tenant checked per row (`+`: never the tenant's whole index).
        sql.push("SELECT id FROM customers WHERE +tenant_id = ")
            .bind(Value::Int(scope.tenant_id()))
            .push(" AND parent_id IN ")
            .bind_list(frontier.iter().map(|i| Value::Int(*i)));
        frontier =
            sql.query().fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        if !frontier.is_empty() {
            levels_below += 1;
        }
    }
    Ok((levels_above + levels_below > MAX_NETWORK_LEVELS)
        .then(|| format!("Networks can be at most {MAX_NETWORK_LEVELS} levels deep; choose a higher-level network.")))
}

fn text_or_null(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// Writes the custom values of `customer_id`: exactly those in `values`.
async fn store_custom_values(
    conn: &mut AnyConnection,
    config: &FieldConfig,
    customer_id: i64,
    values: &CustomerInput,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM customer_field_values WHERE customer_id = $1")
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    for field in &config.custom_fields {
        if let Some(value) = values.custom.get(&field.key) {
            sqlx::query("INSERT INTO customer_field_values (customer_id, field_id, value) VALUES ($1, $2, $3)")
                .bind(customer_id)
                .bind(field.id)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Records every field that differs between `before` and `after` (None: nothing).
fn audit_changes(
    mut entry: audit::Entry,
    before: Option<&CustomerInput>,
    after: Option<&CustomerInput>,
) -> audit::Entry {
    let empty = CustomerInput::default();
    let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let value = |present: bool, s: &str| {
        if present && !s.is_empty() {
            serde_json::Value::from(s)
        } else {
            serde_json::Value::Null
        }
    };
    entry = entry.change("name", value(before.is_some(), &b.name), value(after.is_some(), &a.name));
    for field in TEXT_FIELDS {
        entry =
            entry.change(field.key(), value(before.is_some(), b.text(field)), value(after.is_some(), a.text(field)));
    }
    entry = entry.change("network", b.parent_id, a.parent_id);
    let keys: std::collections::BTreeSet<&String> = b.custom.keys().chain(a.custom.keys()).collect();
    for key in keys {
        entry = entry.change(&format!("custom.{key}"), b.custom.get(key).cloned(), a.custom.get(key).cloned());
    }
    entry
}

/// A new customer's values as its audit entry lists them: field → value.
fn changed_values(entry: &audit::Entry) -> serde_json::Value {
    entry.changes.iter().map(|(field, pair)| (field.clone(), pair.get(1).cloned().unwrap_or_default())).collect()
}

/// Creates a customer; returns its id.
pub async fn create(scope: &TenantScope, input: &CustomerInput, allow_duplicate_name: bool) -> Result<i64, AppError> {
    let mut tx = scope.db.begin().await?;
    let config = field_config::load(&mut tx, scope.tenant_id()).await?;
    let values = prepare(&mut tx, scope, &config, input, None, allow_duplicate_name).await?;
    let id = insert(&mut tx, scope, &config, &values).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a new, validated customer of the scope's tenant (and its audit entry); returns its id.
async fn insert(
    conn: &mut AnyConnection,
    scope: &TenantScope,
    config: &FieldConfig,
    values: &CustomerInput,
) -> Result<i64, AppError> {
    let search = search_text_for(config, values);
    let at = now();
    let mut query = sqlx::query(
        "INSERT INTO customers (tenant_id, name, street, suite, city, state_province, postal_code, country,
                                contact_first_name, contact_last_name, contact_email, phone_primary, phone_secondary,
                                workflow, parent_id, status, status_changed_at, status_changed_by,
                                created_at, created_by, updated_at, updated_by, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'active', $16, $17, $16, $17, $16, $17, $18)
         RETURNING id",
    )
    .bind(scope.tenant_id())
    .bind(values.name.clone());
    for field in TEXT_FIELDS {
        query = query.bind(text_or_null(values.text(field)));
    }
    let id: i64 = query
        .bind(values.parent_id)
        .bind(at)
        .bind(scope.actor.person_id)
        .bind(search)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
    store_custom_values(conn, config, id, values).await?;
    let entry = audit::Entry::new("customer.create").by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "customer",
        Some(id),
        values.name.clone(),
    );
    let entry = audit_changes(entry, None, Some(values));
    let data = serde_json::json!({ "id": id, "name": values.name, "status": "active", "parent_id": values.parent_id,
                                   "values": changed_values(&entry) });
    audit::record(conn, entry).await?;
    outbox::customer_event(conn, scope.tenant_id(), "customer.created", id, data).await?;
    outbox::network_changed(conn, scope.tenant_id(), id, None, values.parent_id).await?;
    Ok(id)
}

/// Saves an edit made on `version` of customer `id`. If the customer changed since, nothing is
/// written and the user gets the current values to compare and re-apply. Returns the new version.
pub async fn update(
    scope: &TenantScope,
    id: i64,
    version: i64,
    input: &CustomerInput,
    allow_duplicate_name: bool,
) -> Result<i64, AppError> {
    let mut tx = scope.db.begin().await?;
    let stored = load_stored(&mut tx, scope, id).await?.ok_or_else(not_found)?;
    if stored.version != version {
        return Err(AppError::Conflict(Box::new(stored)));
    }
    let config = field_config::load(&mut tx, scope.tenant_id()).await?;
    let values = prepare(&mut tx, scope, &config, input, Some(&stored), allow_duplicate_name).await?;
    let search = search_text_for(&config, &values);
    let mut query = sqlx::query(
        "UPDATE customers SET name = $1, street = $2, suite = $3, city = $4, state_province = $5, postal_code = $6,
                country = $7, contact_first_name = $8, contact_last_name = $9, contact_email = $10,
                phone_primary = $11, phone_secondary = $12, workflow = $13, parent_id = $14,
                updated_at = $15, updated_by = $16, search_text = $17, version = version + 1
         WHERE id = $18 AND tenant_id = $19 AND version = $20",
    )
    .bind(values.name.clone());
    for field in TEXT_FIELDS {
        query = query.bind(text_or_null(values.text(field)));
    }
    let done = query
        .bind(values.parent_id)
        .bind(now())
        .bind(scope.actor.person_id)
        .bind(search)
        .bind(id)
        .bind(scope.tenant_id())
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        // Changed between our read and write (another instance got there first).
        drop(tx);
        let mut conn = scope.db.pool.acquire().await?;
        let current = load_stored(&mut conn, scope, id).await?.ok_or_else(not_found)?;
        return Err(AppError::Conflict(Box::new(current)));
    }
    store_custom_values(&mut tx, &config, id, &values).await?;
    let entry = audit::Entry::new("customer.update").by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "customer",
        Some(id),
        values.name.clone(),
    );
    let entry = audit_changes(entry, Some(&stored.values), Some(&values));
    let changes = serde_json::Value::Object(entry.changes.clone());
    audit::record(&mut tx, entry).await?;
    if changes.as_object().is_some_and(|c| !c.is_empty()) {
        let data = serde_json::json!({ "id": id, "name": values.name, "version": version + 1, "changes": changes });
        outbox::customer_event(&mut tx, scope.tenant_id(), "customer.updated", id, data).await?;
        outbox::network_changed(&mut tx, scope.tenant_id(), id, stored.values.parent_id, values.parent_id).await?;
    }
    tx.commit().await?;
    Ok(version + 1)
}

/// Deletes customer `id` and, for a network, every sub-account below it (at most
/// `DELETE_TREE_MAX`, all listed in the confirmation), with their custom values and their users'
/// memberships; those users' sessions end where these accounts were their only way in (the
/// people themselves stay: they may belong elsewhere). One audit entry per deleted customer holds
/// its values. All in one transaction; the typed name (the network's) is checked here too.
pub async fn delete(scope: &TenantScope, id: i64, typed_name: &str) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let impact = impact(&mut tx, scope, id).await?;
    if typed_name.trim() != impact.name {
        return Err(AppError::invalid("confirm_name", "Type the customer's name exactly to confirm."));
    }
    if impact.too_many_sub_accounts {
        return Err(AppError::bad_request(format!(
            "{} has more than {DELETE_TREE_MAX} sub-accounts: move or delete some of them first.",
            impact.name
        )));
    }
    // Deepest first: a customer goes only once nothing below it is left.
    let mut doomed: Vec<(i64, u8)> = impact.sub_accounts.iter().map(|s| (s.id, s.depth)).collect();
    doomed.sort_by_key(|(_, depth)| std::cmp::Reverse(*depth));
    doomed.push((id, 0));
    let ids: Vec<i64> = doomed.iter().map(|(id, _)| *id).collect();
    let mut stored = Vec::with_capacity(ids.len());
    for &customer in &ids {
        let values = load_stored(&mut tx, scope, customer).await?.ok_or_else(not_found)?;
        let name: String = sqlx::query("SELECT name FROM customers WHERE id = $1")
            .bind(customer)
            .fetch_one(&mut *tx)
            .await?
            .try_get("name")?;
        stored.push((customer, name, values));
    }
    // Their users lose access: their sessions end, then their memberships go with the customers.
    // Marked disabled first, so a membership in one doomed account does not count as a way in
    // for a user of another.
    for chunk in ids.chunks(500) {
        let mut sql = Sql::default();
        sql.push("UPDATE customers SET status = 'disabled' WHERE tenant_id = ")
            .bind(Value::Int(scope.tenant_id()))
            .push(" AND id IN ")
            .bind_list(chunk.iter().map(|id| Value::Int(*id)));
        sql.query().execute(&mut *tx).await?;
    }
    session::store::end_for_customers(&mut tx, scope.tenant_id(), &ids).await?;
    for chunk in ids.chunks(500) {
        for table in ["customer_field_values WHERE customer_id", "memberships WHERE kind = 'customer' AND customer_id"]
        {
            let mut sql = Sql::default();
            sql.push("DELETE FROM ").push(table).push(" IN ").bind_list(chunk.iter().map(|id| Value::Int(*id)));
            sql.query().execute(&mut *tx).await?;
        }
    }
    for &customer in &ids {
        let deleted = sqlx::query("DELETE FROM customers WHERE id = $1 AND tenant_id = $2")
            .bind(customer)
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            // Another writer deleted it after we read it: nothing of ours to audit (the
            // transaction rolls back).
            return Err(not_found());
        }
    }
    for (customer, name, values) in stored {
        let entry = audit::Entry::new("customer.delete").by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
            "customer",
            Some(customer),
            name,
        );
        let entry = if customer == id {
            entry.change("sub_accounts_deleted", serde_json::Value::Null, impact.sub_accounts.len())
        } else {
            entry.change("deleted_with_network", serde_json::Value::Null, impact.name.as_str())
        };
        audit::record(&mut tx, audit_changes(entry, Some(&values.values), None)).await?;
        let data = serde_json::json!({ "id": customer, "name": values.values.name, "with_network": (customer != id).then_some(id) });
        outbox::customer_event(&mut tx, scope.tenant_id(), "customer.deleted", customer, data).await?;
        outbox::network_changed(&mut tx, scope.tenant_id(), customer, values.values.parent_id, None).await?;
    }
    tx.commit().await?;
    Ok(())
}
