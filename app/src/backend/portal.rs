//! The customer portal (PRODUCT.md §1, §7): a customer user's view of their own accounts.
//! Every function takes an `AccountScope`, so only accounts the person belongs to (or
//! sub-accounts of their network) are reachable.

use super::{customer_users, AccountScope, AppState};
use crate::error::AppError;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::customer_users::{AccountRole, ActivationMethod, InviteInput, InviteOutcome};
use crate::types::field_config::{BuiltinField, FieldMode};
use crate::types::portal::PortalAccount;
use crate::types::session::Permission;
use sqlx::Row;

/// How many sub-accounts the portal lists.
const SUB_ACCOUNTS: i64 = 200;

/// One account as its users see it: the details the partner shows in its form, its users and,
/// for a network, its sub-accounts.
pub async fn account(scope: &AccountScope) -> Result<PortalAccount, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT c.name, c.street, c.suite, c.city, c.state_province, c.postal_code, c.country, c.contact_first_name,
                c.contact_last_name, c.contact_email, c.phone_primary, c.phone_secondary, c.workflow, c.parent_id,
                t.name AS tenant_name
         FROM customers c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1 AND c.tenant_id = $2",
    )
    .bind(scope.customer_id())
    .bind(scope.tenant_id())
    .fetch_one(&mut *conn)
    .await?;
    let config = super::field_config::load(&mut conn, scope.tenant_id()).await?;
    let mut details = Vec::new();
    for field in BuiltinField::ALL {
        // The workflow is the partner's own bookkeeping; hidden fields stay hidden.
        if matches!(field, BuiltinField::Network | BuiltinField::Workflow) || config.mode(field) == FieldMode::Hidden {
            continue;
        }
        let value: Option<String> = row.try_get(field.key())?;
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            let value = if field == BuiltinField::Country {
                crate::countries::name(&value).unwrap_or(&value).to_string()
            } else {
                value
            };
            details.push((field.label().to_string(), value));
        }
    }
    let sub_accounts = sqlx::query(
        "SELECT id, name FROM customers WHERE tenant_id = $1 AND parent_id = $2 AND status = 'active' ORDER BY name, id LIMIT $3",
    )
    .bind(scope.tenant_id())
    .bind(scope.customer_id())
    .bind(SUB_ACCOUNTS)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(NetworkChoice { id: r.try_get("id")?, name: r.try_get("name")? }))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // The network above is named only when the person can open it too.
    let network = match row.try_get::<Option<i64>, _>("parent_id")? {
        Some(parent) if super::authz::reachable_through(&scope.db, &scope.accounts, parent).await?.is_some() => {
            let name: String = sqlx::query("SELECT name FROM customers WHERE id = $1")
                .bind(parent)
                .fetch_one(&mut *conn)
                .await?
                .try_get("name")?;
            Some(NetworkChoice { id: parent, name })
        }
        _ => None,
    };
    let mut users = customer_users::users_of(&mut conn, scope.tenant_id(), scope.customer_id()).await?;
    // Other people's consents are between them and the partner.
    for user in &mut users {
        user.consents.clear();
    }
    Ok(PortalAccount {
        customer_id: scope.customer_id(),
        name: row.try_get("name")?,
        tenant_name: row.try_get("tenant_name")?,
        role: scope.role,
        details,
        users,
        sub_accounts,
        network,
    })
}

/// An owner invites a member to their account (owners may not create further owners: that
/// stays with the partner). A partner user viewing the account ("Log in as") creates nothing
/// that outlasts the view: they may invite only if their own role manages customer users, and
/// the invitation goes to the invitee's inbox, never as a link handed back to them.
pub async fn invite(state: &AppState, scope: &AccountScope, input: &InviteInput) -> Result<InviteOutcome, AppError> {
    let input = InviteInput { role: AccountRole::Member, ..input.clone() };
    let input = match &scope.actor.impersonation {
        Some(impersonation) if !impersonation.may_manage_users => {
            return Err(AppError::forbidden(format!(
                "your role does not include {}, so you cannot invite people while viewing as the customer",
                Permission::CustomerUsersManage
            )))
        }
        Some(_) => InviteInput { method: ActivationMethod::SendEmail, ..input },
        None if scope.role != AccountRole::Owner => {
            return Err(AppError::forbidden("only an account's owners may invite people"))
        }
        None => input,
    };
    customer_users::invite(state, scope.into(), scope.customer_id(), &input).await
}
