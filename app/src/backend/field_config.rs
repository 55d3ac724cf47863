//! A tenant's customer-form configuration (PRODUCT.md §3, §10): built-in field modes, custom
//! fields and workflows. Reading it needs only the tenant; changing it needs `tenant.configure`
//! (checked by the server functions) and is audited.

use super::customers::search_text;
use super::sql::{Sql, Value};
use super::{audit, TenantScope};
use crate::error::AppError;
use crate::error::OnUnique;
use crate::types::customer_records::check_custom;
use crate::types::customers::ListFilters;
use crate::types::field_config::{
    validate_custom_field, validate_workflows, BuiltinField, CustomField, CustomFieldDraft, CustomFieldKind,
    FieldConfig, FieldMode, MAX_CUSTOM_FIELDS,
};
use sqlx::{AnyConnection, Row};

/// The configuration of `tenant_id`, custom fields and workflows in their order.
pub(in crate::backend) async fn load(conn: &mut AnyConnection, tenant_id: i64) -> Result<FieldConfig, AppError> {
    let mut config = FieldConfig::default();
    for r in sqlx::query("SELECT field, mode FROM tenant_field_modes WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut *conn)
        .await?
    {
        let (field, mode): (String, String) = (r.try_get("field")?, r.try_get("mode")?);
        if let (Some(field), Some(mode)) = (BuiltinField::from_key(&field), FieldMode::from_key(&mode)) {
            config.modes.insert(field, mode);
        }
    }
    let fields = sqlx::query(
        "SELECT id, key, label, kind, required, help_text, options FROM custom_fields WHERE tenant_id = $1 AND removing_since IS NULL ORDER BY position, id",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &fields {
        let kind: String = r.try_get("kind")?;
        let options: String = r.try_get("options")?;
        config.custom_fields.push(CustomField {
            id: r.try_get("id")?,
            key: r.try_get("key")?,
            label: r.try_get("label")?,
            kind: CustomFieldKind::from_key(&kind).unwrap_or(CustomFieldKind::Text),
            required: r.try_get::<i64, _>("required")? == 1,
            help_text: r.try_get("help_text")?,
            options: serde_json::from_str(&options).unwrap_or_default(),
        });
    }
    config.workflows = sqlx::query("SELECT name FROM workflows WHERE tenant_id = $1 ORDER BY position, id")
        .bind(tenant_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
    Ok(config)
}

/// What the list may filter by (any role that sees customers may ask).
pub async fn list_filters(scope: &TenantScope) -> Result<ListFilters, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    Ok(ListFilters::from_config(load(&mut conn, scope.tenant_id()).await?))
}

/// The configuration of the scope's tenant.
pub async fn for_tenant(scope: &TenantScope) -> Result<FieldConfig, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    load(&mut conn, scope.tenant_id()).await
}

fn entry(scope: &TenantScope, action: &str, label: impl Into<String>) -> audit::Entry {
    audit::Entry::new(action).by(&scope.actor).in_tenant(Some(scope.tenant_id())).target(
        "tenant",
        Some(scope.tenant_id()),
        label,
    )
}

/// Makes a built-in field required, optional or hidden. Hiding keeps every stored value.
pub async fn set_mode(scope: &TenantScope, field: BuiltinField, mode: FieldMode) -> Result<FieldConfig, AppError> {
    let mut tx = scope.db.begin().await?;
    let before = load(&mut tx, scope.tenant_id()).await?.mode(field);
    sqlx::query(
        "INSERT INTO tenant_field_modes (tenant_id, field, mode) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, field) DO UPDATE SET mode = excluded.mode",
    )
    .bind(scope.tenant_id())
    .bind(field.key())
    .bind(mode.key())
    .execute(&mut *tx)
    .await?;
    let change = entry(scope, "tenant.field_mode", "customer form").change(field.key(), before.key(), mode.key());
    audit::record(&mut tx, change).await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    tx.commit().await?;
    Ok(config)
}

/// Adds a custom field or changes one. Keys are unique in the tenant and never change. A type
/// (or a choice field's options) may change only while every stored value fits the new rules,
/// so no customer is left with a value its form would refuse.
fn key_taken() -> AppError {
    AppError::invalid("key", "Another custom field already uses this key.")
}

pub async fn save_custom_field(scope: &TenantScope, draft: &CustomFieldDraft) -> Result<FieldConfig, AppError> {
    let draft = draft.normalized();
    let errors = validate_custom_field(&draft);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let kind = draft.kind.expect("validated");
    let mut tx = scope.db.begin().await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    let clash = config.custom_fields.iter().any(|f| f.key == draft.key && Some(f.id) != draft.id);
    if clash {
        return Err(key_taken());
    }
    let options = serde_json::to_string(&draft.options)
        .map_err(|e| AppError::internal("encoding a custom field's options", e))?;
    let label = draft.label.clone();
    let audit_entry = match draft.id {
        None => {
            if config.custom_fields.len() >= MAX_CUSTOM_FIELDS {
                return Err(AppError::bad_request(format!(
                    "A partner can have at most {MAX_CUSTOM_FIELDS} custom fields."
                )));
            }
            sqlx::query(
                "INSERT INTO custom_fields (tenant_id, key, label, kind, required, help_text, options, position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(scope.tenant_id())
            .bind(&draft.key)
            .bind(&draft.label)
            .bind(kind.key())
            .bind(draft.required as i64)
            .bind(&draft.help_text)
            .bind(&options)
            .bind(config.custom_fields.len() as i64 + 1)
            .execute(&mut *tx)
            .await
            .on_unique(key_taken)?;
            entry(scope, "tenant.custom_field.create", label).change("key", serde_json::Value::Null, draft.key.as_str())
        }
        Some(id) => {
            let old = config
                .custom_fields
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| AppError::not_found("no such custom field"))?;
            if old.key != draft.key {
                return Err(AppError::invalid("key", "A field's key cannot change once it exists."));
            }
            let changed = CustomField { kind, options: draft.options.clone(), ..old.clone() };
            if old.kind != kind || (kind == CustomFieldKind::Choice && old.options != draft.options) {
                refuse_misfitting_values(&mut tx, &changed, old.kind != kind).await?;
            }
            sqlx::query(
                "UPDATE custom_fields SET label = $1, kind = $2, required = $3, help_text = $4, options = $5
                 WHERE id = $6 AND tenant_id = $7",
            )
            .bind(&draft.label)
            .bind(kind.key())
            .bind(draft.required as i64)
            .bind(&draft.help_text)
            .bind(&options)
            .bind(id)
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?;
            entry(scope, "tenant.custom_field.update", label)
                .change("label", old.label.as_str(), draft.label.as_str())
                .change("kind", old.kind.key(), kind.key())
                .change("required", old.required, draft.required)
                .change("help_text", old.help_text.as_str(), draft.help_text.as_str())
                .change("options", old.options.clone(), draft.options.clone())
        }
    };
    audit::record(&mut tx, audit_entry).await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    tx.commit().await?;
    Ok(config)
}

/// Refuses a change of type or options that some stored values would not survive, naming a
/// few of them. Walks the field's distinct values in index order, a page at a time, so memory
/// stays bounded even for a free-text field set on a million customers.
async fn refuse_misfitting_values(
    conn: &mut AnyConnection,
    changed: &CustomField,
    type_change: bool,
) -> Result<(), AppError> {
    const PAGE: i64 = 5_000;
    const EXAMPLES: usize = 3;
    let (mut after, mut misfits, mut examples) = (String::new(), 0_i64, Vec::new());
    loop {
        let rows = sqlx::query(
            "SELECT value, COUNT(*) AS customers FROM customer_field_values WHERE field_id = $1 AND value > $2
             GROUP BY value ORDER BY value LIMIT $3",
        )
        .bind(changed.id)
        .bind(&after)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let value: String = r.try_get("value")?;
            if check_custom(changed, &value).is_some() {
                misfits += r.try_get::<i64, _>("customers")?;
                if examples.len() < EXAMPLES {
                    examples.push(format!("“{}”", value.chars().take(40).collect::<String>()));
                }
            }
            after = value;
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    if misfits == 0 {
        return Ok(());
    }
    let (customers, verb) = if misfits == 1 {
        ("1 customer has a value".to_string(), "is")
    } else {
        (format!("{misfits} customers have values"), "are")
    };
    let (field, rule) = if type_change {
        ("kind", format!("that a {} field cannot hold", changed.kind.label().to_lowercase()))
    } else {
        ("options", format!("that {verb} not among these options"))
    };
    Err(AppError::invalid(
        field,
        format!("{customers} {rule} ({}). Change those customers first.", examples.join(", ")),
    ))
}

/// Removes a custom field and every customer's value of it. The field disappears at once (one
/// short transaction marks it and writes the audit entry); its values go in batches
/// ([`finish_removals`]), which this waits for a while: a small tenant's removal is complete
/// when the answer comes, a million values finish in the background.
pub async fn delete_custom_field(scope: &TenantScope, id: i64) -> Result<FieldConfig, AppError> {
    let mut tx = scope.db.begin().await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    let field =
        config.custom_fields.iter().find(|f| f.id == id).ok_or_else(|| AppError::not_found("no such custom field"))?;
    sqlx::query("UPDATE custom_fields SET removing_since = $1 WHERE id = $2 AND tenant_id = $3")
        .bind(super::now())
        .bind(id)
        .bind(scope.tenant_id())
        .execute(&mut *tx)
        .await?;
    let change = entry(scope, "tenant.custom_field.delete", field.label.clone()).change(
        "key",
        field.key.as_str(),
        serde_json::Value::Null,
    );
    audit::record(&mut tx, change).await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    tx.commit().await?;
    // In its own task: it goes on if this request is abandoned, and a crash leaves the mark for
    // the next start to finish.
    let removal = tokio::spawn(finish_removals(scope.db.clone()));
    let _ = tokio::time::timeout(REMOVAL_WAIT, removal).await;
    Ok(config)
}

/// How long a removal request waits for the values to go before answering.
const REMOVAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Customers per removal batch: a batch deletes their values and rewrites their search text in
/// one transaction of a few tens of milliseconds, so no writer waits long behind it.
const REMOVAL_BATCH: i64 = 500;

/// Finishes every custom-field removal in progress, on any tenant: batch by batch, each one
/// transaction that deletes some customers' values of the field and refreshes their search
/// text, so the search never matches a value that is gone; then the field itself. Run after
/// each removal and at start (after a crash or restart mid-way). Two runs at once (two
/// instances starting) do no harm: a batch deletes only what is still there.
pub async fn finish_removals(db: super::Db) -> Result<(), AppError> {
    let pending: Vec<(i64, i64)> =
        sqlx::query("SELECT id, tenant_id FROM custom_fields WHERE removing_since IS NOT NULL ORDER BY id")
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("tenant_id")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    for (field_id, tenant_id) in pending {
        loop {
            let mut tx = db.begin().await?;
            let customers: Vec<i64> =
                sqlx::query("SELECT customer_id FROM customer_field_values WHERE field_id = $1 LIMIT $2")
                    .bind(field_id)
                    .bind(REMOVAL_BATCH)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get("customer_id"))
                    .collect::<Result<_, _>>()?;
            if customers.is_empty() {
                sqlx::query("DELETE FROM custom_fields WHERE id = $1").bind(field_id).execute(&mut *tx).await?;
                tx.commit().await?;
                break;
            }
            let mut delete = Sql::default();
            delete
                .push("DELETE FROM customer_field_values WHERE field_id = ")
                .bind(Value::Int(field_id))
                .push(" AND customer_id IN ")
                .bind_list(customers.iter().map(|id| Value::Int(*id)));
            delete.query().execute(&mut *tx).await?;
            let config = load(&mut tx, tenant_id).await?;
            search_text::refresh_search_text(&mut tx, &config, tenant_id, &customers).await?;
            tx.commit().await?;
        }
        tracing::info!(field_id, tenant_id, "custom field removed");
    }
    Ok(())
}

/// Moves a custom field one place up or down in the form.
pub async fn move_custom_field(scope: &TenantScope, id: i64, up: bool) -> Result<FieldConfig, AppError> {
    let mut tx = scope.db.begin().await?;
    let mut fields = load(&mut tx, scope.tenant_id()).await?.custom_fields;
    let index = fields.iter().position(|f| f.id == id).ok_or_else(|| AppError::not_found("no such custom field"))?;
    let other = if up { index.checked_sub(1) } else { Some(index + 1).filter(|i| *i < fields.len()) };
    if let Some(other) = other {
        let before: Vec<String> = fields.iter().map(|f| f.key.clone()).collect();
        fields.swap(index, other);
        for (position, field) in fields.iter().enumerate() {
            sqlx::query("UPDATE custom_fields SET position = $1 WHERE id = $2 AND tenant_id = $3")
                .bind(position as i64 + 1)
                .bind(field.id)
                .bind(scope.tenant_id())
                .execute(&mut *tx)
                .await?;
        }
        let after: Vec<String> = fields.iter().map(|f| f.key.clone()).collect();
        audit::record(
            &mut tx,
            entry(scope, "tenant.custom_field.move", "custom fields").change("order", before, after),
        )
        .await?;
    }
    let config = load(&mut tx, scope.tenant_id()).await?;
    tx.commit().await?;
    Ok(config)
}

/// Replaces the tenant's workflows with `names`, in that order. Customers in a workflow that
/// is removed keep it until edited (the form then asks for one of the current workflows).
pub async fn set_workflows(scope: &TenantScope, names: &[String]) -> Result<FieldConfig, AppError> {
    let names: Vec<String> = names.iter().map(|n| crate::types::forms::clean_text(n)).collect();
    if let Some(problem) = validate_workflows(&names) {
        return Err(AppError::invalid("workflows", problem));
    }
    let mut tx = scope.db.begin().await?;
    let before = load(&mut tx, scope.tenant_id()).await?.workflows;
    sqlx::query("DELETE FROM workflows WHERE tenant_id = $1").bind(scope.tenant_id()).execute(&mut *tx).await?;
    for (position, name) in names.iter().enumerate() {
        sqlx::query("INSERT INTO workflows (tenant_id, name, position) VALUES ($1, $2, $3)")
            .bind(scope.tenant_id())
            .bind(name)
            .bind(position as i64 + 1)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(&mut tx, entry(scope, "tenant.workflows", "workflows").change("workflows", before, names.clone()))
        .await?;
    let config = load(&mut tx, scope.tenant_id()).await?;
    tx.commit().await?;
    Ok(config)
}
