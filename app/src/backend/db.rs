//! One pool type for both databases. `sqlx::Any` lets every query be written once; the schema
//! keeps to types both sides share (BIGINT, TEXT, 0/1 flags, Unix-second times) and queries use
//! `$n` placeholders, which SQLite also accepts.

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// The longest a request waits for a connection, as long as SQLite's busy timeout (5 s). The
/// pool keeps retrying a database that refuses connections until then, so a stopped
/// PostgreSQL answers 503 in 5 s rather than the request timing out (and it recovers by
/// itself: every connection is tested before use and replaced when dead).
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// When a write probe ran and what it found.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub(in crate::backend) at: std::time::Instant,
    pub(in crate::backend) result: Result<(), crate::error::Outage>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// The last readiness write probe and when it ran (`health::writes`): shared by the clones
    /// of one pool, so however often `/readyz` is asked, it writes at most once per interval.
    pub(in crate::backend) write_probe: std::sync::Arc<std::sync::Mutex<Option<Probe>>>,
}

impl Db {
    /// Connects (creating a SQLite file and its directory when missing) and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let kind = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL (use sqlite:… or postgres://…): {}", redact_url(url)).into(),
            ));
        };
        let pool = match kind {
            DbKind::Sqlite => {
                prepare_sqlite_file(url).await?;
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .before_acquire(|conn, _meta| Box::pin(async move { Ok(outside_any_transaction(conn)) }))
                    // Per-connection settings Any cannot carry in the URL.
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            DbKind::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .before_acquire(|conn, _meta| Box::pin(async move { Ok(outside_any_transaction(conn)) }))
                    // sqlx prepares every query; after five runs PostgreSQL may switch a prepared
                    // statement to one generic plan, blind to the values. For `LIKE $1` that can
                    // mean a full scan instead of the trigram index (120 ms instead of 5 at a
                    // million customers), so plan each execution for its values.
                    //
                    // A writer waits for a row lock at most as long as SQLite's busy timeout, then
                    // answers 503 (`Outage::Busy`) instead of queueing without end behind a
                    // stuck transaction.
                    //
                    // No JIT: it compiles a query whose estimated cost is high, and estimates go
                    // high exactly where they are wrong (no statistics after a bulk load): a
                    // 10 ms list page then spent 130 ms compiling. Our queries are all short.
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "SET plan_cache_mode = force_custom_plan; SET jit = off; SET lock_timeout = '5s'",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        let db = Self { pool, kind, write_probe: Default::default() };
        db.migrate().await?;
        Ok(db)
    }

    /// Starts a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that read first and wrote later would otherwise fail
    /// with "database is locked" when another writer got in between, instead of waiting.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.pool.begin_with(self.begin_statement()).await
    }

    fn begin_statement(&self) -> &'static str {
        match self.kind {
            DbKind::Sqlite => "BEGIN IMMEDIATE",
            DbKind::Postgres => "BEGIN",
        }
    }

    /// For the few queries whose SQL differs between the dialects.
    pub fn is_postgres(&self) -> bool {
        self.kind == DbKind::Postgres
    }

    /// Brings the query planner's statistics up to date where they are missing or stale.
    ///
    /// SQLite never gathers statistics on its own, and its plans differ with and without them:
    /// right after a bulk load (no statistics) or after the data grew tenfold (stale ones) a
    /// page can be planned 50 times slower. `PRAGMA optimize` analyses only the tables that
    /// need it, each from a bounded sample (`analysis_limit`), so it takes milliseconds even at
    /// a million customers; the server runs it at start and then periodically
    /// (`--statistics-minutes`).
    ///
    /// PostgreSQL's autovacuum does the same job, but only a minute or more after a bulk load,
    /// and not at all where an operator turned it off or restored a dump (restores carry no
    /// statistics). So on PostgreSQL the server analyses each of its tables that has no
    /// statistics (an empty one never gets any; analysing it takes no time), or whose rows
    /// changed by more than a tenth since it was last analysed.
    pub async fn refresh_statistics(&self) -> Result<(), sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => {
                // 0x10002: analyse every table that would benefit, not only those this connection used.
                self.pool.execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;").await?;
            }
            DbKind::Postgres => {
                let stale: Vec<String> = sqlx::query_scalar(
                    "SELECT t.relname::text FROM pg_stat_user_tables t
                     WHERE t.schemaname = current_schema()
                       AND (NOT EXISTS (SELECT 1 FROM pg_stats s
                                        WHERE s.schemaname = t.schemaname AND s.tablename = t.relname)
                            OR t.n_mod_since_analyze > 50 + t.n_live_tup / 10)",
                )
                .fetch_all(&self.pool)
                .await?;
                for table in stale {
                    // The name comes from the catalogue; quoted all the same.
                    self.pool.execute(format!("ANALYZE \"{}\"", table.replace('"', "\"\"")).as_str()).await?;
                }
            }
        }
        Ok(())
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }
}

/// Whether a pooled connection is out of every transaction, as it should be when handed out.
/// A COMMIT or ROLLBACK that failed (SQLite on a full disk) can leave one open, and with it
/// SQLite's write lock: every writer would then wait for it in vain. Such a connection is closed
/// instead of reused, which ends the transaction. (The pool's ping runs first, so a rollback
/// queued when the transaction was dropped has run by now.)
fn outside_any_transaction(conn: &sqlx::AnyConnection) -> bool {
    use sqlx::TransactionManager;
    sqlx::any::AnyTransactionManager::get_transaction_depth(conn) == 0
}

/// The URL with any password replaced, for messages: `postgres://app:***@db/clientele`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    match path {
        Some(path) => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// Creates the SQLite file (and its directory) and switches it to WAL, which the file remembers:
/// readers then never block the writer.
async fn prepare_sqlite_file(url: &str) -> Result<(), sqlx::Error> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::{ConnectOptions, Connection};
    let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
    if let Some(dir) = Path::new(options.get_filename()).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
    }
    options.connect().await?.close().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connection_errors_never_show_the_password() {
        for url in [
            "postgres://postgres:hunter2@127.0.0.1:5432/clientele_no_such_database",
            "mysql://app:hunter2@db/clientele",
        ] {
            let Err(error) = Db::connect(url).await else { panic!("{url} should not connect") };
            let error = error.to_string();
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cr%40t@db:5432/clientele"), "postgres://app:***@db:5432/clientele");
        assert_eq!(redact_url("postgres://app@db/clientele"), "postgres://app@db/clientele");
        assert_eq!(redact_url("sqlite://data/clientele.db?mode=rwc"), "sqlite://data/clientele.db?mode=rwc");
    }
}
