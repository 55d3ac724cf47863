//! Erasing a person everywhere (PRODUCT.md §2, §9; issue 13). Two ways lead here, and only two:
//! the platform operator (`persons.erase`, which no partner role holds) and the person themselves
//! ("Delete my account" in the portal). A partner's unsubscribe never erases anyone: it ends that
//! partner's memberships and renames the person in that partner's log only (issue 26).
//!
//! An erasure is one transaction that removes the identity with every membership, session, link
//! and view ("Log in as") by cascade, the emails kept for them and their sign-in failures, and
//! schedules the rewrite of the append-only audit log: every entry that names them
//! (`audit_log_people`) gets a pseudonym in place of their name and email. That rewrite runs in
//! batches of [`BATCH`] entries, each committed on its own, so it never holds SQLite's write lock
//! for long however many entries there are, and resumes after a crash
//! ([`finish_pseudonymisations`], also run at start).

use super::{audit, password, throttle, Actor, AppState, Db, OperatorScope};
use crate::error::AppError;
use crate::types::erasure::{pseudonym, ErasurePreview};
use sqlx::{AnyConnection, Row};

/// Audit entries rewritten per transaction.
pub const BATCH: i64 = 500;

/// The person with `email`, with the partners that hold them, for the operator's confirmation.
pub async fn preview(scope: &OperatorScope, email: &str) -> Result<ErasurePreview, AppError> {
    let email = crate::types::forms::normalize_email(email);
    let person = sqlx::query("SELECT id, full_name, email FROM persons WHERE email = $1")
        .bind(&email)
        .fetch_optional(&scope.db.pool)
        .await?
        .ok_or_else(|| AppError::not_found("nobody has that email address"))?;
    let person_id: i64 = person.try_get("id")?;
    let partners = sqlx::query(
        "SELECT DISTINCT t.name FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.person_id = $1 ORDER BY t.name",
    )
    .bind(person_id)
    .fetch_all(&scope.db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("name"))
    .collect::<Result<Vec<String>, _>>()?;
    let memberships: i64 = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE person_id = $1")
        .bind(person_id)
        .fetch_one(&scope.db.pool)
        .await?
        .try_get("n")?;
    Ok(ErasurePreview {
        person_id,
        name: person.try_get("full_name")?,
        email: person.try_get("email")?,
        partners,
        memberships: memberships as u64,
    })
}

/// The operator erases person `person_id`; `confirm_email` must be theirs (typed to confirm).
/// Operators are not erased this way (another operator removes the operator role first), nor is
/// oneself (that is "Delete my account").
pub async fn erase_by_operator(scope: &OperatorScope, person_id: i64, confirm_email: &str) -> Result<(), AppError> {
    let mut tx = scope.db.begin().await?;
    let email: String = sqlx::query("SELECT email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("no such person"))?
        .try_get("email")?;
    if crate::types::forms::normalize_email(confirm_email) != email {
        return Err(AppError::invalid("confirm_email", "Type the person's email address to confirm."));
    }
    if person_id == scope.actor.person_id {
        return Err(AppError::bad_request("You cannot erase yourself here."));
    }
    let operator = sqlx::query("SELECT 1 AS x FROM memberships WHERE person_id = $1 AND kind = 'operator'")
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
    if operator.is_some() {
        return Err(AppError::bad_request("This person is a platform operator: remove that role before erasing them."));
    }
    let entry = audit::Entry::new("person.erase").by(&scope.actor);
    erase(&mut tx, person_id, entry).await?;
    tx.commit().await?;
    finish_soon(&scope.db).await;
    Ok(())
}

/// The longest password "Delete my account" checks (as sign-in: a longer one is wrong anyway,
/// and hashing megabytes would cost the server).
const PASSWORD_MAX_BYTES: usize = 1024;

/// "Delete my account": the person themselves, with their password, which is checked like a
/// sign-in (throttled per account and address; every failure audited). Partner staff and
/// operators are refused: their access belongs to their organisation, which removes it. So is an
/// identity whose address was never confirmed while partners' invitations to that address wait:
/// whoever chose its password through a handed-over link must not make those invitations vanish.
pub async fn delete_own_account(state: &AppState, actor: &Actor, password_attempt: &str) -> Result<(), AppError> {
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden("you are viewing a customer account as its users do"));
    }
    if password_attempt.is_empty() {
        return Err(AppError::invalid("password", "Enter your password to confirm."));
    }
    let addr = actor.client_addr.clone().unwrap_or_else(|| "unknown".into());
    let attempt =
        throttle::begin_attempt(&state.db, &actor.email, &addr, super::request::device_token().as_deref()).await?;
    if attempt.account_under_attack {
        throttle::warn_owner(state, &actor.email);
    }
    if !attempt.pause.is_zero() {
        tokio::time::sleep(attempt.pause).await;
    }
    let person = sqlx::query("SELECT password_hash, email_verified_at FROM persons WHERE id = $1")
        .bind(actor.person_id)
        .fetch_one(&state.db.pool)
        .await?;
    let stored: Option<String> = person.try_get("password_hash")?;
    let right =
        password_attempt.len() <= PASSWORD_MAX_BYTES && password::verify_off_thread(password_attempt, stored).await?;
    if !right {
        let mut tx = state.db.begin().await?;
        let entry = audit::Entry::new("person.delete_own_account_failed")
            .by(actor)
            .target("person", Some(actor.person_id), &actor.email)
            .change("reason", serde_json::Value::Null, "wrong password");
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        return Err(AppError::invalid("password", "That is not your password."));
    }
    {
        let mut conn = state.db.pool.acquire().await?;
        attempt.succeeded(&mut conn).await?;
    }
    let staff = sqlx::query("SELECT 1 AS x FROM memberships WHERE person_id = $1 AND kind IN ('operator', 'partner')")
        .bind(actor.person_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if staff.is_some() {
        return Err(AppError::bad_request(
            "Your account also gives you work access to a partner or the platform: ask its administrator to remove it.",
        ));
    }
    let confirmed = person.try_get::<Option<i64>, _>("email_verified_at")?.is_some();
    let waiting = sqlx::query("SELECT 1 AS x FROM memberships WHERE person_id = $1 AND state = 'invited'")
        .bind(actor.person_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if !confirmed && waiting.is_some() {
        return Err(AppError::bad_request(
            "Invitations to your email address are waiting, and the address is not confirmed yet: open one of them \
             from your inbox first (that confirms it), then delete your account.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let entry = audit::Entry::new("person.delete_own_account").by(actor);
    erase(&mut tx, actor.person_id, entry).await?;
    tx.commit().await?;
    finish_soon(&state.db).await;
    Ok(())
}

/// Erases `person_id` within the caller's transaction, records `entry` (under the pseudonym) and
/// schedules the rewrite of every entry that names them; run [`finish_pseudonymisations`] once
/// the transaction has committed.
async fn erase(conn: &mut AnyConnection, person_id: i64, entry: audit::Entry) -> Result<(), AppError> {
    let person = sqlx::query("SELECT email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::not_found("no such person"))?;
    let email: String = person.try_get("email")?;
    let names = known_names(conn, person_id, None).await?;
    let partners: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT tenant_id) AS n FROM memberships WHERE person_id = $1 AND tenant_id IS NOT NULL",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    schedule(conn, person_id, None, &email, &names).await?;
    // Memberships, sessions, links and "Log in as" views go with the person (ON DELETE CASCADE);
    // records they made or changed keep their stamps as "no one" (ON DELETE SET NULL).
    sqlx::query("DELETE FROM persons WHERE id = $1").bind(person_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM outbound_emails WHERE to_addr = $1").bind(&email).execute(&mut *conn).await?;
    throttle::forget_account(conn, &email).await?;
    let name = pseudonym(person_id);
    let entry = entry.target("person", Some(person_id), &name).change("partners", serde_json::Value::Null, partners);
    // The erasure's own entry must not name them either, even when they erased themselves.
    let entry = if entry.actor_person_id == Some(person_id) { entry.labelled(&name) } else { entry };
    audit::record(conn, entry).await?;
    Ok(())
}

/// Every name a person is known by (their own and those partners gave them, or with `tenant`
/// the one that partner gave), longest first.
async fn known_names(conn: &mut AnyConnection, person_id: i64, tenant: Option<i64>) -> Result<Vec<String>, AppError> {
    let own: String = sqlx::query("SELECT full_name FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("full_name")?;
    let mut names = vec![own];
    for r in sqlx::query(
        "SELECT DISTINCT display_name FROM memberships
         WHERE person_id = $1 AND display_name IS NOT NULL AND ($2 = 0 OR tenant_id = $3)",
    )
    .bind(person_id)
    .bind(i64::from(tenant.is_some()))
    .bind(tenant.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?
    {
        names.push(r.try_get("display_name")?);
    }
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    Ok(names)
}

/// Writes the job that renames `person_id` in the log (every entry, or `tenant`'s only): each
/// "Name <email>" they are known by, then the bare email, becomes the pseudonym.
async fn schedule(
    conn: &mut AnyConnection,
    person_id: i64,
    tenant: Option<i64>,
    email: &str,
    names: &[String],
) -> Result<(), AppError> {
    let name = pseudonym(person_id);
    let mut replacements: Vec<(String, String)> =
        names.iter().map(|known_as| (format!("{known_as} <{email}>"), name.clone())).collect();
    replacements.push((email.to_string(), name.clone()));
    let replacements = serde_json::to_string(&replacements).map_err(|e| AppError::internal("listing names", e))?;
    sqlx::query(
        "INSERT INTO pseudonymisations (person_id, tenant_id, pseudonym, replacements, next_entry_id, created_at)
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(person_id)
    .bind(tenant)
    .bind(&name)
    .bind(replacements)
    .bind(super::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// After a partner unsubscribed a person from all its accounts: that partner's log names them
/// by pseudonym from now on (in the caller's transaction the job is written; run
/// [`finish_pseudonymisations`] after it commits). Nothing else of theirs changes: their identity,
/// password, sessions, other memberships and every other partner's log are not this partner's.
pub(in crate::backend) async fn pseudonymise_in_tenant(
    conn: &mut AnyConnection,
    tenant_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    let email: String = sqlx::query("SELECT email FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("email")?;
    let names = known_names(conn, person_id, Some(tenant_id)).await?;
    schedule(conn, person_id, Some(tenant_id), &email, &names).await
}

/// How long an erasure or unsubscribe waits for its rewrite before answering: a person named in a
/// few hundred entries is done by then; a busy colleague's hundred thousand finish behind it.
const REWRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the scheduled rewrites on their own task (so they go on if the request is abandoned, and
/// a crash leaves the job for the next start) and waits for them a while.
pub(in crate::backend) async fn finish_soon(db: &Db) {
    let run = tokio::spawn(finish_pseudonymisations(db.clone()));
    match tokio::time::timeout(REWRITE_WAIT, run).await {
        Ok(Ok(Err(error))) => {
            tracing::warn!(?error, "the audit log's pseudonymisation stopped; the next start resumes it")
        }
        Ok(Err(error)) => tracing::warn!(%error, "the audit log's pseudonymisation failed; the next start resumes it"),
        Ok(Ok(Ok(()))) | Err(_) => {}
    }
}

/// A scheduled rewrite (a row of `pseudonymisations`).
struct Job {
    id: i64,
    person_id: i64,
    tenant_id: Option<i64>,
    pseudonym: String,
    replacements: Vec<(String, String)>,
    next_entry_id: i64,
}

/// Runs every scheduled rewrite to its end, batch by batch, each batch its own transaction that
/// also records how far it got. Run after each erasure or unsubscribe and at start (after a
/// crash mid-way). Two runs at once do no harm: a batch rewrites what is already rewritten to
/// itself.
pub async fn finish_pseudonymisations(db: Db) -> Result<(), AppError> {
    let jobs = sqlx::query(
        "SELECT id, person_id, tenant_id, pseudonym, replacements, next_entry_id FROM pseudonymisations ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    for row in jobs {
        let replacements: Vec<(String, String)> = serde_json::from_str(&row.try_get::<String, _>("replacements")?)
            .map_err(|e| AppError::internal("reading a scheduled pseudonymisation", e))?;
        let mut job = Job {
            id: row.try_get("id")?,
            person_id: row.try_get("person_id")?,
            tenant_id: row.try_get("tenant_id")?,
            pseudonym: row.try_get("pseudonym")?,
            replacements,
            next_entry_id: row.try_get("next_entry_id")?,
        };
        while job.step(&db).await? {}
    }
    Ok(())
}

impl Job {
    /// Rewrites the next batch; false once there was nothing left (and the job is gone).
    async fn step(&mut self, db: &Db) -> Result<bool, AppError> {
        let mut tx = db.begin().await?;
        let ids: Vec<i64> = sqlx::query(
            "SELECT p.entry_id FROM audit_log_people p JOIN audit_log a ON a.id = p.entry_id
             WHERE p.person_id = $1 AND p.entry_id > $2 AND ($3 = 0 OR a.tenant_id = $4)
             ORDER BY p.entry_id LIMIT $5",
        )
        .bind(self.person_id)
        .bind(self.next_entry_id)
        .bind(i64::from(self.tenant_id.is_some()))
        .bind(self.tenant_id.unwrap_or(0))
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("entry_id"))
        .collect::<Result<_, _>>()?;
        let Some(&last) = ids.last() else {
            sqlx::query("DELETE FROM pseudonymisations WHERE id = $1").bind(self.id).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(false);
        };
        let sql = self.rewrite_sql(ids.len());
        let mut rewrite = sqlx::query(&sql).bind(self.person_id).bind(self.pseudonym.clone());
        for (from, to) in &self.replacements {
            rewrite = rewrite.bind(from.clone()).bind(to.clone());
        }
        ids.iter().fold(rewrite, |q, id| q.bind(*id)).execute(&mut *tx).await?;
        sqlx::query("UPDATE pseudonymisations SET next_entry_id = $1 WHERE id = $2")
            .bind(last)
            .bind(self.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.next_entry_id = last;
        Ok(true)
    }

    /// The UPDATE of `ids` entries: the actor's label or a person target's label becomes the
    /// pseudonym outright when it is them; every other label and the recorded changes get each
    /// replacement. The log's trigger allows exactly this: labels and changes, nothing else.
    /// Parameters: $1 the person, $2 the pseudonym, then each replacement's from and to, then the ids.
    fn rewrite_sql(&self, ids: usize) -> String {
        let replaced = |column: &str| {
            (0..self.replacements.len())
                .fold(column.to_string(), |e, i| format!("REPLACE({e}, ${}, ${})", 3 + 2 * i, 4 + 2 * i))
        };
        let first_id = 3 + 2 * self.replacements.len();
        let list = (0..ids).map(|i| format!("${}", first_id + i)).collect::<Vec<_>>().join(", ");
        format!(
            "UPDATE audit_log SET
               actor_label = CASE WHEN actor_person_id = $1 THEN $2 ELSE {} END,
               target_label = CASE WHEN target_type = 'person' AND target_id = $1 THEN $2 ELSE {} END,
               changes = {}
             WHERE id IN ({list})",
            replaced("actor_label"),
            replaced("target_label"),
            replaced("changes"),
        )
    }
}
