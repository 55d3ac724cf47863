//! Command-line flags, each with an environment-variable fallback (`--help` lists them).

use app::backend::SecurityConfig;
use app::backend::{MailConfig, SmtpConfig, SmtpTls};
use clap::Parser;
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug, Clone)]
#[command(name = "clientele", version, about = "Clientele: the customer-account portal for partners.")]
pub struct Config {
    /// Without a command the server starts.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Database URL: postgres://… for PostgreSQL; sqlite:… for a SQLite file. Default: a SQLite
    /// file in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for the embedded SQLite database (created when missing).
    #[arg(long, env = "CLIENTELE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(long, env = "CLIENTELE_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Seed demo partners, users and customers into an empty database (or complete the demo).
    /// Refused on a database that holds anyone else: demo passwords are public.
    #[arg(long, env = "CLIENTELE_DEMO")]
    pub demo: bool,

    /// Mark the session cookie Secure: set when users reach the server over https.
    #[arg(long, env = "CLIENTELE_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Proxies in front of this server whose X-Forwarded-For is believed (comma-separated
    /// addresses or networks, e.g. 10.0.0.0/8,::1). The client address, for throttling and the
    /// audit log, is then the right-most X-Forwarded-For entry that is not one of them.
    #[arg(long, env = "CLIENTELE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "CLIENTELE_IDLE_TIMEOUT_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_minutes: u64,

    /// Hours after sign-in at which a session ends, however busy.
    #[arg(long, env = "CLIENTELE_ABSOLUTE_TIMEOUT_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    pub absolute_timeout_hours: u64,

    /// "Log in as" (partner users viewing a customer account as its users do): on, or off for
    /// operators who forbid it on this instance.
    #[arg(long, env = "CLIENTELE_IMPERSONATION", default_value = "on", value_parser = ["on", "off"])]
    pub impersonation: String,

    /// The longest a "Log in as" view may last, in minutes; a partner's own setting (default 30)
    /// can only be shorter.
    #[arg(long, env = "CLIENTELE_IMPERSONATION_MAX_MINUTES", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub impersonation_max_minutes: u64,

    /// Requests each partner API key may make per minute (counted in the database, so across
    /// every instance); past it, 429 with `Retry-After`.
    #[arg(long, env = "CLIENTELE_API_RATE_LIMIT", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub api_rate_limit: u32,

    /// Deliver webhooks to private, loopback and link-local addresses and over plain http too.
    /// For development and tests only: on a real instance it would let partners probe the
    /// server's own network.
    #[arg(long, env = "CLIENTELE_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,

    /// The address people reach this instance at, for links in emails (default: http://<listen>).
    #[arg(long, env = "CLIENTELE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// SMTP server for outgoing email. Without it, email goes to the development mailbox
    /// (Settings → Mailbox, operators only) and the log.
    #[arg(long, env = "CLIENTELE_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port (default: 465 with --smtp-tls tls, 587 with starttls, 25 with none).
    #[arg(long, env = "CLIENTELE_SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// SMTP transport security: starttls, tls (SMTPS) or none (a trusted local relay only).
    #[arg(long, env = "CLIENTELE_SMTP_TLS", default_value = "starttls", value_parser = ["starttls", "tls", "none"])]
    pub smtp_tls: String,

    /// SMTP user name (with --smtp-password).
    #[arg(long, env = "CLIENTELE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password.
    #[arg(long, env = "CLIENTELE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// The From address of outgoing email.
    #[arg(long, env = "CLIENTELE_MAIL_FROM", default_value = "Clientele <no-reply@clientele.invalid>")]
    pub mail_from: String,

    /// Minutes between refreshes of the query planner's statistics, also run at start (SQLite:
    /// `PRAGMA optimize`; PostgreSQL: `ANALYZE` where statistics are missing or stale, ahead of
    /// autovacuum). 0 turns them off.
    #[arg(long, env = "CLIENTELE_STATISTICS_MINUTES", default_value_t = 60)]
    pub statistics_minutes: u64,

    /// Where the built site (pkg/clientele.js, .wasm, .css) is served from.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

/// One-off tasks run from the command line against the configured database.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Make a person a platform operator (creating them when new) and print a one-time link,
    /// valid 24 hours, where they choose their password. How a real instance gets its first
    /// operator; also how an operator who lost their password gets back in.
    CreateOperator {
        /// The operator's email address (their sign-in).
        #[arg(long)]
        email: String,
        /// Their full name, as the audit log and the header show it.
        #[arg(long)]
        name: String,
    },
    /// Copy the whole database to FILE while the server keeps serving: a consistent snapshot
    /// (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump --format=custom`, which must be on PATH).
    /// FILE must not exist yet; it appears only once complete. docs/OPERATIONS.md says how to
    /// restore.
    Backup {
        /// Where to write the backup.
        #[arg(long = "to")]
        to: PathBuf,
    },
}

/// A network (`10.0.0.0/8`) or a single address (`10.0.0.7`, `::1`).
fn parse_network(value: &str) -> Result<ipnet::IpNet, String> {
    let value = value.trim();
    value
        .parse::<ipnet::IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{value:?} is not an address or network (like 10.0.0.0/8)"))
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
            // Served over https: the cookie must say so (and gets the `__Host-` name), and HSTS
            // tells browsers never to come back over http.
            secure_cookies: self.secure_cookies
                || self.public_url.as_deref().is_some_and(|url| url.starts_with("https://")),
            idle_timeout: Duration::from_secs(self.idle_timeout_minutes * 60),
            absolute_timeout: Duration::from_secs(self.absolute_timeout_hours * 3600),
            trusted_proxies: self.trusted_proxies.clone(),
            impersonation: self.impersonation == "on",
            impersonation_max: Duration::from_secs(self.impersonation_max_minutes * 60),
            api_rate_limit: self.api_rate_limit,
            webhook_allow_private: self.webhook_allow_private,
        }
    }

    pub fn mail(&self) -> MailConfig {
        let tls = match self.smtp_tls.as_str() {
            "tls" => SmtpTls::Tls,
            "none" => SmtpTls::None,
            _ => SmtpTls::StartTls,
        };
        let default_port = match tls {
            SmtpTls::Tls => 465,
            SmtpTls::StartTls => 587,
            SmtpTls::None => 25,
        };
        MailConfig {
            smtp: self.smtp_host.as_ref().map(|host| SmtpConfig {
                host: host.clone(),
                port: self.smtp_port.unwrap_or(default_port),
                tls,
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
            }),
            from: self.mail_from.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", self.listen))
                .trim_end_matches('/')
                .to_string(),
        }
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("clientele")
            .site_root(self.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(self.listen)
            .env(if cfg!(debug_assertions) { Env::DEV } else { Env::PROD })
            .hash_files(crate::bundle::hash_file().is_some())
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_operator_is_a_command_and_plain_flags_start_the_server() {
        let config =
            Config::try_parse_from(["server", "create-operator", "--email", "a@b.test", "--name", "Ann"]).unwrap();
        assert!(matches!(config.command, Some(Command::CreateOperator { ref email, .. }) if email == "a@b.test"));
        assert!(Config::try_parse_from(["server", "--demo"]).unwrap().command.is_none());
        assert!(Config::try_parse_from(["server", "create-operator", "--email", "a@b.test"]).is_err(), "name required");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let config = Config::try_parse_from(["server", "--trusted-proxies", "10.0.0.0/8, ::1"]).unwrap();
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(config.trusted_proxies[1].contains(&"::1".parse::<std::net::IpAddr>().unwrap()));
        assert!(Config::try_parse_from(["server", "--trusted-proxies", "proxy.local"]).is_err());
    }
}
