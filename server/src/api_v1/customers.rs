//! `/api/v1/customers`: the customer list (its search, filters and sort, cursor pages, a capped
//! total on request), one customer (read, create, change with `If-Match`, delete), status changes of many
//! at once, and the partner's custom fields. Every handler authorizes through `authz` and calls
//! the same domain functions the UI's server functions do, so the rules are the forms' rules.

// utoipa expands `params(ListParams)` into paths it qualifies fully.
#![allow(unused_qualifications)]

use super::{answer, idempotent, Answer, Problem};
use app::backend::{authorize, customer_records, customers, field_config, AppState};
use app::types::customer_records::detail::CustomerDetail;
use app::types::customer_records::CustomerInput;
use app::types::customers::query::{CustomerQuery, SortField, MAX_SEARCH_CHARS};
use app::types::customers::{CustomerCount, CustomerRow, CustomerStatus, Selection};
use app::types::field_config::{FieldConfig, FieldMode};
use app::types::session::Permission;
use axum::extract::{Path, State};
use axum::response::Response;
use http::{header, request::Parts, StatusCode};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The most customers one status change may name.
pub const MAX_STATUS_IDS: usize = 1000;
pub const MAX_LIMIT: u32 = 100;
pub const DEFAULT_LIMIT: u32 = 25;

/// `active` or `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Disabled,
}

impl From<CustomerStatus> for Status {
    fn from(status: CustomerStatus) -> Self {
        match status {
            CustomerStatus::Active => Self::Active,
            CustomerStatus::Disabled => Self::Disabled,
        }
    }
}

impl From<Status> for CustomerStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Active => Self::Active,
            Status::Disabled => Self::Disabled,
        }
    }
}

/// A customer as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummary {
    pub id: i64,
    pub name: String,
    pub status: Status,
    /// First and last name of the contact person.
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The network (customer id) this is a sub-account of.
    pub parent_id: Option<i64>,
    /// Whether it has sub-accounts.
    pub is_network: bool,
    /// Unix seconds, UTC.
    pub created_at: i64,
}

impl From<CustomerRow> for CustomerSummary {
    fn from(row: CustomerRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            status: row.status.into(),
            contact_name: row.contact_name,
            contact_email: row.contact_email,
            city: row.city,
            country: row.country,
            parent_id: row.network_id,
            is_network: row.is_network,
            created_at: row.created_at,
        }
    }
}

/// One page of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub data: Vec<CustomerSummary>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the page before; null on the first.
    pub prev_cursor: Option<String>,
    /// How many customers match, counted up to 10,000 (1,000 for a search); null unless the
    /// request asked with `include_total=true`.
    pub total: Option<u64>,
    /// False when `total` is a floor ("10,000 or more"); null with `total`.
    pub total_is_exact: Option<bool>,
}

/// One customer, everything the form holds. Text fields the customer has no value for are "".
#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    /// Changes with every edit; send it as `If-Match` to change only this version (also the `ETag`).
    pub version: i64,
    pub status: Status,
    pub name: String,
    pub street: String,
    pub suite: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub contact_email: String,
    pub phone_primary: String,
    pub phone_secondary: String,
    pub workflow: String,
    pub parent_id: Option<i64>,
    /// Custom field key → value (yes/no fields "yes"/"no", dates YYYY-MM-DD).
    pub custom: BTreeMap<String, String>,
    pub sub_account_count: u64,
    pub user_count: u64,
    /// Unix seconds, UTC.
    pub created_at: i64,
    pub updated_at: i64,
    pub status_changed_at: Option<i64>,
}

impl From<CustomerDetail> for Customer {
    fn from(detail: CustomerDetail) -> Self {
        let v = detail.stored.values;
        Self {
            id: detail.stored.id,
            version: detail.stored.version,
            status: detail.status.into(),
            name: v.name,
            street: v.street,
            suite: v.suite,
            city: v.city,
            state_province: v.state_province,
            postal_code: v.postal_code,
            country: v.country,
            contact_first_name: v.contact_first_name,
            contact_last_name: v.contact_last_name,
            contact_email: v.contact_email,
            phone_primary: v.phone_primary,
            phone_secondary: v.phone_secondary,
            workflow: v.workflow,
            parent_id: v.parent_id,
            custom: v.custom,
            sub_account_count: detail.sub_account_count,
            user_count: detail.user_count,
            created_at: detail.created.at,
            updated_at: detail.updated.at,
            status_changed_at: detail.status_changed.map(|s| s.at),
        }
    }
}

/// What a create or change sends. A field left out keeps its value (a new customer: empty); ""
/// clears it. The partner's field settings apply as in the form: required fields must have a
/// value, hidden ones are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerWrite {
    /// Required when creating.
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub street: Option<String>,
    pub suite: Option<String>,
    pub city: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, or "".
    #[schema(pattern = "^([A-Za-z]{2})?$")]
    pub country: Option<String>,
    pub contact_first_name: Option<String>,
    pub contact_last_name: Option<String>,
    pub contact_email: Option<String>,
    pub phone_primary: Option<String>,
    pub phone_secondary: Option<String>,
    /// One of the partner's workflows.
    pub workflow: Option<String>,
    /// The network to put it in; null takes it out of its network.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// Custom field key → value; null or "" clears a value. Keys left out keep theirs.
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub custom: Option<BTreeMap<String, Option<String>>>,
    /// Save even though another customer has the same name (else 409 `duplicate_name`).
    #[serde(default)]
    pub allow_duplicate_name: bool,
}

/// A field that is present, even as null, is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl CustomerWrite {
    /// `self` laid over `base`; custom keys the partner does not have are refused.
    fn apply(self, mut base: CustomerInput, config: &FieldConfig) -> Result<(CustomerInput, bool), Problem> {
        let texts = [
            (self.name, &mut base.name),
            (self.street, &mut base.street),
            (self.suite, &mut base.suite),
            (self.city, &mut base.city),
            (self.state_province, &mut base.state_province),
            (self.postal_code, &mut base.postal_code),
            (self.country, &mut base.country),
            (self.contact_first_name, &mut base.contact_first_name),
            (self.contact_last_name, &mut base.contact_last_name),
            (self.contact_email, &mut base.contact_email),
            (self.phone_primary, &mut base.phone_primary),
            (self.phone_secondary, &mut base.phone_secondary),
            (self.workflow, &mut base.workflow),
        ];
        for (value, slot) in texts {
            if let Some(value) = value {
                *slot = value;
            }
        }
        if let Some(parent) = self.parent_id {
            base.parent_id = parent;
        }
        let mut unknown = BTreeMap::new();
        for (key, value) in self.custom.unwrap_or_default() {
            if !config.custom_fields.iter().any(|f| f.key == key) {
                unknown.insert(format!("custom.{key}"), "This partner has no custom field with this key.".to_string());
                continue;
            }
            match value.filter(|v| !v.is_empty()) {
                Some(value) => base.custom.insert(key, value),
                None => base.custom.remove(&key),
            };
        }
        if !unknown.is_empty() {
            let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Some fields need attention.");
            problem.errors = unknown;
            return Err(problem);
        }
        Ok((base, self.allow_duplicate_name))
    }
}

/// A write's failure; the form's `network` field is `parent_id` here.
fn write_problem(error: app::AppError) -> Problem {
    let mut problem = Problem::from(error);
    if let Some(message) = problem.errors.remove("network") {
        problem.errors.insert("parent_id".to_string(), message);
    }
    problem
}

fn parse_body(body: &[u8]) -> Result<CustomerWrite, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::bad_request(format!("The body is not a customer as JSON: {e}.")))
}

/// The id in the path; anything but a positive number names no customer.
pub(super) fn customer_id(id: &str) -> Result<i64, Problem> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "not_found", "Not found: no such customer."))
}

fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The list's query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; `list_query` reads them, strictly
pub struct ListParams {
    /// Search in name, contact, email, phones and city: every word must match.
    #[param(max_length = 100)]
    q: Option<String>,
    status: Option<Status>,
    /// ISO 3166-1 alpha-2 codes, comma-separated: any of them.
    #[param(pattern = "^[A-Za-z]{2}(,[A-Za-z]{2})*$")]
    country: Option<String>,
    #[param(min_length = 1, max_length = 100)]
    city: Option<String>,
    /// Sub-accounts of this network (customer id).
    #[param(minimum = 1)]
    network: Option<i64>,
    #[param(min_length = 1, max_length = 100)]
    workflow: Option<String>,
    /// Created on or after, YYYY-MM-DD (UTC).
    #[param(format = Date)]
    from: Option<String>,
    /// Created on or before, YYYY-MM-DD (UTC).
    #[param(format = Date)]
    to: Option<String>,
    /// `name` (default), `country`, `city`, `status` or `created`.
    #[param(pattern = "^(name|country|city|status|created)$")]
    sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(pattern = "^(asc|desc)$")]
    dir: Option<String>,
    /// 1 to 100, default 25.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// `next_cursor` or `prev_cursor` of a page before.
    cursor: Option<String>,
    /// `true` to have `total` counted. Counting reads up to 10,001 matches, which can cost more
    /// than the page itself: ask when you show it (default `false`).
    include_total: Option<bool>,
}

/// A list request: the list's own query, and whether to count its matches.
struct ListRequest {
    query: CustomerQuery,
    include_total: bool,
}

/// Reads the list's query strictly: an unknown parameter or a malformed value is a 400 that
/// names it (the UI's parser drops them instead; a program should hear about its mistakes).
/// Custom fields filter as `f.<key>=<value>`.
fn list_query(query: &str) -> Result<ListRequest, Problem> {
    let mut errors = BTreeMap::new();
    let mut pairs = Vec::new();
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    let mut include_total = false;
    for (key, value) in form_urlencoded_pairs(query) {
        let problem = match key.as_str() {
            "q" => {
                (value.chars().count() > MAX_SEARCH_CHARS).then(|| format!("At most {MAX_SEARCH_CHARS} characters."))
            }
            "status" => CustomerStatus::from_key(&value).is_none().then(|| "`active` or `disabled`.".to_string()),
            "country" => value
                .split(',')
                .map(str::trim)
                .find(|c| app::countries::name(&c.to_ascii_uppercase()).is_none())
                .map(|c| format!("`{c}` is not an ISO 3166-1 alpha-2 country code.")),
            "city" | "workflow" => {
                (value.trim().is_empty() || value.chars().count() > 100).then(|| "1 to 100 characters.".to_string())
            }
            "network" => value.parse::<i64>().ok().filter(|id| *id > 0).is_none().then(|| "A customer id.".to_string()),
            "from" | "to" => {
                app::types::forms::parse_date(value.trim()).is_none().then(|| "A date, YYYY-MM-DD.".to_string())
            }
            "sort" => SortField::from_key(&value)
                .is_none()
                .then(|| "`name`, `country`, `city`, `status` or `created`.".to_string()),
            "dir" => (!matches!(value.as_str(), "asc" | "desc")).then(|| "`asc` or `desc`.".to_string()),
            "limit" => match value.parse::<u32>() {
                Ok(n @ 1..=MAX_LIMIT) => {
                    limit = n;
                    None
                }
                _ => Some(format!("A number from 1 to {MAX_LIMIT}.")),
            },
            "cursor" => match decode_cursor(&value) {
                Some(pair) => {
                    cursor = Some(pair);
                    None
                }
                None => Some("Not a cursor this API gave out.".to_string()),
            },
            "include_total" => match value.as_str() {
                "true" | "false" => {
                    include_total = value == "true";
                    None
                }
                _ => Some("`true` or `false`.".to_string()),
            },
            field if field.starts_with("f.") => app::types::field_config::check_custom_key(&field[2..])
                .map(|_| "Not a custom field key.".to_string())
                .or_else(|| value.trim().is_empty().then(|| "A value to match.".to_string())),
            other => Some(format!("Unknown parameter `{other}`.")),
        };
        match problem {
            Some(problem) => {
                errors.insert(key, problem);
            }
            None if !matches!(key.as_str(), "limit" | "cursor" | "include_total") => pairs.push((key, value)),
            None => {}
        }
    }
    if !errors.is_empty() {
        let mut problem = Problem::bad_request("Some query parameters are not right.");
        problem.errors = errors;
        return Err(problem);
    }
    pairs.extend(cursor);
    let mut query = CustomerQuery::from_pairs(pairs);
    query.page_size = limit;
    Ok(ListRequest { query, include_total })
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// A cursor is the list's own page key (`after`/`before` and `key~id`), hex-encoded so it
/// travels in a URL as it is.
fn encode_cursor(before: bool, token: &str) -> String {
    hex::encode(format!("{}{token}", if before { 'b' } else { 'a' }))
}

fn decode_cursor(cursor: &str) -> Option<(String, String)> {
    let text = String::from_utf8(hex::decode(cursor).ok()?).ok()?;
    let (direction, token) = text.split_at_checked(1)?;
    let key = match direction {
        "a" => "after",
        "b" => "before",
        _ => return None,
    };
    token.rsplit_once('~').filter(|(_, id)| id.parse::<i64>().is_ok())?;
    Some((key.to_string(), token.to_string()))
}

/// The customer list, filtered, sorted and paged by cursor.
#[utoipa::path(
    get, path = "/customers", tag = "customers", operation_id = "list_customers",
    params(ListParams),
    responses(
        (status = 200, description = "One page of customers", body = CustomerList),
        (status = 400, description = "A query parameter is not right", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.view", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, parts: Parts) -> Response {
    let query = parts.uri.query().unwrap_or_default().to_string();
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersView).await?;
        let ListRequest { query: q, include_total } = list_query(&query)?;
        // The page and its count on two connections at once: the answer waits for the slower.
        let counted = async {
            match include_total {
                true => customers::count(&scope, &q).await.map(Some),
                false => Ok(None),
            }
        };
        let (page, count) = tokio::try_join!(customers::list(&scope, &q), counted)?;
        let (total, total_is_exact) = match count {
            None => (None, None),
            Some(CustomerCount::Exact(n)) => (Some(n), Some(true)),
            Some(CustomerCount::AtLeast(n)) => (Some(n), Some(false)),
        };
        let body = CustomerList {
            next_cursor: page.next.as_ref().map(|c| encode_cursor(false, &c.token())),
            prev_cursor: page.prev.as_ref().map(|c| encode_cursor(true, &c.token())),
            data: page.rows.into_iter().map(CustomerSummary::from).collect(),
            total,
            total_is_exact,
        };
        Ok(Answer::ok(&scope, &body)?)
    })
    .await
}

/// One customer.
#[utoipa::path(
    get, path = "/customers/{id}", tag = "customers", operation_id = "get_customer",
    params(("id" = i64, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer; its version is also the ETag", body = Customer),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.view", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Response {
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersView).await?;
        let customer = Customer::from(customer_records::detail(&scope, customer_id(&id)?).await?);
        Ok(Answer::ok(&scope, &customer)?.header(header::ETAG, etag(customer.version)))
    })
    .await
}

/// Creates a customer. Send an `Idempotency-Key` to make retrying safe.
#[utoipa::path(
    post, path = "/customers", tag = "customers", operation_id = "create_customer",
    request_body = CustomerWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer again (24 hours)")),
    responses(
        (status = 201, description = "Created", body = Customer),
        (status = 400, description = "The body is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.create", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another customer has this name (`duplicate_name`), or the same Idempotency-Key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors, as the form shows them; or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(State(state): State<AppState>, parts: Parts, body: axum::body::Bytes) -> Response {
    let for_idempotency = parts.clone();
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersCreate).await?;
        idempotent(&scope, &for_idempotency, &body, async {
            let write = parse_body(&body)?;
            let config = field_config::for_tenant(&scope).await?;
            let (input, allow_duplicate_name) = write.apply(CustomerInput::default(), &config)?;
            let id = customer_records::create(&scope, &input, allow_duplicate_name).await.map_err(write_problem)?;
            let customer = Customer::from(customer_records::detail(&scope, id).await?);
            Ok(Answer::new(&scope, StatusCode::CREATED, &customer)?
                .header(header::LOCATION, format!("/api/v1/customers/{id}"))
                .header(header::ETAG, etag(customer.version)))
        })
        .await
    })
    .await
}

/// The version an `If-Match` names: `"3"`, `W/"3"` or `3`.
fn if_match(parts: &Parts) -> Result<Option<i64>, Problem> {
    let Some(value) = parts.headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse()
        .map(Some)
        .map_err(|_| Problem::bad_request("If-Match must be a customer's version as its ETag gives it, e.g. \"3\"."))
}

/// Changes a customer: the fields sent, the rest as they are. With `If-Match`, only if it is
/// still that version (else 412 and nothing changes).
#[utoipa::path(
    patch, path = "/customers/{id}", tag = "customers", operation_id = "update_customer",
    request_body = CustomerWrite,
    params(
        ("id" = i64, Path, description = "The customer's id"),
        ("If-Match" = Option<String>, Header, description = "The version (ETag) the change is made on"),
    ),
    responses(
        (status = 200, description = "Changed", body = Customer),
        (status = 400, description = "The body is not JSON of this shape, or If-Match is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another customer has this name (`duplicate_name`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The customer is no longer the version in If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors, as the form shows them", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
    body: axum::body::Bytes,
) -> Response {
    let expected = if_match(&parts);
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersEdit).await?;
        let id = customer_id(&id)?;
        let expected = expected?;
        let write = parse_body(&body)?;
        let form = customer_records::form(&scope, Some(id)).await?;
        let current = form.current.ok_or_else(|| Problem::from(app::AppError::not_found("no such customer")))?;
        if let Some(version) = expected.filter(|v| *v != current.version) {
            let mut problem = Problem::from(app::AppError::Conflict(Box::new(current)));
            problem.detail = format!(
                "The customer is at version {}, not {version}: read it again and re-apply your change.",
                problem.current_version.unwrap_or_default()
            );
            return Err(problem);
        }
        let (input, allow_duplicate_name) = write.apply(current.values.clone(), &form.config)?;
        customer_records::update(&scope, id, current.version, &input, allow_duplicate_name)
            .await
            .map_err(write_problem)?;
        let customer = Customer::from(customer_records::detail(&scope, id).await?);
        Ok(Answer::ok(&scope, &customer)?.header(header::ETAG, etag(customer.version)))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// A network is deleted with its sub-accounts only when this is `true` (else 409).
    #[serde(default)]
    with_sub_accounts: bool,
}

/// Deletes a customer for good, with its custom values and its users' access.
#[utoipa::path(
    delete, path = "/customers/{id}", tag = "customers", operation_id = "delete_customer",
    params(("id" = i64, Path, description = "The customer's id"), DeleteParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Too many sub-accounts to delete at once, or a malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is a network with sub-accounts and with_sub_accounts is not true", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Response {
    let params = axum::extract::Query::<DeleteParams>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .map_err(|_| Problem::bad_request("with_sub_accounts must be true or false."));
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersDelete).await?;
        let id = customer_id(&id)?;
        let params = params?;
        let impact = customer_records::delete_impact(&scope, id).await?;
        if !impact.sub_accounts.is_empty() && !params.with_sub_accounts {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "{} is a network with {} sub-accounts; send with_sub_accounts=true to delete them with it.",
                    impact.name,
                    impact.sub_accounts.len()
                ),
            ));
        }
        customer_records::delete(&scope, id, &impact.name).await?;
        Ok(Answer::no_content(&scope))
    })
    .await
}

/// A status change of one or many customers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusWrite {
    /// 1 to 1000 customer ids; all of them change, or (one unknown) none.
    #[schema(min_items = 1, max_items = 1000)]
    pub ids: Vec<i64>,
    pub status: Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOutcome {
    pub status: Status,
    /// Customers whose status changed.
    pub changed: u64,
    /// Customers that already had it.
    pub unchanged: u64,
}

/// Activates or disables customers, all or nothing. Disabling ends their users' sessions and
/// their access through the portal and the integration.
#[utoipa::path(
    post, path = "/customers/status", tag = "customers", operation_id = "set_customers_status",
    request_body = StatusWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer again (24 hours)")),
    responses(
        (status = 200, description = "Changed", body = StatusOutcome),
        (status = 400, description = "The body is not right", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.disable", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An id names no customer of the partner: nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No ids, or more than 1000", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_status(State(state): State<AppState>, parts: Parts, body: axum::body::Bytes) -> Response {
    let for_idempotency = parts.clone();
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersDisable).await?;
        idempotent(&scope, &for_idempotency, &body, async {
            let write: StatusWrite = serde_json::from_slice(&body).map_err(|e| {
                Problem::bad_request(format!(
                    "The body must be {{\"ids\": [..], \"status\": \"active\"|\"disabled\"}}: {e}."
                ))
            })?;
            if write.ids.is_empty() || write.ids.len() > MAX_STATUS_IDS {
                return Err(Problem::invalid("ids", format!("Between 1 and {MAX_STATUS_IDS} customer ids.")));
            }
            let change = customers::set_status(&scope, &Selection::Ids(write.ids), write.status.into()).await?;
            let outcome =
                StatusOutcome { status: change.status.into(), changed: change.changed, unchanged: change.unchanged };
            Ok(Answer::ok(&scope, &outcome)?)
        })
        .await
    })
    .await
}

/// How the partner's form treats one field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldSchema {
    /// The key a customer's value goes under: built-in fields by name, custom ones in `custom`.
    pub key: String,
    pub label: String,
    /// `text`, `number`, `date`, `yes_no` or `choice` (custom); `text` for built-in fields.
    pub kind: String,
    /// `required`, `optional` or `hidden` (hidden fields are ignored when sent).
    pub mode: String,
    pub custom: bool,
    /// The allowed values of a `choice` field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldsSchema {
    pub fields: Vec<FieldSchema>,
    /// The partner's workflows (the values `workflow` may take).
    pub workflows: Vec<String>,
}

/// The partner's customer form: which fields it has, which are required or hidden, its
/// custom fields and their types.
#[utoipa::path(
    get, path = "/custom-fields", tag = "customers", operation_id = "get_customer_fields",
    responses(
        (status = 200, description = "The partner's fields", body = FieldsSchema),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.view", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn custom_fields(State(state): State<AppState>, parts: Parts) -> Response {
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersView).await?;
        let config = field_config::for_tenant(&scope).await?;
        let mode_key = |mode: FieldMode| mode.key().to_string();
        let name = FieldSchema {
            key: "name".to_string(),
            label: "Name".to_string(),
            kind: "text".to_string(),
            mode: "required".to_string(),
            custom: false,
            options: Vec::new(),
        };
        let mut fields: Vec<FieldSchema> = std::iter::once(name)
            .chain(app::types::field_config::BuiltinField::ALL.into_iter().map(|field| FieldSchema {
                key: if field == app::types::field_config::BuiltinField::Network {
                    "parent_id".to_string()
                } else {
                    field.key().to_string()
                },
                label: field.label().to_string(),
                kind: "text".to_string(),
                mode: mode_key(config.mode(field)),
                custom: false,
                options: Vec::new(),
            }))
            .collect();
        fields.extend(config.custom_fields.iter().map(|f| FieldSchema {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: f.kind.key().to_string(),
            mode: if f.required { "required" } else { "optional" }.to_string(),
            custom: true,
            options: f.options.clone(),
        }));
        Ok(Answer::ok(&scope, &FieldsSchema { fields, workflows: config.workflows.clone() })?)
    })
    .await
}

/// "Add network account": a new network takes the customer's place in the tree, with the
/// customer inside it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkWrite {
    /// The new network's name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// A network just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Network {
    pub id: i64,
    pub name: String,
}

/// Puts the customer into a new network of the given name, where the customer was (its
/// sub-accounts list: `GET /customers?network={id}`; a new sub-account: create with `parent_id`).
#[utoipa::path(
    post, path = "/customers/{id}/network", tag = "customers", operation_id = "add_network",
    request_body = NetworkWrite,
    params(
        ("id" = i64, Path, description = "The customer to put in the new network"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer again (24 hours)"),
    ),
    responses(
        (status = 201, description = "The network, with the customer in it", body = Network),
        (status = 400, description = "The body is not right", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key does not hold customers.create", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer (or another partner's)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name is taken or not right, or the tree would grow too deep", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests this minute", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_network(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
    body: axum::body::Bytes,
) -> Response {
    let for_idempotency = parts.clone();
    answer(&state, parts, async move {
        let scope = authorize(Permission::CustomersCreate).await?;
        idempotent(&scope, &for_idempotency, &body, async {
            let customer = customer_id(&id)?;
            let write: NetworkWrite = serde_json::from_slice(&body)
                .map_err(|e| Problem::bad_request(format!("The body must be {{\"name\": \"…\"}}: {e}.")))?;
            let network = customer_records::add_network(&scope, customer, &write.name).await?;
            Ok(Answer::new(&scope, StatusCode::CREATED, &Network { id: network.id, name: network.name })?)
        })
        .await
    })
    .await
}
