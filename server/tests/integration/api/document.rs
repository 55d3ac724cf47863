//! The published OpenAPI document: generated from the handlers, served at
//! `/api/v1/openapi.json` without a key, and equal to the committed `docs/openapi.json`, so any
//! change to the API shows in review. `UPDATE_OPENAPI=1` rewrites the file instead of failing.

use crate::common::TestApp;
use http::StatusCode;

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

async fn the_served_document_is_openapi_3_1_and_the_committed_one(app: TestApp) {
    let mut anyone = app.client_from("10.7.3.1");
    let res = anyone.api("GET", "/api/v1/openapi.json", None, None, &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.headers["content-type"], "application/json");
    let document = res.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    assert_eq!(document["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");

    // The page for people: drawn from the same document, no script, its own strict policy.
    let page = anyone.api("GET", "/api/v1/reference", None, None, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.headers["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert!(page.body.contains("id=\"list_customers\"") && !page.body.contains("<script"));
    let css = anyone.api("GET", "/api/v1/reference.css", None, None, &[]).await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");

    let served = format!("{}\n", res.body.trim_end());
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &served).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == served,
        "docs/openapi.json differs from the API the code serves: run `UPDATE_OPENAPI=1 cargo test -p server --test integration api::document` and review the change"
    );
}

// The document does not depend on the database: once is enough.
mod sqlite {
    #[test]
    fn the_served_document_is_openapi_3_1_and_the_committed_one() {
        crate::common::run(async {
            super::the_served_document_is_openapi_3_1_and_the_committed_one(crate::common::TestApp::sqlite().await)
                .await
        })
    }
}
