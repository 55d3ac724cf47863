//! What a person does with a single-use link, signed out: accept an invitation (set a password,
//! or confirm the one they have), ask for a reset link, and reset a forgotten password.

use super::session::store;
use super::{audit, customer_users, email, memberships, now, password, request, throttle, tokens, AppState};
use crate::error::AppError;
use crate::types::account_links::{Acceptance, LinkInfo, LinkProblem};
use crate::types::consents::ConsentChoices;
use crate::types::forms::normalize_email;
use sqlx::{AnyConnection, Row};

/// What a link is for, so the page can greet the person or say what went wrong.
pub async fn link_info(state: &AppState, purpose: tokens::Purpose, token: &str) -> Result<LinkInfo, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let live = match tokens::find(&mut conn, purpose, token).await? {
        Ok(live) => live,
        Err(problem) => return Ok(LinkInfo::Unusable(problem)),
    };
    let Some(person) = link_person(&mut conn, live.person_id).await? else {
        return Ok(LinkInfo::Unusable(LinkProblem::Unknown));
    };
    Ok(match purpose {
        tokens::Purpose::Reset => LinkInfo::Reset { email: person.email },
        tokens::Purpose::Activation => {
            let Some(invited) = invited_to(&mut conn, live.membership_id).await? else {
                return Ok(LinkInfo::Unusable(LinkProblem::Unknown));
            };
            let accept = acceptance(state, &mut conn, &live, &person).await?;
            // Consents are a customer user's answers to the partner; staff give none.
            let consents = match (invited.staff, live.tenant_id) {
                (false, Some(tenant)) => super::consents::policy(&mut conn, tenant).await?,
                _ => Default::default(),
            };
            LinkInfo::Activation {
                full_name: invited.display_name,
                email: person.email,
                customer_name: invited.joining,
                accept,
                consents,
            }
        }
    })
}

/// What an invitation offers: a customer account, or a place on a partner's team.
struct Invited {
    staff: bool,
    /// "Acme Ltd", or "the Northwind team, as Support".
    joining: String,
    display_name: String,
}

async fn invited_to(conn: &mut AnyConnection, membership_id: Option<i64>) -> Result<Option<Invited>, AppError> {
    let row = sqlx::query(
        "SELECT m.kind, c.name AS customer_name, t.name AS tenant_name, r.name AS role_name,
                COALESCE(m.display_name, '') AS display_name
         FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         LEFT JOIN customers c ON c.id = m.customer_id LEFT JOIN roles r ON r.id = m.role_id
         WHERE m.id = $1",
    )
    .bind(membership_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let staff = row.try_get::<String, _>("kind")? == "partner";
    let joining = if staff {
        let role: Option<String> = row.try_get("role_name")?;
        format!("the {} team, as {}", row.try_get::<String, _>("tenant_name")?, role.unwrap_or_default())
    } else {
        row.try_get::<Option<String>, _>("customer_name")?.unwrap_or_default()
    };
    Ok(Some(Invited { staff, joining, display_name: row.try_get("display_name")? }))
}

/// How this invitation link may be accepted (see [`Acceptance`]). A link that went to the inbox
/// proves the address: a new identity or an unconfirmed one chooses its password (the inbox's
/// owner takes an unconfirmed one over), a confirmed one accepts. A link shown to the inviter
/// proves nothing about the address: it chooses a password only for the identity this very
/// invitation created (`memberships::link_may_be_shown`), accepts for a confirmed account only
/// while signed in as it, and otherwise sends the person to their inbox, changing nothing.
async fn acceptance(
    state: &AppState,
    conn: &mut AnyConnection,
    live: &tokens::LiveToken,
    person: &LinkPerson,
) -> Result<Acceptance, AppError> {
    let has_password = person.password_hash.is_some();
    if !live.shown {
        return Ok(if has_password && person.email_verified { Acceptance::Accept } else { Acceptance::ChoosePassword });
    }
    let membership = live.membership_id.unwrap_or(0);
    Ok(if memberships::link_may_be_shown(conn, live.person_id, membership).await? {
        Acceptance::ChoosePassword
    } else if has_password && person.email_verified {
        if signed_in_person(state).await? == Some(live.person_id) {
            Acceptance::Accept
        } else {
            Acceptance::SignInFirst
        }
    } else {
        Acceptance::ConfirmThroughInbox
    })
}

/// The person this browser is signed in as, if any.
async fn signed_in_person(state: &AppState) -> Result<Option<i64>, AppError> {
    let Some(token) = request::session_token() else { return Ok(None) };
    Ok(store::resolve(&state.db, &state.security, &token).await?.map(|s| s.person_id))
}

/// A failed use of an activation link: audited, and counted against the address, which must
/// wait once it has failed too often (`throttle::check_link`).
async fn link_failure(state: &AppState, addr: &str, reason: &str, person_id: Option<i64>) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    throttle::record_link_failure(&mut tx, addr).await?;
    let mut entry = audit::Entry::new("customer_user.activate_failed").from_addr(Some(addr.to_string()));
    if let Some(person) = person_id {
        entry = entry.target("person", Some(person), "");
    }
    audit::record(&mut tx, entry.change("reason", serde_json::Value::Null, reason)).await?;
    tx.commit().await?;
    Ok(())
}

/// The person a link belongs to.
struct LinkPerson {
    name: String,
    email: String,
    password_hash: Option<String>,
    email_verified: bool,
}

async fn link_person(conn: &mut AnyConnection, person_id: i64) -> Result<Option<LinkPerson>, AppError> {
    let row = sqlx::query("SELECT full_name, email, password_hash, email_verified_at FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some(LinkPerson {
            name: r.try_get("full_name")?,
            email: r.try_get("email")?,
            password_hash: r.try_get("password_hash")?,
            email_verified: r.try_get::<Option<i64>, _>("email_verified_at")?.is_some(),
        }),
        None => None,
    })
}

/// A live link of `purpose` and its person, or the problem to show.
async fn live_link(
    state: &AppState,
    purpose: tokens::Purpose,
    token: &str,
) -> Result<(tokens::LiveToken, LinkPerson), AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let live = tokens::find(&mut conn, purpose, token).await?.map_err(link_error)?;
    let person = link_person(&mut conn, live.person_id).await?.ok_or_else(|| link_error(LinkProblem::Unknown))?;
    Ok((live, person))
}

fn link_error(problem: LinkProblem) -> AppError {
    AppError::bad_request(problem.message())
}

/// Accepts an invitation. A new person chooses a password (the rules of
/// `password::choice_problem`). Someone who already has an account never gives its password
/// here: their emailed link accepts as it is, a link shown to the inviter only while they are
/// signed in as themselves. Either way the membership becomes active and a fresh session starts;
/// its token is returned. Failed attempts are audited and throttled per address.
pub async fn activate(
    state: &AppState,
    token: &str,
    password_given: &str,
    choices: &ConsentChoices,
) -> Result<String, AppError> {
    let addr = request::client_addr(&state.security).unwrap_or_else(|| "unknown".into());
    let (live, person) = match live_link(state, tokens::Purpose::Activation, token).await {
        Ok(found) => found,
        Err(error) => {
            // Only a failed use is ever held back: a valid link works whatever else came from here.
            throttle::check_link(&mut *state.db.pool.acquire().await?, &addr).await?;
            link_failure(state, &addr, "unusable link", None).await?;
            return Err(error);
        }
    };
    let accept = acceptance(state, &mut *state.db.pool.acquire().await?, &live, &person).await?;
    match accept {
        Acceptance::SignInFirst => {
            link_failure(state, &addr, "existing account, shown link, not signed in as them", Some(live.person_id))
                .await?;
            return Err(AppError::forbidden(format!(
                "this invitation is for an existing account; sign in as {} and open the link again",
                person.email
            )));
        }
        Acceptance::ConfirmThroughInbox => {
            link_failure(state, &addr, "shown link for an identity it did not create", Some(live.person_id)).await?;
            return Err(AppError::forbidden(format!(
                "{} must accept through its own inbox; ask for the invitation to be sent to it by email",
                person.email
            )));
        }
        Acceptance::ChoosePassword | Acceptance::Accept => {}
    }
    let LinkPerson { name, email, .. } = person;
    let invited = invited_to(&mut *state.db.pool.acquire().await?, live.membership_id)
        .await?
        .ok_or_else(|| link_error(LinkProblem::Unknown))?;
    let staff = invited.staff;
    // The partner's log names the person as it knows them (the name it gave at invitation).
    let known_as = if invited.display_name.is_empty() { name.clone() } else { invited.display_name.clone() };
    // The partner's required consents come first: nothing is changed without them.
    let policy = match (staff, live.tenant_id) {
        (false, Some(tenant)) => super::consents::policy(&mut *state.db.pool.acquire().await?, tenant).await?,
        _ => Default::default(),
    };
    super::consents::check_choices(&policy, choices)?;
    let new_hash = match accept {
        // An existing identity keeps its password; it is never checked here.
        Acceptance::Accept => None,
        _ => {
            if let Some(problem) = password::choice_problem_off_thread(password_given, &[&email, &name]).await? {
                return Err(AppError::invalid("password", problem));
            }
            Some(password::hash_off_thread(password_given).await?)
        }
    };
    let mut tx = state.db.begin().await?;
    // Used here, inside the transaction that activates: two tabs racing get one success.
    let live = tokens::consume(&mut tx, tokens::Purpose::Activation, token).await?.map_err(link_error)?;
    // Asked again inside the transaction: another partner's invitation to the address may have
    // arrived since the page was opened, and then this shown link chooses nothing.
    if live.shown
        && accept == Acceptance::ChoosePassword
        && !memberships::link_may_be_shown(&mut tx, live.person_id, live.membership_id.unwrap_or(0)).await?
    {
        return Err(AppError::forbidden(format!(
            "{email} must accept through its own inbox; ask for the invitation to be sent to it by email"
        )));
    }
    let at = now();
    if let Some(hash) = &new_hash {
        sqlx::query("UPDATE persons SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(at)
            .bind(live.person_id)
            .execute(&mut *tx)
            .await?;
        // A password chosen anew ends every session (and known device) the identity had: an
        // unconfirmed account's old password was chosen by whoever was shown its first link.
        forget_old_password(&mut tx, live.person_id).await?;
    }
    if !live.shown {
        // The link went to the inbox and came back: the address is theirs.
        sqlx::query("UPDATE persons SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2")
            .bind(at)
            .bind(live.person_id)
            .execute(&mut *tx)
            .await?;
    }
    let activated =
        sqlx::query("UPDATE memberships SET state = 'active', activated_at = $1 WHERE id = $2 AND state = 'invited'")
            .bind(at)
            .bind(live.membership_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if activated != 1 {
        return Err(link_error(LinkProblem::Unknown));
    }
    if let (false, Some(tenant)) = (staff, live.tenant_id) {
        super::consents::record_choices(&mut tx, (live.person_id, &known_as, &email), tenant, &policy, choices).await?;
        let customer: Option<i64> = match live.membership_id {
            Some(membership) => sqlx::query("SELECT customer_id FROM memberships WHERE id = $1")
                .bind(membership)
                .fetch_one(&mut *tx)
                .await?
                .try_get("customer_id")?,
            None => None,
        };
        if let Some(customer) = customer {
            let data = serde_json::json!({ "customer_id": customer, "membership_id": live.membership_id,
                                           "full_name": known_as, "email": email });
            super::webhooks::outbox::customer_event(&mut tx, tenant, "customer_user.activated", customer, data).await?;
        }
    }
    let token = start_session(state, &mut tx, live.person_id).await?;
    let (action, target) =
        if staff { ("partner_user.activate", "partner_user") } else { ("customer_user.activate", "customer_user") };
    let entry = audit::Entry::new(action)
        .by_person(live.person_id, &known_as, &email)
        .in_tenant(live.tenant_id)
        .target(target, live.membership_id, format!("{known_as} <{email}>"))
        .from_addr(request::client_addr(&state.security));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    token.ok_or(AppError::AccountDisabled)
}

/// A fresh session for the person, unless their only way in is a disabled customer account
/// (then `None`: the change that came with the link still stands, but nobody is signed in).
async fn start_session(state: &AppState, conn: &mut AnyConnection, person_id: i64) -> Result<Option<String>, AppError> {
    if store::only_disabled_accounts(conn, person_id).await? {
        return Ok(None);
    }
    let addr = request::client_addr(&state.security);
    if let Some(previous) = request::session_token() {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(tokens::token_hash(&previous))
            .execute(&mut *conn)
            .await?;
    }
    let token = store::create(conn, person_id, None, addr.as_deref(), request::user_agent().as_deref()).await?;
    sqlx::query("UPDATE persons SET last_login_at = $1 WHERE id = $2")
        .bind(now())
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    store::remember_device(state, conn, person_id).await?;
    Ok(Some(token))
}

/// A password chosen anew through a link ends what the old one gave: every session and every
/// known device (a browser known from before is no longer trusted to be the person's).
async fn forget_old_password(conn: &mut AnyConnection, person_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1").bind(person_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM known_devices WHERE person_id = $1").bind(person_id).execute(&mut *conn).await?;
    Ok(())
}

/// "Forgot password?": always the same answer, whether or not the address is known, and the
/// email (if any) goes out in the background so the answer takes as long either way. An
/// address may ask a few times per quarter hour; after that it must wait.
pub async fn forgot_password(state: &AppState, email: &str) -> Result<(), AppError> {
    let email = normalize_email(email);
    if crate::types::forms::check_email(&email).is_some() {
        return Err(AppError::invalid("email", "Enter the email address you sign in with."));
    }
    let addr = request::client_addr(&state.security).unwrap_or_else(|| "unknown".into());
    let mut tx = state.db.begin().await?;
    let send = throttle::reset_request(&mut tx, &email, &addr).await?;
    let person =
        sqlx::query("SELECT id, full_name FROM persons WHERE email = $1").bind(&email).fetch_optional(&mut *tx).await?;
    let mut entry = audit::Entry::new("auth.reset_requested").target("person", None, &email).from_addr(Some(addr));
    if let Some(person) = &person {
        entry = entry.about(person.try_get("id")?);
    }
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    if let (true, Some(person)) = (send, person) {
        let (id, name): (i64, String) = (person.try_get("id")?, person.try_get("full_name")?);
        let tenant = {
            let mut conn = state.db.pool.acquire().await?;
            email::reset_wording_tenant(&mut conn, id, None).await?
        };
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = customer_users::send_forgotten_reset(&state, id, &name, &email, tenant).await {
                tracing::warn!(?error, "password reset email not sent");
            }
        });
    }
    Ok(())
}

/// Sets a new password through a reset link. Every session of the person ends (wherever they
/// were signed in, perhaps by whoever knew the old password); this browser gets a fresh one.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> Result<String, AppError> {
    let (_, LinkPerson { name, email, .. }) = match live_link(state, tokens::Purpose::Reset, token).await {
        Ok(found) => found,
        Err(error) => {
            // As for activation links: failures are counted per address and only they wait.
            let addr = request::client_addr(&state.security).unwrap_or_else(|| "unknown".into());
            let mut conn = state.db.pool.acquire().await?;
            throttle::check_link(&mut conn, &addr).await?;
            throttle::record_link_failure(&mut conn, &addr).await?;
            return Err(error);
        }
    };
    if let Some(problem) = password::choice_problem_off_thread(new_password, &[&email, &name]).await? {
        return Err(AppError::invalid("password", problem));
    }
    let hash = password::hash_off_thread(new_password).await?;
    let mut tx = state.db.begin().await?;
    let live = tokens::consume(&mut tx, tokens::Purpose::Reset, token).await?.map_err(link_error)?;
    // A reset link is emailed: using it also confirms the address.
    sqlx::query(
        "UPDATE persons SET password_hash = $1, updated_at = $2, email_verified_at = COALESCE(email_verified_at, $2)
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(now())
    .bind(live.person_id)
    .execute(&mut *tx)
    .await?;
    forget_old_password(&mut tx, live.person_id).await?;
    let token = start_session(state, &mut tx, live.person_id).await?;
    let entry = audit::Entry::new("auth.password_reset")
        .by_person(live.person_id, &name, &email)
        .in_tenant(live.tenant_id)
        .target("person", Some(live.person_id), &email)
        .from_addr(request::client_addr(&state.security));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    token.ok_or(AppError::AccountDisabled)
}

/// How long the link that `server create-operator` prints stays usable.
pub const OPERATOR_SETUP_HOURS: i64 = 24;

/// Makes `email` a platform operator — creating the person, without a password, when new — and
/// returns a single-use link (the password-reset page) where they choose their password, with
/// its expiry. For the command line only: whoever runs it already controls the server, and the
/// link goes to their terminal, never through a tenant's hands.
pub async fn create_operator(
    db: &super::Db,
    public_url: &str,
    email: &str,
    full_name: &str,
) -> Result<(String, i64), AppError> {
    let email = normalize_email(email);
    if let Some(problem) = crate::types::forms::check_email(&email) {
        return Err(AppError::invalid("email", problem));
    }
    let full_name = crate::types::forms::clean_text(full_name);
    let full_name = full_name.as_str();
    if full_name.is_empty() {
        return Err(AppError::invalid("name", "Give the operator's name."));
    }
    let mut tx = db.begin().await?;
    let at = now();
    let existing = sqlx::query("SELECT id, email_verified_at FROM persons WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    let mut reclaimed = false;
    let person_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            if row.try_get::<Option<i64>, _>("email_verified_at")?.is_none() {
                // Nobody has shown this address to be theirs: its password may have been chosen
                // through a link a partner was shown. Before it becomes an operator, whatever that
                // gave anyone goes: the password, every session (and "Log in as" view with them)
                // and every live link. The operator chooses a password through the link below.
                sqlx::query("UPDATE persons SET password_hash = NULL, updated_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                forget_old_password(&mut tx, id).await?;
                sqlx::query(
                    "UPDATE person_tokens SET expires_at = $1 WHERE person_id = $2 AND used_at IS NULL AND expires_at > $1",
                )
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                reclaimed = true;
            }
            id
        }
        None => sqlx::query(
            "INSERT INTO persons (email, full_name, created_at, updated_at, email_verified_at)
             VALUES ($1, $2, $3, $3, $3) RETURNING id",
        )
        .bind(&email)
        .bind(full_name)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?,
    };
    // Whoever runs the command vouches for the address (and the link goes to them).
    sqlx::query("UPDATE persons SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2")
        .bind(at)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO memberships (person_id, kind, created_at)
         SELECT $1, 'operator', $2 WHERE NOT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1 AND kind = 'operator')",
    )
    .bind(person_id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let (token, expires_at) =
        tokens::issue(&mut tx, tokens::Purpose::Reset, person_id, None, None, OPERATOR_SETUP_HOURS * 3600, false)
            .await?;
    let entry = audit::Entry::new("operator.create")
        .by_system("command line")
        .target("person", Some(person_id), format!("{full_name} <{email}>"))
        .change("unconfirmed_identity_reset", serde_json::Value::Null, reclaimed);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((tokens::link_url(public_url, tokens::Purpose::Reset, &token), expires_at))
}
