//! The audit log (PRODUCT.md §11): writing it here (`record` takes the caller's open transaction,
//! so an entry is written if and only if the change it describes is); reading it in `log`.
//!
//! Two rules every entry follows, applied here rather than at each call site:
//! * in a partner's log, a person is named as that partner knows them: the name it gave at
//!   invitation (`memberships.display_name`), never the one they chose or another partner gave;
//! * `audit_log_people` lists every person an entry names (actor, target, the person behind a
//!   membership it is about, and any the caller adds with [`Entry::about`]), so an erasure finds
//!   their entries by id (`erasure`).

pub mod log;

use super::actor::{Actor, OPERATOR_MARK};
use super::now;
use serde_json::{Map, Value};
use sqlx::Row;

/// One entry. Build with [`Entry::new`] and the `by`/`target`/`change` helpers.
#[derive(Debug, Default, Clone)]
pub struct Entry {
    pub actor_person_id: Option<i64>,
    pub actor_label: String,
    /// The actor's email and whether they are an operator, to name them as the entry's partner
    /// knows them (see the module's rules).
    actor_email: Option<String>,
    actor_is_operator: bool,
    pub acting_as: Option<String>,
    pub tenant_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    /// field -> [before, after]
    pub changes: Map<String, Value>,
    pub client_addr: Option<String>,
    /// Further people the entry names (its labels or changes mention them).
    people: Vec<i64>,
}

impl Entry {
    pub fn new(action: &str) -> Self {
        Self { action: action.to_string(), actor_label: "anonymous".into(), ..Default::default() }
    }

    pub fn by(mut self, actor: &Actor) -> Self {
        if actor.api_key.is_some() {
            // An API key is named as itself in every partner's log; it is nobody's person.
            self.actor_person_id = None;
            self.actor_label = actor.label();
            self.actor_email = None;
            self.client_addr = actor.client_addr.clone();
            return self;
        }
        self.actor_person_id = Some(actor.person_id);
        self.actor_label = actor.label();
        self.actor_email = Some(actor.email.clone());
        self.actor_is_operator = actor.is_operator;
        self.client_addr = actor.client_addr.clone();
        // A partner user viewing an account as its users do: both identities, always.
        if let Some(impersonation) = &actor.impersonation {
            self.acting_as = Some(impersonation.label());
        }
        self
    }

    /// The account a change was made as ("Log in as"); `by` fills it in from the actor.
    pub fn acting_as(mut self, label: impl Into<String>) -> Self {
        self.acting_as = Some(label.into());
        self
    }

    /// A person impersonation for themselves without a session yet (signing in, using a link).
    pub fn by_person(mut self, person_id: i64, name: &str, email: &str) -> Self {
        self.actor_person_id = Some(person_id);
        self.actor_label = format!("{name} <{email}>");
        self.actor_email = Some(email.to_string());
        self
    }

    /// Named by something other than a person (the command line); names nobody.
    pub fn by_system(mut self, label: &str) -> Self {
        self.actor_person_id = None;
        self.actor_email = None;
        self.actor_label = label.to_string();
        self
    }

    /// Names the actor by `label` as it stands (a pseudonym), whatever partner the entry is in.
    pub fn labelled(mut self, label: &str) -> Self {
        self.actor_label = label.to_string();
        self.actor_email = None;
        self
    }

    /// The entry is about `person_id` too (its labels or changes name them).
    pub fn about(mut self, person_id: i64) -> Self {
        self.people.push(person_id);
        self
    }

    pub fn in_tenant(mut self, tenant_id: Option<i64>) -> Self {
        self.tenant_id = tenant_id;
        self
    }

    pub fn target(mut self, kind: &str, id: Option<i64>, label: impl Into<String>) -> Self {
        self.target_type = Some(kind.to_string());
        self.target_id = id;
        self.target_label = Some(label.into());
        self
    }

    /// Records a changed field; unchanged values are skipped so entries show only what moved.
    pub fn change(mut self, field: &str, before: impl Into<Value>, after: impl Into<Value>) -> Self {
        let (before, after) = (before.into(), after.into());
        if before != after {
            self.changes.insert(field.to_string(), Value::Array(vec![before, after]));
        }
        self
    }

    pub fn from_addr(mut self, addr: Option<String>) -> Self {
        self.client_addr = addr;
        self
    }

    /// The actor's label in the entry's partner: the name that partner gave them, if it gave one.
    async fn actor_label_in_tenant(&self, conn: &mut sqlx::AnyConnection) -> Result<String, sqlx::Error> {
        let (Some(person), Some(tenant), Some(email)) = (self.actor_person_id, self.tenant_id, &self.actor_email)
        else {
            return Ok(self.actor_label.clone());
        };
        Ok(match super::memberships::name_in_tenant(conn, person, tenant).await? {
            Some(name) => {
                let mark = if self.actor_is_operator { OPERATOR_MARK } else { "" };
                format!("{name} <{email}>{mark}")
            }
            None => self.actor_label.clone(),
        })
    }

    /// Everyone the entry names: the actor, a person target, the person behind a membership
    /// target, and those added with [`Entry::about`].
    async fn people(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>, sqlx::Error> {
        let mut people = self.people.clone();
        people.extend(self.actor_person_id);
        match (self.target_type.as_deref(), self.target_id) {
            (Some("person"), Some(id)) => people.push(id),
            (Some("customer_user" | "partner_user"), Some(membership)) => {
                let row = sqlx::query("SELECT person_id FROM memberships WHERE id = $1")
                    .bind(membership)
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some(row) = row {
                    people.push(row.try_get("person_id")?);
                }
            }
            _ => {}
        }
        people.sort_unstable();
        people.dedup();
        Ok(people)
    }
}

/// Writes one entry in the caller's transaction.
pub async fn record(conn: &mut sqlx::AnyConnection, entry: Entry) -> Result<(), sqlx::Error> {
    let actor_label = entry.actor_label_in_tenant(conn).await?;
    let people = entry.people(conn).await?;
    let changes = (!entry.changes.is_empty()).then(|| Value::Object(entry.changes).to_string());
    let id: i64 = sqlx::query(
        "INSERT INTO audit_log (at, actor_person_id, actor_label, acting_as, tenant_id, action,
                                target_type, target_id, target_label, changes, client_addr)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(now())
    .bind(entry.actor_person_id)
    .bind(actor_label)
    .bind(entry.acting_as)
    .bind(entry.tenant_id)
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.target_label)
    .bind(changes)
    .bind(entry.client_addr)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    for person in people {
        sqlx::query("INSERT INTO audit_log_people (person_id, entry_id) VALUES ($1, $2)")
            .bind(person)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes one entry per customer of `customer_ids` (of `tenant_id`) from `template`, each with
/// that customer as its target (id and name): a bulk change's entries in one statement per few
/// hundred customers, read straight from the customers table. Ten thousand inserts one by one,
/// or with every value bound, would hold SQLite's write lock for most of a second.
pub async fn record_for_customers(
    conn: &mut sqlx::AnyConnection,
    template: Entry,
    tenant_id: i64,
    customer_ids: &[i64],
) -> Result<(), sqlx::Error> {
    let actor_label = template.actor_label_in_tenant(conn).await?;
    let changes = (!template.changes.is_empty()).then(|| Value::Object(template.changes).to_string());
    let at = now();
    for chunk in customer_ids.chunks(500) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 10)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "INSERT INTO audit_log (at, actor_person_id, actor_label, acting_as, tenant_id, action,
                                    target_type, target_id, target_label, changes, client_addr)
             SELECT $1, $2, $3, $4, $5, $6, 'customer', c.id, c.name, $7, $8
             FROM customers c WHERE c.id IN ({list}) AND +c.tenant_id = $9 ORDER BY c.id
             RETURNING id"
        );
        let query = sqlx::query(&sql)
            .bind(at)
            .bind(template.actor_person_id)
            .bind(actor_label.clone())
            .bind(template.acting_as.clone())
            .bind(template.tenant_id)
            .bind(template.action.clone())
            .bind(changes.clone())
            .bind(template.client_addr.clone())
            .bind(tenant_id);
        let ids: Vec<i64> = chunk
            .iter()
            .fold(query, |q, id| q.bind(*id))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        // The actor is the one person these entries name.
        if let (Some(actor), false) = (template.actor_person_id, ids.is_empty()) {
            let list = (0..ids.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "INSERT INTO audit_log_people (person_id, entry_id) SELECT $1, id FROM audit_log WHERE id IN ({list})"
            );
            ids.iter().fold(sqlx::query(&sql).bind(actor), |q, id| q.bind(*id)).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_keeps_only_fields_that_moved() {
        let e = Entry::new("customer.update").change("name", "A", "B").change("city", "X", "X");
        assert_eq!(e.changes.len(), 1);
        assert_eq!(e.changes["name"], serde_json::json!(["A", "B"]));
    }
}
