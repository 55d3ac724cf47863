//! Authorization, in one place. Every server function starts with one of:
//!
//! * [`authorize`]`(permission)` → a [`TenantScope`]: the actor may do this in their active tenant;
//! * [`authorize_operator`]`()` → an [`OperatorScope`]: the actor runs the platform;
//! * [`authorize_audit`]`()` → an [`AuditScope`]: the actor reads the audit log (one partner's, or all);
//! * [`authorize_account`]`(customer_id)` → an [`AccountScope`]: a customer user may open this
//!   customer account in the portal (their own account, or a sub-account of their network).
//!
//! Repository functions take one of these scopes as their first argument and filter every query
//! by it. The scopes can only be built here, so data cannot be reached without passing the check.

use super::actor::{Actor, ApiKeyRef, PartnerRole};
use super::api_keys::caller as api_key_caller;
use super::impersonation::check as impersonation_check;
use super::session::store;
use super::{request, state, AppState, Db};
use crate::error::AppError;
use crate::types::customer_users::AccountRole;
use crate::types::impersonation::ImpersonationInfo;
use crate::types::portal::PortalAccountRef;
use crate::types::session::{Permission, SessionInfo, TenantRef};
use sqlx::Row;
use std::collections::BTreeSet;

/// What a partner user is told when they try staff work while viewing as a customer.
const WHILE_IMPERSONATING: &str = "you are viewing a customer account as its users do; return to Clientele first";

/// Proof that the actor holds a permission in one tenant; repositories scope by `tenant_id()`.
#[derive(Debug, Clone)]
pub struct TenantScope {
    tenant_id: i64,
    pub actor: Actor,
    pub db: Db,
}

impl TenantScope {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
    /// For work that needs a second permission besides the one the scope was made for.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.actor.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!("your role does not include {permission}")))
        }
    }
}

/// Proof that a customer user may open one customer account in the portal.
#[derive(Debug, Clone)]
pub struct AccountScope {
    tenant_id: i64,
    customer_id: i64,
    pub role: AccountRole,
    pub actor: Actor,
    pub db: Db,
    /// The person's own accounts (to tell which other accounts they may open too).
    pub accounts: Vec<PortalAccountRef>,
}

impl AccountScope {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
    pub fn customer_id(&self) -> i64 {
        self.customer_id
    }
}

/// Proof that the actor may read the audit log: one partner's entries (staff with
/// `audit.view`), or every entry (operators, `tenant_id()` is `None`).
#[derive(Debug, Clone)]
pub struct AuditScope {
    tenant_id: Option<i64>,
    pub actor: Actor,
    pub db: Db,
}

impl AuditScope {
    pub fn tenant_id(&self) -> Option<i64> {
        self.tenant_id
    }
}

/// Proof that the actor is a platform operator.
#[derive(Debug, Clone)]
pub struct OperatorScope {
    pub actor: Actor,
    pub db: Db,
}

/// The actor of the current request, or `Unauthenticated`.
pub async fn current_actor() -> Result<(AppState, Actor), AppError> {
    let state = state()?;
    // The partner API: the caller is an API key, whatever cookies come along.
    if let Some(secret) = request::api_secret() {
        let actor = key_actor(&state, &secret?).await?;
        return Ok((state, actor));
    }
    let token = request::session_token().ok_or(AppError::Unauthenticated)?;
    let session = store::resolve(&state.db, &state.security, &token).await?.ok_or(AppError::Unauthenticated)?;
    let client_addr = request::client_addr(&state.security);
    let mut actor = load_actor(&state.db, &session, client_addr).await?;
    if let Some(token) = request::impersonation_token() {
        match impersonation_check::check(&state, &actor, &token).await? {
            Some(impersonation) => actor = actor.impersonating(impersonation),
            // Ended, expired or not this session's: the browser may forget it.
            None => request::clear_impersonation_cookie(state.security.secure_cookies),
        }
    }
    Ok((state, actor))
}

/// The actor an API key's secret stands for, counted against the key's rate limit. A key
/// unknown, revoked or expired, or whose creator no longer works in its partner, is
/// `Unauthenticated`; past the limit, `Throttled`.
async fn key_actor(state: &AppState, secret: &str) -> Result<Actor, AppError> {
    let caller = api_key_caller::resolve(&state.db, secret).await?.ok_or(AppError::Unauthenticated)?;
    let rate = api_key_caller::count_request(&state.db, caller.key.id, state.security.api_rate_limit).await?;
    Ok(Actor {
        // A key has no session: nothing that works on one is reachable from the API.
        session_id: 0,
        person_id: caller.created_by,
        email: caller.creator_email,
        full_name: caller.key.name.clone(),
        theme: Default::default(),
        is_operator: false,
        partner_roles: Vec::new(),
        // An account key works in no partner's space.
        active_tenant: caller.key.customer_id.is_none().then_some(caller.tenant),
        permissions: caller.permissions,
        role_name: Some("API key".to_string()),
        client_addr: request::client_addr(&state.security),
        impersonation: None,
        api_key: Some(ApiKeyRef { rate: Some(rate), ..caller.key }),
    })
}

/// Refuses while the caller views a customer account as its users do: nothing that changes a
/// person's password, email or sessions may happen then, even through a link.
pub async fn refuse_while_impersonating() -> Result<(), AppError> {
    if request::impersonation_token().is_none() {
        return Ok(());
    }
    match current_actor().await {
        Ok((_, actor)) if actor.impersonation.is_some() => Err(AppError::forbidden(WHILE_IMPERSONATING)),
        _ => Ok(()),
    }
}

/// Checks that the signed-in actor holds `permission` in their active tenant.
pub async fn authorize(permission: Permission) -> Result<TenantScope, AppError> {
    let (state, actor) = current_actor().await?;
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden(WHILE_IMPERSONATING));
    }
    let tenant = actor.active_tenant.clone().ok_or_else(|| AppError::forbidden("you have no partner workspace"))?;
    if !actor.permissions.contains(&permission) {
        return Err(AppError::forbidden(match actor.api_key {
            Some(_) => format!("this API key does not hold {permission}"),
            None => format!("your role does not include {permission}"),
        }));
    }
    Ok(TenantScope { tenant_id: tenant.id, actor, db: state.db })
}

/// Who may read the audit log, and how much of it: operators all of it, staff with
/// `audit.view` their active partner's.
pub async fn authorize_audit() -> Result<AuditScope, AppError> {
    let (state, actor) = current_actor().await?;
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden(WHILE_IMPERSONATING));
    }
    if actor.is_operator {
        return Ok(AuditScope { tenant_id: None, actor, db: state.db });
    }
    let tenant = actor.active_tenant.clone().ok_or_else(|| AppError::forbidden("you have no partner workspace"))?;
    if !actor.permissions.contains(&Permission::AuditView) {
        return Err(AppError::forbidden(format!("your role does not include {}", Permission::AuditView)));
    }
    Ok(AuditScope { tenant_id: Some(tenant.id), actor, db: state.db })
}

/// [`authorize`] for a plain HTTP route (a download) rather than a server function: the same
/// check, given the request and the state that Leptos would otherwise provide.
pub async fn authorize_request(
    state: &AppState,
    parts: http::request::Parts,
    permission: Permission,
) -> Result<TenantScope, AppError> {
    with_request(state, parts, authorize(permission)).await
}

/// Runs `check` (any of the `authorize…` functions) for a plain HTTP route, with the request
/// and the state that Leptos provides to server functions. A download is a GET, which the
/// cross-origin check of writes lets through and `SameSite=Lax` cookies accompany on a top-level
/// navigation: one that another site started (`Sec-Fetch-Site` `cross-site` or `same-site`) is
/// refused here, so no page elsewhere can make a signed-in person's browser export (and audit)
/// anything. Our own pages (`same-origin`), a typed address or bookmark (`none`) and clients that
/// are not browsers (no header, and no victim's cookies) pass.
pub async fn with_request<T>(
    state: &AppState,
    parts: http::request::Parts,
    check: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let site = parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, Some("cross-site" | "same-site")) {
        return Err(AppError::forbidden("downloads open only from Clientele's own pages"));
    }
    in_request(state, parts, check).await
}

/// Runs `check` (any of the `authorize…` functions, or work that calls them) with the request and
/// the state that Leptos provides to server functions: for the partner API's routes, whose
/// callers are API keys (`request::api_secret`), never a browser's cookies.
pub async fn in_request<T>(
    state: &AppState,
    parts: http::request::Parts,
    check: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    use leptos::prelude::{provide_context, Owner};
    let owner = Owner::new();
    owner.with(|| {
        provide_context(state.clone());
        provide_context(parts);
    });
    owner.with(|| leptos::reactive::computed::ScopedFuture::new(check)).await
}

pub async fn authorize_operator() -> Result<OperatorScope, AppError> {
    let (state, actor) = current_actor().await?;
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden(WHILE_IMPERSONATING));
    }
    if !actor.is_operator {
        return Err(AppError::forbidden("only platform operators may do this"));
    }
    Ok(OperatorScope { actor, db: state.db })
}

/// Checks that the signed-in actor is a user of `customer_id`, directly or through a network it
/// belongs to (up to `MAX_NETWORK_LEVELS` up), and that every account on that path is active.
/// Anything else is "not found": a customer user learns nothing about other accounts.
pub async fn authorize_account(customer_id: i64) -> Result<AccountScope, AppError> {
    let (state, actor) = current_actor().await?;
    // An account key reaches its own account and nothing else, not even its sub-accounts.
    if actor.api_key.as_ref().is_some_and(|key| key.customer_id != Some(customer_id)) {
        return Err(AppError::not_found("no such customer account"));
    }
    // Loaded here rather than for every request: only the portal needs them.
    let accounts = portal_accounts(&state.db, &actor).await?;
    let Some(via) = reachable_through(&state.db, &accounts, customer_id).await? else {
        return Err(AppError::not_found("no such customer account"));
    };
    let (tenant_id, role) = (via.tenant_id, via.role);
    Ok(AccountScope { tenant_id, customer_id, role, actor, db: state.db, accounts })
}

/// For the partner API's `/account` routes: the account an account key was made for, checked as
/// [`authorize_account`] checks its owner (active, and still theirs). A partner key is refused; a
/// key whose account was disabled or whose creator no longer owns it is no longer valid.
pub async fn authorize_key_account() -> Result<AccountScope, AppError> {
    let (_, actor) = current_actor().await?;
    let Some(customer_id) = actor.api_key.as_ref().and_then(|key| key.customer_id) else {
        return Err(AppError::forbidden(
            "only an account key (made by an account's owner in the portal) opens /account",
        ));
    };
    match authorize_account(customer_id).await {
        Err(AppError::NotFound(_)) => Err(AppError::Unauthenticated),
        other => other,
    }
}

/// The membership through which a person may open `customer_id`: their own, or one on a
/// network above it (every account on the way active, at most `MAX_NETWORK_LEVELS` up).
pub async fn reachable_through<'a>(
    db: &Db,
    accounts: &'a [PortalAccountRef],
    customer_id: i64,
) -> Result<Option<&'a PortalAccountRef>, AppError> {
    let mut current = Some(customer_id);
    for _ in 0..crate::types::customer_records::MAX_NETWORK_LEVELS {
        let Some(id) = current else { break };
        if let Some(account) = accounts.iter().find(|a| a.customer_id == id) {
            return Ok(Some(account));
        }
        let row = sqlx::query("SELECT parent_id, status FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
        let Some(row) = row else { break };
        if row.try_get::<String, _>("status")? != "active" {
            break;
        }
        current = row.try_get("parent_id")?;
    }
    Ok(None)
}

/// Makes `tenant_id` the session's working tenant, if the actor may work there.
pub async fn switch_tenant(tenant_id: i64) -> Result<(), AppError> {
    let (state, actor) = current_actor().await?;
    if actor.impersonation.is_some() {
        return Err(AppError::forbidden(WHILE_IMPERSONATING));
    }
    let allowed = if actor.is_operator {
        tenant_exists(&state.db, tenant_id).await?
    } else {
        actor.partner_roles.iter().any(|r| r.tenant.id == tenant_id)
    };
    if !allowed {
        return Err(AppError::forbidden("you cannot work in that partner's space"));
    }
    store::set_active_tenant(&state.db, actor.session_id, tenant_id).await?;
    Ok(())
}

/// What the browser needs to shape its UI.
pub async fn session_info(state: &AppState, actor: &Actor) -> Result<SessionInfo, AppError> {
    let db = &state.db;
    let tenants = if actor.is_operator {
        all_tenants(db).await?
    } else {
        actor.partner_roles.iter().map(|r| r.tenant.clone()).collect()
    };
    Ok(SessionInfo {
        person_name: actor.full_name.clone(),
        email: actor.email.clone(),
        is_operator: actor.is_operator,
        tenant: actor.active_tenant.clone(),
        tenants,
        role_name: actor.role_name.clone(),
        permissions: actor.permissions.iter().copied().collect(),
        accounts: portal_accounts(db, actor).await?,
        impersonation_availability: match &actor.active_tenant {
            Some(tenant) => Some(impersonation_check::availability(db, &state.security, tenant.id).await?),
            None => None,
        },
        impersonation: actor.impersonation.as_ref().map(|a| ImpersonationInfo {
            customer_id: a.customer_id,
            customer_name: a.customer_name.clone(),
            partner_user: actor.full_name.clone(),
            expires_at: a.expires_at,
            seconds_left: (a.expires_at - super::now()).max(0),
            return_to: a.return_to.clone(),
            may_invite: a.may_manage_users,
        }),
        theme: actor.theme,
    })
}

async fn load_actor(db: &Db, session: &store::Session, client_addr: Option<String>) -> Result<Actor, AppError> {
    let person = sqlx::query("SELECT email, full_name, theme, email_verified_at FROM persons WHERE id = $1")
        .bind(session.person_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let memberships = sqlx::query(
        "SELECT m.kind, m.tenant_id, m.role_id, t.name AS tenant_name, r.name AS role_name
         FROM memberships m
         LEFT JOIN tenants t ON t.id = m.tenant_id
         LEFT JOIN roles r ON r.id = m.role_id
         WHERE m.person_id = $1 AND m.state = 'active' AND m.kind IN ('operator', 'partner')
           AND (t.id IS NULL OR t.status = 'active')
           -- A role is the partner's own or built in; a membership naming another's grants nothing.
           AND (m.kind = 'operator' OR r.tenant_id IS NULL OR r.tenant_id = m.tenant_id)
         ORDER BY t.name",
    )
    .bind(session.person_id)
    .fetch_all(&db.pool)
    .await?;
    // Staff rights only for a confirmed email (see `persons.email_verified_at`).
    let confirmed = person.try_get::<Option<i64>, _>("email_verified_at")?.is_some();
    let memberships = if confirmed { memberships } else { Vec::new() };

    let mut is_operator = false;
    let mut partner_roles = Vec::new();
    for m in &memberships {
        match m.try_get::<String, _>("kind")?.as_str() {
            "operator" => is_operator = true,
            _ => partner_roles.push(PartnerRole {
                tenant: TenantRef { id: m.try_get("tenant_id")?, name: m.try_get("tenant_name")?, disabled: false },
                role_id: m.try_get("role_id")?,
                role_name: m.try_get("role_name")?,
            }),
        }
    }

    // The session's tenant if still allowed, else the first one the person belongs to.
    let wanted = session.active_tenant_id;
    let (active_tenant, permissions, role_name) = if is_operator {
        let tenant = match wanted {
            Some(id) => tenant_ref(db, id).await?,
            None => None,
        };
        let tenant = match tenant {
            Some(t) => Some(t),
            None => all_tenants(db).await?.into_iter().next(),
        };
        (tenant, Permission::ALL.into_iter().collect(), Some("Operator".to_string()))
    } else {
        let role = partner_roles.iter().find(|r| Some(r.tenant.id) == wanted).or_else(|| partner_roles.first());
        match role {
            Some(role) => {
                (Some(role.tenant.clone()), role_permissions(db, role.role_id).await?, Some(role.role_name.clone()))
            }
            None => (None, BTreeSet::new(), None),
        }
    };

    Ok(Actor {
        session_id: session.id,
        person_id: session.person_id,
        email: person.try_get("email")?,
        full_name: person.try_get("full_name")?,
        theme: crate::types::my_account::Theme::from_key(person.try_get("theme")?),
        is_operator,
        partner_roles,
        active_tenant,
        permissions,
        role_name,
        client_addr,
        impersonation: None,
        api_key: None,
    })
}

/// The customer accounts a person may open in the portal: their own, or while impersonation, the one
/// account viewed (as its owners see it).
pub(in crate::backend) async fn portal_accounts(db: &Db, actor: &Actor) -> Result<Vec<PortalAccountRef>, AppError> {
    if let Some(impersonation) = &actor.impersonation {
        return Ok(vec![PortalAccountRef {
            customer_id: impersonation.customer_id,
            name: impersonation.customer_name.clone(),
            tenant_id: impersonation.tenant_id,
            tenant_name: impersonation.tenant_name.clone(),
            role: AccountRole::Owner,
        }]);
    }
    let only_owned = match &actor.api_key {
        // A partner's key reaches no portal account, whatever its creator's own accounts are.
        Some(key) if key.customer_id.is_none() => return Ok(Vec::new()),
        // An account key: what its creator owns (its one account is picked in `authorize_account`).
        Some(_) => true,
        None => false,
    };
    let person_id = actor.person_id;
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.tenant_id, t.name AS tenant_name, m.customer_role
         FROM memberships m JOIN customers c ON c.id = m.customer_id JOIN tenants t ON t.id = m.tenant_id
         WHERE m.person_id = $1 AND m.kind = 'customer' AND m.state = 'active' AND c.status = 'active' AND t.status = 'active'
         ORDER BY c.name, c.id",
    )
    .bind(person_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PortalAccountRef {
                customer_id: r.try_get("id")?,
                name: r.try_get("name")?,
                tenant_id: r.try_get("tenant_id")?,
                tenant_name: r.try_get("tenant_name")?,
                role: AccountRole::from_key(&r.try_get::<String, _>("customer_role")?).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map(|accounts| {
            if only_owned {
                accounts.into_iter().filter(|a| a.role == AccountRole::Owner).collect()
            } else {
                accounts
            }
        })
        .map_err(Into::into)
}

async fn role_permissions(db: &Db, role_id: i64) -> Result<BTreeSet<Permission>, AppError> {
    let rows = sqlx::query("SELECT permission FROM role_permissions WHERE role_id = $1")
        .bind(role_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("permission").ok())
        .filter_map(|k| Permission::from_key(&k))
        .collect())
}

async fn tenant_ref(db: &Db, id: i64) -> Result<Option<TenantRef>, AppError> {
    let row =
        sqlx::query("SELECT id, name, status FROM tenants WHERE id = $1").bind(id).fetch_optional(&db.pool).await?;
    Ok(match row {
        Some(r) => Some(tenant_from(&r)?),
        None => None,
    })
}

async fn tenant_exists(db: &Db, id: i64) -> Result<bool, AppError> {
    Ok(tenant_ref(db, id).await?.is_some())
}

async fn all_tenants(db: &Db) -> Result<Vec<TenantRef>, AppError> {
    let rows = sqlx::query("SELECT id, name, status FROM tenants ORDER BY name").fetch_all(&db.pool).await?;
    rows.iter().map(tenant_from).collect()
}

fn tenant_from(r: &sqlx::any::AnyRow) -> Result<TenantRef, AppError> {
    Ok(TenantRef {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        disabled: r.try_get::<String, _>("status")? != "active",
    })
}
