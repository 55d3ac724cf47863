//! The partner API (`/api/v1`) and its keys: keys made, shown once, capped by their creator and
//! revoked (`keys`); the customer routes (`customers`); every route × permission × another
//! partner's ids (`matrix`); and the published OpenAPI document (`document`).

mod account_keys;
mod customer_users;
mod customers;
mod document;
mod keys;
mod matrix;

use crate::common::{Client, TestResponse};
use serde_json::Value;

/// A GET of the API with `secret`.
pub(crate) async fn get(client: &mut Client<'_>, secret: &str, path: &str) -> TestResponse {
    client.api("GET", path, Some(secret), None, &[]).await
}

/// The problem document's `code`, asserting it is one.
pub(crate) fn problem_code(res: &TestResponse) -> String {
    assert_eq!(
        res.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{res:?}"
    );
    let body: Value = res.json();
    assert_eq!(body["status"].as_u64(), Some(u64::from(res.status.as_u16())), "{res:?}");
    body["code"].as_str().unwrap_or_default().to_string()
}
