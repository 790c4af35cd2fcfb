//! The request journal in PostgreSQL: one ordered record of the calls every replica served,
//! bounded as the memory journal is.

use axum::http::Method;
use serde_json::value::RawValue;
use sqlx::Row;
use sqlx::postgres::PgPool;

use super::{Database, unavailable};
use crate::journal::{Entry, Filter};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

/// The most entries one statement writes.
pub(super) const MOST_AT_ONCE: usize = 256;

/// Writes the entries of concurrent calls in one statement (see [`super::batch`]), and forgets
/// what falls past the journal's size. Measured with 32 connections reading one credential: a
/// statement per call held a replica to 4,354 reads a second, against 7,012 with no journal;
/// batched, 6,338.
///
/// The entries the batch pushes out are deleted, and once every `size` entries all the older
/// ones (numbers skipped by failed inserts leave some): deleting everything below the bound on
/// every insert walked every deleted entry not yet vacuumed, and reads fell to a quarter.
pub(super) async fn insert(pool: PgPool, size: i64, entries: Vec<Entry>) -> Result<()> {
    sqlx::query(
        "WITH added AS (
             INSERT INTO journal
                 (time, method, path, status, duration_ms, correlation_id, environment_id, body)
             SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::int[],
                                  $5::float8[], $6::uuid[], $7::uuid[], $8::text[])
             RETURNING seq),
         newest AS (SELECT max(seq) AS seq, count(*) AS added FROM added)
         DELETE FROM journal
         WHERE seq <= (SELECT seq FROM newest) - $9
           AND seq > (SELECT seq FROM newest) - $9 - CASE
               WHEN (SELECT seq % $9 < added FROM newest) THEN $9 * 100
               ELSE (SELECT added FROM newest) END",
    )
    .bind(entries.iter().map(|entry| entry.time).collect::<Vec<_>>())
    .bind(
        entries
            .iter()
            .map(|entry| entry.method.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| entry.path.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| i32::from(entry.status))
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| entry.duration_ms)
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| entry.correlation_id)
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| entry.environment_id)
            .collect::<Vec<_>>(),
    )
    .bind(
        entries
            .iter()
            .map(|entry| entry.body.as_ref().map(|body| body.get()))
            .collect::<Vec<_>>(),
    )
    .bind(size)
    .execute(&pool)
    .await
    .map_err(unavailable)?;
    Ok(())
}

impl Database {
    /// Records one call once its answer is known: returns when the entry is committed (without
    /// waiting for the disk: an entry is no acknowledged write).
    pub async fn record(&self, entry: Entry) -> Result<()> {
        let Some(writer) = &self.journal else {
            return Ok(());
        };
        writer
            .call(entry)
            .await
            .unwrap_or(Err(StoreError::Unavailable))
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
        Ok(filter.select(entries.iter()))
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
