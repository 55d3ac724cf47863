//! The Clientele server: configuration, the axum router around the Leptos app, and the HTTP
//! concerns that sit in front of every request (CSRF origin check, security headers, health).

pub mod api_v1;
pub mod bundle;
pub mod config;
pub mod security;
pub mod webhook_sender;

use app::backend::{AppState, Db};
use axum::{routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

pub use config::Config;

/// Longest time any request may take to start its response.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Builds the whole application for a connected database. Integration tests call this too.
pub fn router(state: AppState) -> Router {
    // Route discovery renders the app once using Leptos' process-wide state; doing it while
    // other requests are being rendered (tests build many routers in parallel) can lose a
    // wake-up and hang a render. So it happens once per process, as it would at start-up.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(app::App)).clone();
    let context_state = state.clone();
    let pages = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/customers/export.csv", get(export_customers))
        .route("/customers/users-export.csv", get(export_customer_users))
        .route("/customers/{id}/export", get(export_account))
        .route("/audit/export.csv", get(export_audit_log))
        .nest("/api/v1", api_v1::router())
        .leptos_routes_with_context(&state, routes, move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        // Pages and server-function answers are compressed as they go out (brotli at level 4
        // or gzip, whichever the browser takes); the bundle is compressed once, at build time.
        .layer(tower_http::compression::CompressionLayer::new());
    Router::new()
        .nest_service("/pkg", bundle::service(&state.leptos_options))
        .merge(pages)
        .layer(axum::middleware::from_fn(security::reject_cross_origin_writes))
        .layer(axum::middleware::from_fn_with_state(state.security.clone(), security::add_security_headers))
        // A response that has not started within this time fails (408) instead of spinning.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        // A bug that panics answers 500 for its own request; the connection and server live on.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The log span of a request: method and path, never the query string (links carry their
/// single-use token there).
fn request_span(request: &http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}

/// The customer list as CSV, streamed (`app::backend::export`).
async fn export_customers(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: http::Request<axum::body::Body>,
) -> axum::response::Response {
    let (parts, _) = request.into_parts();
    app::backend::export::customers_csv(state, parts).await
}

/// The partner's customer users as CSV (`app::backend::export::users`).
async fn export_customer_users(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: http::Request<axum::body::Body>,
) -> axum::response::Response {
    let (parts, _) = request.into_parts();
    app::backend::export::users::download(state, parts).await
}

/// The audit log as the page filters it (`app::backend::audit_log`): `/audit/export.csv?<filter>`.
async fn export_audit_log(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: http::Request<axum::body::Body>,
) -> axum::response::Response {
    let (parts, _) = request.into_parts();
    app::backend::audit::log::download(state, parts).await
}

/// One customer account, everything held about it (`app::backend::export::account`):
/// `/customers/{id}/export?format=json|csv`.
async fn export_account(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: http::Request<axum::body::Body>,
) -> axum::response::Response {
    let json = !request.uri().query().is_some_and(|q| q.contains("format=csv"));
    let (parts, _) = request.into_parts();
    match id.parse::<i64>() {
        Ok(id) => app::backend::export::account::download(state, parts, id, json).await,
        Err(_) => axum::response::IntoResponse::into_response((http::StatusCode::NOT_FOUND, "no such customer")),
    }
}

/// Liveness: 200 while the process serves, whatever the database does (restarting this
/// server would not bring the database back), with the database's state in the body.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> (http::StatusCode, String) {
    let database = match app::backend::health::reads(&state.db).await {
        Ok(()) => "ok".to_string(),
        Err(outage) => outage.describe().to_string(),
    };
    (http::StatusCode::OK, format!("live\ndatabase: {database}\n"))
}

/// Readiness, for load balancers: 200 when the database answers a read and commits a write,
/// else 503 with `Retry-After` and what is wrong. Recovers by itself when the database does.
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match app::backend::health::writes(&state.db).await {
        Ok(()) => (http::StatusCode::OK, "ready\n").into_response(),
        Err(outage) => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            [(http::header::RETRY_AFTER, outage.retry_after_seconds().to_string())],
            format!("not ready: {}\n", outage.describe()),
        )
            .into_response(),
    }
}

/// Finishes work that outlives a request and that a crash or restart may have interrupted:
/// custom-field removals ([`app::backend::field_config::finish_removals`]) and the audit log's
/// pseudonymisations after an erasure or unsubscribe
/// ([`app::backend::erasure::finish_pseudonymisations`]). A failure (the database away) is
/// retried every minute.
pub async fn resume_unfinished_work(db: Db) {
    while let Err(error) = app::backend::field_config::finish_removals(db.clone()).await {
        tracing::warn!(%error, "could not finish the custom-field removals in progress; trying again in a minute");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
    while let Err(error) = app::backend::erasure::finish_pseudonymisations(db.clone()).await {
        tracing::warn!(%error, "could not finish the audit log's pseudonymisations in progress; trying again in a minute");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

/// Refreshes the planner's statistics now and then every `interval` (see
/// [`Db::refresh_statistics`]). A failure is logged and retried at the next tick.
pub async fn keep_statistics_current(db: Db, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        ticks.tick().await;
        let started = std::time::Instant::now();
        match db.refresh_statistics().await {
            Ok(()) => tracing::debug!(elapsed = ?started.elapsed(), "planner statistics refreshed"),
            Err(error) => tracing::warn!(%error, "could not refresh the planner statistics"),
        }
    }
}

/// Runs a command-line task (see [`config::Command`]) and prints its result.
pub async fn run_command(config: &Config, command: &config::Command) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url()).await?;
    match command {
        config::Command::CreateOperator { email, name } => {
            let public_url = config.mail().public_url;
            let (link, expires_at) = app::backend::account_links::create_operator(&db, &public_url, email, name)
                .await
                .map_err(|e| match e {
                    app::AppError::Invalid(fields) => fields.into_values().collect::<Vec<_>>().join(" "),
                    other => other.to_string(),
                })?;
            println!("{email} is an operator. Open this link within 24 hours to choose the password:");
            println!("{link}");
            println!("(expires {})", app::format::format_datetime(expires_at));
        }
        config::Command::Backup { to } => {
            let started = std::time::Instant::now();
            app::backend::backup::write(&db, &config.database_url(), to).await?;
            let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
            println!("Backed up to {} ({bytes} bytes in {:.1} s).", to.display(), started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

/// Connects to the database (running migrations) and seeds demo data when asked.
pub async fn prepare_state(config: &Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let url = config.database_url();
    let db = Db::connect(&url).await?;
    if config.demo {
        use app::backend::seed::{demo, DemoSeed, DEMO_PASSWORD};
        match demo(&db).await? {
            DemoSeed::Seeded => tracing::info!("demo data seeded"),
            DemoSeed::AlreadyPresent => tracing::info!("demo data already present"),
            DemoSeed::RefusedOtherData => {
                return Err("refusing --demo: this database already holds people who are not the demo's. \
                            Demo accounts have a public password; start without --demo."
                    .into())
            }
        }
        tracing::warn!(
            "DEMO MODE: every demo account's password is the public \"{DEMO_PASSWORD}\". Never use --demo for a real instance."
        );
    }
    let mail = config.mail();
    match &mail.smtp {
        Some(smtp) => tracing::info!(host = %smtp.host, port = smtp.port, "email goes out over SMTP"),
        None => tracing::info!("no SMTP server configured: email goes to the development mailbox (Settings → Mailbox)"),
    }
    Ok(AppState { leptos_options: config.leptos_options(), db, security: config.security(), mail })
}
