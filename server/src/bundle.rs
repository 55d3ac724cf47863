//! The browser bundle under `/pkg`: the WASM, its JavaScript glue and the stylesheet.
//!
//! A release build (`cargo xtask build --release`) names each
//! file after its content (`clientele.<hash>.wasm`) and writes brotli and gzip copies beside it.
//! Those are served as they are, to browsers that accept them, and may be cached for a year:
//! a new build has new names. Files without a hash in their name (development builds) must be
//! revalidated on every use instead, or a browser would keep running yesterday's bundle.

use axum::routing::MethodRouter;
use http::{header, HeaderValue};
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Long-lived caching for content-named files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Revalidation (by Last-Modified) before every use.
pub const REVALIDATE: &str = "no-cache";

pub fn service(options: &LeptosOptions) -> MethodRouter {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files { IMMUTABLE } else { REVALIDATE };
    axum::routing::get_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
}

/// The file that `cargo xtask build --release` writes beside the server binary when it names the
/// bundle's files by their content; the server serves hashed names exactly when it exists.
pub fn hash_file() -> Option<std::path::PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.exists().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http::Request;
    use tower::ServiceExt;

    /// A site root with one bundle file and its brotli copy.
    fn site(name: &str, hashed: bool) -> LeptosOptions {
        let root = std::env::temp_dir().join(format!("clientele-bundle-{name}-{}", std::process::id()));
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("pkg/clientele.wasm"), b"raw wasm").unwrap();
        std::fs::write(root.join("pkg/clientele.wasm.br"), b"brotli wasm").unwrap();
        LeptosOptions::builder()
            .output_name("clientele")
            .site_root(root.to_str().unwrap())
            .site_pkg_dir("pkg")
            .hash_files(hashed)
            .build()
    }

    async fn fetch(options: &LeptosOptions, accept_encoding: &str) -> (http::HeaderMap, Vec<u8>) {
        let router = axum::Router::new().nest_service("/pkg", service(options));
        let request =
            Request::get("/pkg/clientele.wasm").header(header::ACCEPT_ENCODING, accept_encoding).body(Body::empty());
        let response = router.oneshot(request.unwrap()).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        let headers = response.headers().clone();
        (headers, axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap().to_vec())
    }

    #[tokio::test]
    async fn content_named_files_are_served_precompressed_and_cached_for_a_year() {
        let options = site("hashed", true);
        let (headers, body) = fetch(&options, "gzip, deflate, br").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(body, b"brotli wasm");
        assert_eq!(headers[header::CACHE_CONTROL], IMMUTABLE);
        let (headers, body) = fetch(&options, "identity").await;
        assert!(!headers.contains_key(header::CONTENT_ENCODING));
        assert_eq!(body, b"raw wasm", "a browser without brotli gets the file itself");
    }

    #[tokio::test]
    async fn files_without_a_content_hash_are_revalidated() {
        let (headers, _) = fetch(&site("plain", false), "br").await;
        assert_eq!(headers[header::CACHE_CONTROL], REVALIDATE);
    }
}
