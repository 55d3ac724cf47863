//! Command-line flags, each with an environment-variable fallback (`--help` lists them).

use app::backend::SecurityConfig;
use clap::Parser;
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug, Clone)]
#[command(name = "clientele", version, about = "Clientele: the customer-account portal for partners.")]
pub struct Config {
    /// Database URL: postgres://… for PostgreSQL; sqlite:… for a SQLite file. Default: a SQLite
    /// file in the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory for the embedded SQLite database (created when missing).
    #[arg(long, env = "CLIENTELE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(long, env = "CLIENTELE_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Seed demo partners, users and customers (idempotent).
    #[arg(long, env = "CLIENTELE_DEMO")]
    pub demo: bool,

    /// Mark the session cookie Secure: set when users reach the server over https.
    #[arg(long, env = "CLIENTELE_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Take the client address from X-Forwarded-For (only behind a proxy you trust).
    #[arg(long, env = "CLIENTELE_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "CLIENTELE_IDLE_TIMEOUT_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_minutes: u64,

    /// Hours after sign-in at which a session ends, however busy.
    #[arg(long, env = "CLIENTELE_ABSOLUTE_TIMEOUT_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    pub absolute_timeout_hours: u64,

    /// Where the built site (pkg/clientele.js, .wasm, .css) is served from.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Config {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("clientele.db").display()),
        }
    }

    pub fn security(&self) -> SecurityConfig {
        SecurityConfig {
            secure_cookies: self.secure_cookies,
            idle_timeout: Duration::from_secs(self.idle_timeout_minutes * 60),
            absolute_timeout: Duration::from_secs(self.absolute_timeout_hours * 3600),
            trust_forwarded_for: self.trust_forwarded_for,
        }
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("clientele")
            .site_root(self.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(self.listen)
            .env(if cfg!(debug_assertions) { Env::DEV } else { Env::PROD })
            .build()
    }
}
