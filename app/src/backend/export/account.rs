//! "Export" of one customer account (PRODUCT.md §9, issue 13): everything this partner holds
//! about it. That means its fields and custom values, status history, network and sub-accounts,
//! its users with their memberships, pending invitations (never their tokens), the emails sent to
//! them from this partner (dates and subjects, never bodies or links), and the audit entries
//! about it. It comes as nested JSON (`/customers/{id}/export.json`) or as one flat CSV of
//! `section,item,field,value` rows (`/customers/{id}/export.csv`).

use super::{neutralise, timestamp};
use crate::backend::{audit, authz, customer_users, AppState, TenantScope};
use crate::error::AppError;
use crate::types::session::Permission;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct AccountExport {
    pub exported_at: String,
    pub partner: String,
    pub customer: CustomerRecord,
    pub network: Option<Named>,
    pub sub_accounts: Vec<SubAccount>,
    pub users: Vec<User>,
    pub emails: Vec<Email>,
    pub status_history: Vec<StatusEvent>,
    pub audit: Vec<AuditEvent>,
}

#[derive(Debug, Serialize)]
pub struct CustomerRecord {
    pub id: i64,
    pub name: String,
    pub status: String,
    /// The built-in fields that hold a value, by their stored keys.
    pub fields: BTreeMap<String, String>,
    /// Custom field values, by the field's key.
    pub custom: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct SubAccount {
    pub id: i64,
    pub name: String,
    pub status: String,
}

/// A person with a membership here: active, disabled, or invited (a pending invitation).
#[derive(Debug, Serialize)]
pub struct User {
    pub name: String,
    pub email: String,
    pub role: String,
    pub state: String,
    pub invited_at: String,
    pub activated_at: String,
    pub last_sign_in_at: String,
    /// For a pending invitation: when its link expires (the link itself is never exported).
    pub invitation_expires_at: String,
    /// Their answers to this partner: kind → "accepted <date>" or "declined <date>".
    pub consents: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub at: String,
    pub delivery: String,
}

/// Who did it is shown only to those who may read the audit log (`audit.view`): the export is
/// what a data-subject request needs (what changed, and when); the staff's names, the reasons
/// they gave for "Log in as" and the like are the audit log's.
#[derive(Debug, Serialize)]
pub struct StatusEvent {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub action: String,
}

#[derive(Debug, Serialize)]
pub struct AuditEvent {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acting_as: Option<String>,
    pub action: String,
    pub changes: Value,
}

/// Everything about customer `id` of the scope's tenant.
pub async fn collect(scope: &TenantScope, id: i64) -> Result<AccountExport, AppError> {
    let mut conn = scope.db.pool.acquire().await?;
    let columns = super::text_column_list();
    let row = sqlx::query(&format!(
        "SELECT {columns} c.id, c.name, c.status, c.parent_id, c.created_at, c.updated_at, t.name AS partner,
                n.name AS network_name
         FROM customers c JOIN tenants t ON t.id = c.tenant_id
         LEFT JOIN customers n ON n.id = c.parent_id AND n.tenant_id = c.tenant_id
         WHERE c.id = $1 AND c.tenant_id = $2"
    ))
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::not_found("no such customer here"))?;
    let mut fields = BTreeMap::new();
    for field in super::text_fields() {
        if let Some(value) = row.try_get::<Option<String>, _>(field.key())?.filter(|v| !v.is_empty()) {
            fields.insert(field.key().to_string(), value);
        }
    }
    let custom = sqlx::query(
        "SELECT f.key, v.value FROM customer_field_values v JOIN custom_fields f ON f.id = v.field_id
         WHERE v.customer_id = $1 AND f.tenant_id = $2 AND f.removing_since IS NULL ORDER BY f.position",
    )
    .bind(id)
    .bind(scope.tenant_id())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("key")?, r.try_get("value")?)))
    .collect::<Result<BTreeMap<String, String>, sqlx::Error>>()?;
    let network = match (row.try_get::<Option<i64>, _>("parent_id")?, row.try_get::<Option<String>, _>("network_name")?)
    {
        (Some(id), Some(name)) => Some(Named { id, name }),
        _ => None,
    };
    let sub_accounts =
        sqlx::query("SELECT id, name, status FROM customers WHERE parent_id = $1 AND tenant_id = $2 ORDER BY name, id")
            .bind(id)
            .bind(scope.tenant_id())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(SubAccount { id: r.try_get("id")?, name: r.try_get("name")?, status: r.try_get("status")? }))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let people = customer_users::users_of(&mut conn, scope.tenant_id(), id).await?;
    let users = people
        .iter()
        .map(|u| User {
            name: u.full_name.clone(),
            email: u.email.clone(),
            role: u.role.label().to_string(),
            state: u.state.label().to_string(),
            invited_at: timestamp(u.invited_at),
            activated_at: timestamp(u.activated_at),
            last_sign_in_at: timestamp(u.last_login_at),
            invitation_expires_at: timestamp(u.link_expires_at),
            consents: u
                .consents
                .iter()
                .map(|c| {
                    let word = if c.accepted { "accepted" } else { "declined" };
                    (c.kind.key().to_string(), format!("{word} {}", timestamp(Some(c.at))))
                })
                .collect(),
        })
        .collect();
    // Only what this partner sent them, and never the body: it may hold a link.
    let mut emails = Vec::new();
    for user in &people {
        let rows = sqlx::query(
            "SELECT to_addr, subject, at, transport, error FROM outbound_emails
             WHERE tenant_id = $1 AND to_addr = $2 ORDER BY at, id",
        )
        .bind(scope.tenant_id())
        .bind(&user.email)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let delivery = match r.try_get::<Option<String>, _>("error")? {
                Some(error) => format!("failed: {error}"),
                None => r.try_get("transport")?,
            };
            emails.push(Email {
                to: r.try_get("to_addr")?,
                subject: r.try_get("subject")?,
                at: timestamp(r.try_get("at")?),
                delivery,
            });
        }
    }
    let entries = sqlx::query(
        "SELECT at, actor_label, acting_as, action, changes FROM audit_log
         WHERE tenant_id = $1 AND target_type = 'customer' AND target_id = $2 ORDER BY id",
    )
    .bind(scope.tenant_id())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let with_audit = scope.require(Permission::AuditView).is_ok();
    let mut status_history = Vec::new();
    let mut audit_events = Vec::new();
    for r in &entries {
        let action: String = r.try_get("action")?;
        let at = timestamp(r.try_get("at")?);
        let actor: Option<String> = with_audit.then(|| r.try_get("actor_label")).transpose()?;
        if matches!(action.as_str(), "customer.create" | "customer.disable" | "customer.activate") {
            status_history.push(StatusEvent { at: at.clone(), by: actor.clone(), action: action.clone() });
        }
        // Without audit.view, the changes made to the customer's own record; nothing of what staff
        // recorded about their work (a "Log in as" reason and length, an export's format).
        let changes = if with_audit || action.starts_with("customer.") {
            r.try_get::<Option<String>, _>("changes")?
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        let acting_as = if with_audit { r.try_get("acting_as")? } else { None };
        audit_events.push(AuditEvent { at, actor, acting_as, action, changes });
    }
    Ok(AccountExport {
        exported_at: timestamp(Some(crate::backend::now())),
        partner: row.try_get("partner")?,
        customer: CustomerRecord {
            id,
            name: row.try_get("name")?,
            status: row.try_get("status")?,
            fields,
            custom,
            created_at: timestamp(row.try_get("created_at")?),
            updated_at: timestamp(row.try_get("updated_at")?),
        },
        network,
        sub_accounts,
        users,
        emails,
        status_history,
        audit: audit_events,
    })
}

/// The export as `section,item,field,value` rows: one file a spreadsheet opens, nothing lost.
pub fn flat_csv(export: &AccountExport) -> Result<Vec<u8>, AppError> {
    let value = serde_json::to_value(export).map_err(|e| AppError::internal("flattening an export", e))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |section: &str, item: &str, field: &str, value: &str| {
        out.write_record([section, item, field, &neutralise(value)])
            .map_err(|e| AppError::internal("writing an export row", e))
    };
    write("section", "item", "field", "value")?;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    for (section, content) in value.as_object().into_iter().flatten() {
        match content {
            Value::Array(items) => {
                for (n, item) in items.iter().enumerate() {
                    for (field, v) in item.as_object().into_iter().flatten() {
                        write(section, &(n + 1).to_string(), field, &text(v))?;
                    }
                }
            }
            Value::Object(map) => {
                for (field, v) in map {
                    match v {
                        Value::Object(inner) => {
                            for (key, v) in inner {
                                write(section, field, key, &text(v))?;
                            }
                        }
                        other => write(section, "", field, &text(other))?,
                    }
                }
            }
            other => write(section, "", "", &text(other))?,
        }
    }
    out.into_inner().map_err(|e| AppError::internal("finishing an export", e))
}

/// `GET /customers/{id}/export.json` and `.csv`: `customers.export`, audited.
pub async fn download(state: AppState, parts: http::request::Parts, id: i64, json: bool) -> Response {
    let result = async {
        let scope = authz::authorize_request(&state, parts, Permission::CustomersExport).await?;
        let export = collect(&scope, id).await?;
        let mut tx = scope.db.begin().await?;
        let entry = audit::Entry::new("customer.export_account")
            .by(&scope.actor)
            .in_tenant(Some(scope.tenant_id()))
            .target("customer", Some(id), export.customer.name.clone())
            .change("format", Value::Null, if json { "json" } else { "csv" });
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        let body = if json {
            serde_json::to_vec_pretty(&export).map_err(|e| AppError::internal("writing an export", e))?
        } else {
            flat_csv(&export)?
        };
        let (kind, ext) = if json { ("application/json", "json") } else { ("text/csv; charset=utf-8", "csv") };
        let name = format!("customer-{id}-{}.{ext}", crate::format::format_date(crate::backend::now()));
        Ok::<_, AppError>((kind, name, body))
    }
    .await;
    match result {
        Ok((kind, name, body)) => {
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => super::error_response(&error),
    }
}
