//! The audit log (PRODUCT.md §11). `record` takes the caller's open transaction, so an entry is
//! written if and only if the change it describes is.

use super::{now, Actor};
use serde_json::{Map, Value};

/// One entry. Build with [`Entry::new`] and the `by`/`target`/`change` helpers.
#[derive(Debug, Default, Clone)]
pub struct Entry {
    pub actor_person_id: Option<i64>,
    pub actor_label: String,
    pub acting_as: Option<String>,
    pub tenant_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub target_label: Option<String>,
    /// field -> [before, after]
    pub changes: Map<String, Value>,
    pub client_addr: Option<String>,
}

impl Entry {
    pub fn new(action: &str) -> Self {
        Self { action: action.to_string(), actor_label: "anonymous".into(), ..Default::default() }
    }

    pub fn by(mut self, actor: &Actor) -> Self {
        self.actor_person_id = Some(actor.person_id);
        self.actor_label = actor.label();
        self.client_addr = actor.client_addr.clone();
        // A partner user viewing an account as its users do: both identities, always.
        if let Some(acting) = &actor.acting {
            self.acting_as = Some(acting.label());
        }
        self
    }

    /// The account a change was made as ("Log in as"); `by` fills it in from the actor.
    pub fn acting(mut self, label: impl Into<String>) -> Self {
        self.acting_as = Some(label.into());
        self
    }

    /// A person acting for themselves without a session yet (signing in, using a link).
    pub fn by_person(mut self, person_id: i64, name: &str, email: &str) -> Self {
        self.actor_person_id = Some(person_id);
        self.actor_label = format!("{name} <{email}>");
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
}

/// Writes one entry in the caller's transaction.
pub async fn record(conn: &mut sqlx::AnyConnection, entry: Entry) -> Result<(), sqlx::Error> {
    record_all(conn, vec![entry]).await
}

/// Writes many entries (a bulk change's, one per customer) a few hundred rows per statement:
/// ten thousand single inserts would hold SQLite's write lock for seconds.
pub async fn record_all(conn: &mut sqlx::AnyConnection, entries: Vec<Entry>) -> Result<(), sqlx::Error> {
    const ROWS_PER_INSERT: usize = 500;
    let at = now();
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let batch: Vec<Entry> = entries.by_ref().take(ROWS_PER_INSERT).collect();
        let rows = (0..batch.len())
            .map(|row| format!("({})", (1..=11).map(|c| format!("${}", row * 11 + c)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_log (at, actor_person_id, actor_label, acting_as, tenant_id, action,
                                    target_type, target_id, target_label, changes, client_addr)
             VALUES {rows}"
        );
        let mut query = sqlx::query(&sql);
        for entry in batch {
            let changes = (!entry.changes.is_empty()).then(|| Value::Object(entry.changes).to_string());
            query = query
                .bind(at)
                .bind(entry.actor_person_id)
                .bind(entry.actor_label)
                .bind(entry.acting_as)
                .bind(entry.tenant_id)
                .bind(entry.action)
                .bind(entry.target_type)
                .bind(entry.target_id)
                .bind(entry.target_label)
                .bind(changes)
                .bind(entry.client_addr);
        }
        query.execute(&mut *conn).await?;
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
