//! The request journal in PostgreSQL: one ordered record of the calls every replica served,
//! bounded as the memory journal is.

use axum::http::Method;
use serde_json::value::RawValue;
use sqlx::Row;

use super::{Database, unavailable};
use crate::journal::{Entry, Filter};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

impl Database {
    /// Records one call, and forgets the oldest past the journal's size.
    ///
    /// Committed without waiting for the disk (`synchronous_commit = off`): a journal entry is
    /// no acknowledged write, and a flush per call would cap every replica's throughput.
    pub async fn record(&self, entry: &Entry) -> Result<()> {
        if self.journal_size == 0 {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        sqlx::query(
            "WITH added AS (
                 INSERT INTO journal
                     (time, method, path, status, duration_ms, correlation_id, environment_id, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq)
             DELETE FROM journal WHERE seq <= (SELECT seq FROM added) - $9",
        )
        .bind(entry.time)
        .bind(entry.method.as_str())
        .bind(&entry.path)
        .bind(i32::from(entry.status))
        .bind(entry.duration_ms)
        .bind(entry.correlation_id)
        .bind(entry.environment_id)
        .bind(entry.body.as_ref().map(|body| body.get()))
        .bind(i64::try_from(self.journal_size).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)
    }

    /// The matching entries, oldest first; with a limit, the most recent ones.
    pub async fn entries(&self, filter: &Filter) -> Result<Vec<Entry>> {
        let rows = sqlx::query(
            "SELECT time, method, path, status, duration_ms, correlation_id, environment_id, body
             FROM journal ORDER BY seq DESC LIMIT $1",
        )
        .bind(i64::try_from(self.journal_size).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows.iter().rev() {
            let method: String = row.try_get("method").map_err(unavailable)?;
            let status: i32 = row.try_get("status").map_err(unavailable)?;
            let body: Option<String> = row.try_get("body").map_err(unavailable)?;
            entries.push(Entry {
                time: row.try_get("time").map_err(unavailable)?,
                method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
                path: row.try_get("path").map_err(unavailable)?,
                status: u16::try_from(status).unwrap_or_default(),
                duration_ms: row.try_get("duration_ms").map_err(unavailable)?,
                correlation_id: row.try_get("correlation_id").map_err(unavailable)?,
                environment_id: row.try_get("environment_id").map_err(unavailable)?,
                body: body.and_then(|body| RawValue::from_string(body).ok()),
            });
        }
        Ok(filter.select(entries))
    }

    /// Forgets every entry.
    pub async fn clear_journal(&self) -> Result<()> {
        sqlx::query("DELETE FROM journal")
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
