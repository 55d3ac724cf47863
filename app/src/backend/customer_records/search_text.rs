//! Keeping `customers.search_text` (what the list's search matches) in step with the values.

use crate::backend::field_config;
use crate::types::customer_records::CustomerInput;
use crate::types::field_config::{CustomFieldKind, FieldConfig};
use crate::AppError;
use sqlx::{AnyConnection, Row};

/// The text the list's search matches: the built-in searchable fields and the custom values
/// people would type (not yes/no answers).
pub(super) fn search_text_for(config: &FieldConfig, values: &CustomerInput) -> String {
    let mut parts: Vec<Option<&str>> = vec![
        Some(&values.name),
        Some(&values.contact_first_name),
        Some(&values.contact_last_name),
        Some(&values.contact_email),
        Some(&values.phone_primary),
        Some(&values.phone_secondary),
        Some(&values.city),
    ];
    for field in config.custom_fields.iter().filter(|f| f.kind != CustomFieldKind::YesNo) {
        parts.push(values.custom.get(&field.key).map(String::as_str));
    }
    crate::backend::customers::search_text(&parts)
}

/// Recomputes the search text of the given customers of `tenant_id` (after a custom field they
/// had a value in was removed). Works through them 500 at a time with two reads per batch, so
/// removing a field that a million customers filled costs a million small updates, not three
/// million round trips.
pub async fn refresh_search_text(conn: &mut AnyConnection, tenant_id: i64, ids: &[i64]) -> Result<(), AppError> {
    const BATCH: usize = 500;
    let config = field_config::load(conn, tenant_id).await?;
    for chunk in ids.chunks(BATCH) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        // By primary key, the tenant checked per row (`+`: never the tenant's whole index).
        let sql = format!(
            "SELECT id, name, contact_first_name, contact_last_name, contact_email, phone_primary, phone_secondary, city
             FROM customers WHERE +tenant_id = $1 AND id IN ({list})"
        );
        let mut query = sqlx::query(&sql).bind(tenant_id);
        for id in chunk {
            query = query.bind(*id);
        }
        let mut inputs: std::collections::BTreeMap<i64, CustomerInput> = std::collections::BTreeMap::new();
        for r in query.fetch_all(&mut *conn).await? {
            let text =
                |c: &str| -> Result<String, sqlx::Error> { Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default()) };
            let input = CustomerInput {
                name: r.try_get("name")?,
                contact_first_name: text("contact_first_name")?,
                contact_last_name: text("contact_last_name")?,
                contact_email: text("contact_email")?,
                phone_primary: text("phone_primary")?,
                phone_secondary: text("phone_secondary")?,
                city: text("city")?,
                ..Default::default()
            };
            inputs.insert(r.try_get("id")?, input);
        }
        let sql = format!(
            "SELECT v.customer_id, f.key, v.value FROM customer_field_values v JOIN custom_fields f ON f.id = v.field_id
             WHERE f.tenant_id = $1 AND f.removing_since IS NULL AND v.customer_id IN ({list})"
        );
        let mut query = sqlx::query(&sql).bind(tenant_id);
        for id in chunk {
            query = query.bind(*id);
        }
        for r in query.fetch_all(&mut *conn).await? {
            if let Some(input) = inputs.get_mut(&r.try_get::<i64, _>("customer_id")?) {
                input.custom.insert(r.try_get("key")?, r.try_get("value")?);
            }
        }
        for (id, input) in &inputs {
            sqlx::query("UPDATE customers SET search_text = $1 WHERE id = $2 AND tenant_id = $3")
                .bind(search_text_for(&config, input))
                .bind(*id)
                .bind(tenant_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
