use clap::Parser;
use server::Config;
use std::net::SocketAddr;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let config = Config::parse();
    if let Some(command) = &config.command {
        // The message as an operator should read it (not the error's debug form).
        if let Err(error) = server::run_command(&config, command).await {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
        return Ok(());
    }
    let state = server::prepare_state(&config).await?;
    tracing::info!(database = ?state.db.kind, "database ready");
    // Custom-field removals a crash or restart interrupted go on where they stopped.
    tokio::spawn(server::resume_unfinished_work(state.db.clone()));
    tokio::spawn(server::webhook_sender::run(
        state.db.clone(),
        state.security.webhook_allow_private,
        state.mail.clone(),
    ));
    if config.statistics_minutes > 0 {
        tokio::spawn(server::keep_statistics_current(
            state.db.clone(),
            std::time::Duration::from_secs(config.statistics_minutes * 60),
        ));
    }
    let app = server::router(state);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Finishes in-flight requests on Ctrl-C or SIGTERM before exiting.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
