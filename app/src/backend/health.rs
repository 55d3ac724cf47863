//! What `/healthz` (liveness) and `/readyz` (readiness) report about the database.
//!
//! Liveness answers while the process serves at all, so an orchestrator never restarts a
//! healthy server because its database is away; readiness fails then, so a load balancer
//! sends people to an instance that can serve them. Both say what is wrong.

use super::db::Probe;
use super::{now, Db};
use crate::error::Outage;
use std::time::Duration;

/// How long a probe may take before the database counts as unreachable (or busy, for the write).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the database answers a read.
pub async fn reads(db: &Db) -> Result<(), Outage> {
    match tokio::time::timeout(PROBE_TIMEOUT, sqlx::query("SELECT 1").execute(&db.pool)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the database did not answer");
            Err(Outage::of(&error).unwrap_or(Outage::Unreachable))
        }
        Err(_) => Err(Outage::Unreachable),
    }
}

/// How long a successful write probe vouches for the database. `/readyz` is unauthenticated and
/// load balancers ask it every few seconds, so it must not turn into a write per request: within
/// this time it answers from the last probe (a read still runs every time).
pub const WRITE_PROBE_EVERY: Duration = Duration::from_secs(10);

/// Whether the database answers a read and commits a write (one row of `health_probe`): a full
/// disk or a read-only file lets reads through but not this. The write runs at most once per
/// [`WRITE_PROBE_EVERY`] per instance while it succeeds; a failed one is retried at the next ask.
pub async fn writes(db: &Db) -> Result<(), Outage> {
    reads(db).await?;
    let recent = db.write_probe.lock().ok().and_then(|probe| *probe);
    if let Some(probe) = recent {
        if probe.result.is_ok() && probe.at.elapsed() < WRITE_PROBE_EVERY {
            return probe.result;
        }
    }
    let result = probe_write(db).await;
    if let Ok(mut probe) = db.write_probe.lock() {
        *probe = Some(Probe { at: std::time::Instant::now(), result });
    }
    result
}

async fn probe_write(db: &Db) -> Result<(), Outage> {
    let write = async {
        let mut tx = db.begin().await?;
        sqlx::query("UPDATE health_probe SET checked_at = $1 WHERE id = 1").bind(now()).execute(&mut *tx).await?;
        tx.commit().await
    };
    match tokio::time::timeout(PROBE_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the database did not take a write");
            Err(Outage::of(&error).unwrap_or(Outage::Unreachable))
        }
        Err(_) => Err(Outage::Busy),
    }
}
