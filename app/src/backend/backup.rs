//! `server backup --to FILE`: a consistent copy of the whole database, taken while the server
//! serves. The copy is written beside FILE and renamed into place once complete, so FILE is
//! never a half-written backup (a crash leaves only `FILE.partial`).

use super::{Db, DbKind};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("could not write the backup: {0}")]
    Io(#[from] std::io::Error),
    #[error("the database refused the backup: {0}")]
    Database(#[from] sqlx::Error),
    #[error("pg_dump failed ({0}); it must be on PATH and of the server's major version or newer")]
    PgDump(String),
}

/// Writes the backup of `db` (reached at `url`) to `to`.
pub async fn write(db: &Db, url: &str, to: &Path) -> Result<(), BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let partial = PathBuf::from(format!("{}.partial", to.display()));
    let _ = std::fs::remove_file(&partial);
    match db.kind {
        // One read transaction copies every page as of its start: writers go on meanwhile
        // (WAL), and the copy is compact and needs no WAL file of its own.
        DbKind::Sqlite => {
            sqlx::query("VACUUM INTO $1").bind(partial.display().to_string()).execute(&db.pool).await?;
        }
        // pg_dump reads in one repeatable-read snapshot; the custom format restores with
        // pg_restore, tables and indexes in parallel if asked.
        DbKind::Postgres => {
            let status = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--file={}", partial.display()))
                .arg(format!("--dbname={url}"))
                .status()
                .await
                .map_err(|e| BackupError::PgDump(e.to_string()))?;
            if !status.success() {
                let _ = std::fs::remove_file(&partial);
                return Err(BackupError::PgDump(status.to_string()));
            }
        }
    }
    std::fs::rename(&partial, to)?;
    Ok(())
}
