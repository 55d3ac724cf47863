//! `customers.search_text`, what the list's search matches: written by the application (so both
//! databases lower-case Unicode alike) from a customer's values, and kept in step with them.

use crate::error::AppError;
use crate::types::customer_records::CustomerInput;
use crate::types::field_config::{CustomFieldKind, FieldConfig};
use sqlx::{AnyConnection, Row};

/// The lower-cased text the list's search box matches (name, contact, email, phones, city),
/// each word after a space, the first too, so "starts a word" is "follows a space" (see
/// `sql::needle`). Computed here, not in SQL, so both databases lower-case Unicode
/// the same way.
pub fn search_text(parts: &[Option<&str>]) -> String {
    let words: Vec<&str> = parts.iter().flatten().flat_map(|p| p.split_whitespace()).collect();
    format!(" {}", words.join(" ")).to_lowercase()
}

/// The text the list's search matches: the built-in searchable fields and the custom values
/// people would type (not yes/no answers).
pub(in crate::backend) fn search_text_for(config: &FieldConfig, values: &CustomerInput) -> String {
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
    search_text(&parts)
}

/// Recomputes the search text of the given customers of `tenant_id` (after a custom field they
/// had a value in was removed). Works through them 500 at a time with two reads per batch, so
/// removing a field that a million customers filled costs a million small updates, not three
/// million round trips.
/// `config` is the tenant's field configuration (which custom fields are searched).
pub async fn refresh_search_text(
    conn: &mut AnyConnection,
    config: &FieldConfig,
    tenant_id: i64,
    ids: &[i64],
) -> Result<(), AppError> {
    const BATCH: usize = 500;
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
                .bind(search_text_for(config, input))
                .bind(*id)
                .bind(tenant_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_lowercase_unicode_and_skips_blanks() {
        assert_eq!(search_text(&[Some("ÉCOLE Müller"), None, Some("  "), Some("Berlin")]), " école müller berlin");
        assert_eq!(search_text(&[Some("Anna\tvan  Dijk")]), " anna van dijk", "single spaces between words");
    }
}
