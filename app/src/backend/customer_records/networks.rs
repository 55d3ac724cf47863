//! "Add network account" (PRODUCT.md §6, issue 12): a new network takes a customer's place in
//! the tree, with that customer inside it. ("Create sub-account" is the usual create, with the
//! network as parent.)

use super::{check_network, field_config, insert, not_found, TenantScope};
use crate::backend::audit;
use crate::backend::webhooks::outbox;
use crate::error::AppError;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::customer_records::{check_name, CustomerInput};
use sqlx::Row;

/// Creates network `name` where `customer_id` sits (top level, or inside its network) and moves
/// the customer into it, in one transaction. The customer's users keep their access: their
/// memberships stay on the customer, and anyone with access through the old network keeps it
/// through the new one, which sits inside it. Only the name is asked: the tenant's required
/// fields describe a customer's site, which a network of sites does not have.
pub async fn add_network(scope: &TenantScope, customer_id: i64, name: &str) -> Result<NetworkChoice, AppError> {
    let name = crate::types::forms::clean_text(name);
    if let Some(problem) = check_name(&name) {
        return Err(AppError::invalid("name", problem));
    }
    let mut tx = scope.db.begin().await?;
    let customer = sqlx::query("SELECT name, parent_id, version FROM customers WHERE id = $1 AND tenant_id = $2")
        .bind(customer_id)
        .bind(scope.tenant_id())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(not_found)?;
    let customer_name: String = customer.try_get("name")?;
    let old_parent: Option<i64> = customer.try_get("parent_id")?;
    let version: i64 = customer.try_get("version")?;
    let twin = sqlx::query("SELECT id FROM customers WHERE tenant_id = $1 AND name = $2 LIMIT 1")
        .bind(scope.tenant_id())
        .bind(&name)
        .fetch_optional(&mut *tx)
        .await?;
    if twin.is_some() {
        return Err(AppError::invalid("name", format!("Another customer is already called \u{201c}{name}\u{201d}.")));
    }
    let config = field_config::load(&mut tx, scope.tenant_id()).await?;
    let values = CustomerInput { name: name.clone(), parent_id: old_parent, ..Default::default() };
    let network_id = insert(&mut tx, scope, &config, &values).await?;
    sqlx::query(
        "UPDATE customers SET parent_id = $1, updated_at = $2, updated_by = $3, version = version + 1
         WHERE id = $4 AND tenant_id = $5",
    )
    .bind(network_id)
    .bind(crate::backend::now())
    .bind(scope.actor.person_id)
    .bind(customer_id)
    .bind(scope.tenant_id())
    .execute(&mut *tx)
    .await?;
    // The customer's own sub-accounts are now a level deeper: the tree must still fit.
    if let Some(problem) = check_network(&mut tx, scope, Some(customer_id), network_id).await? {
        return Err(AppError::invalid("name", problem));
    }
    let entry = audit::Entry::new("customer.update")
        .by(&scope.actor)
        .in_tenant(Some(scope.tenant_id()))
        .target("customer", Some(customer_id), customer_name.clone())
        .change("network", old_parent, network_id);
    audit::record(&mut tx, entry).await?;
    let data = serde_json::json!({ "id": customer_id, "name": customer_name, "version": version + 1,
                                   "changes": { "network": [old_parent, network_id] } });
    outbox::customer_event(&mut tx, scope.tenant_id(), "customer.updated", customer_id, data).await?;
    outbox::network_changed(&mut tx, scope.tenant_id(), customer_id, old_parent, Some(network_id)).await?;
    tx.commit().await?;
    Ok(NetworkChoice { id: network_id, name })
}
