//! What every replica must read alike besides the data: the clock setting (one row, `control`,
//! read by every call), the fault rules with their counters, and the token signing key.

use serde_json::{Value, json};
use sqlx::Row;
use sqlx::postgres::PgPool;
use uuid::Uuid;

use super::{Database, unavailable};
use crate::clock::{ClockSetting, format_timestamp, parse_timestamp};
use crate::faults::{Action, Call, Counts, RuleSpec};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

/// The shared settings as one replica last read them.
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    /// The clock setting.
    pub clock: ClockSetting,
    /// Whether there are fault rules.
    pub any_rules: bool,
}

/// What the fault rules decided for one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultDecision {
    /// No rule fired.
    Pass,
    /// This one did.
    Act(Action),
}

fn clock_json(setting: ClockSetting) -> Value {
    match setting {
        ClockSetting::Real => json!({"mode": "real"}),
        ClockSetting::Frozen(at) => json!({"mode": "frozen", "frozenAt": format_timestamp(at)}),
        ClockSetting::Offset(ms) => json!({"mode": "offset", "offsetMs": ms}),
    }
}

fn clock_of(value: &Value) -> ClockSetting {
    match value.get("mode").and_then(Value::as_str) {
        Some("frozen") => value
            .get("frozenAt")
            .and_then(Value::as_str)
            .and_then(parse_timestamp)
            .map_or(ClockSetting::Real, ClockSetting::Frozen),
        Some("offset") => value
            .get("offsetMs")
            .and_then(Value::as_i64)
            .map_or(ClockSetting::Real, ClockSetting::Offset),
        _ => ClockSetting::Real,
    }
}

/// A stored rule, as it was added.
fn rule_of(spec: &Value) -> Result<RuleSpec> {
    spec.as_object()
        .and_then(|spec| RuleSpec::parse(spec).ok())
        .ok_or_else(|| {
            tracing::error!("the database holds a fault rule that cannot be read back");
            StoreError::Unavailable
        })
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The control row now.
pub(super) async fn read(pool: PgPool) -> Result<Control> {
    let row =
        sqlx::query("SELECT clock, EXISTS (SELECT 1 FROM fault_rules) AS any_rules FROM control")
            .fetch_one(&pool)
            .await
            .map_err(unavailable)?;
    let clock: Value = row.try_get("clock").map_err(unavailable)?;
    Ok(Control {
        clock: clock_of(&clock),
        any_rules: row.try_get("any_rules").map_err(unavailable)?,
    })
}

impl Database {
    /// The shared settings as of a read that started after this call: every change
    /// acknowledged before it is in. Concurrent calls share one read (see [`super::batch`]).
    pub async fn control(&self) -> Result<Control> {
        self.control
            .call(())
            .await
            .unwrap_or(Err(StoreError::Unavailable))
    }

    /// Sets the clock for every replica.
    pub async fn set_clock(&self, setting: ClockSetting) -> Result<()> {
        sqlx::query("UPDATE control SET clock = $1")
            .bind(clock_json(setting))
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Adds a rule after the existing ones; returns it as listed.
    pub async fn add_fault(&self, spec: &RuleSpec) -> Result<Value> {
        let id = Uuid::new_v4();
        let body = spec.to_json();
        sqlx::query("INSERT INTO fault_rules (id, spec) VALUES ($1, $2::json)")
            .bind(id)
            .bind(body.to_string())
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(spec.listed(id, 0))
    }

    /// Every rule with its hit count, in the order they are tried.
    pub async fn faults(&self) -> Result<Vec<Value>> {
        let rows = sqlx::query("SELECT id, spec, hits FROM fault_rules ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter()
            .map(|row| {
                let spec: Value = row.try_get("spec").map_err(unavailable)?;
                let hits: i64 = row.try_get("hits").map_err(unavailable)?;
                let id = row.try_get("id").map_err(unavailable)?;
                Ok(rule_of(&spec)?.listed(id, count(hits)))
            })
            .collect()
    }

    /// Removes one rule; `false` if there was none with that id.
    pub async fn remove_fault(&self, id: Uuid) -> Result<bool> {
        let removed = sqlx::query("DELETE FROM fault_rules WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(removed.rows_affected() == 1)
    }

    /// Removes every rule.
    pub async fn clear_faults(&self) -> Result<()> {
        sqlx::query("DELETE FROM fault_rules")
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// What to do with `call`, counting the roll and the hit on the rules in the database.
    ///
    /// The rules' rows are locked while they are tried, so calls on every replica are counted
    /// one after the other: a rule with `times: 3` fires three times in all, and a seed gives
    /// the same outcomes for the same sequence of matching calls, whichever replicas serve them.
    pub async fn decide_fault(&self, call: Call<'_>) -> Result<FaultDecision> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let rows =
            sqlx::query("SELECT id, spec, draws, hits FROM fault_rules ORDER BY seq FOR UPDATE")
                .fetch_all(&mut *tx)
                .await
                .map_err(unavailable)?;
        let mut decision = FaultDecision::Pass;
        for row in &rows {
            let spec: Value = row.try_get("spec").map_err(unavailable)?;
            let rule = rule_of(&spec)?;
            let mut counts = Counts {
                draws: count(row.try_get("draws").map_err(unavailable)?),
                hits: count(row.try_get("hits").map_err(unavailable)?),
            };
            let Some(fires) = rule.roll(call, &mut counts) else {
                continue;
            };
            let id: Uuid = row.try_get("id").map_err(unavailable)?;
            sqlx::query("UPDATE fault_rules SET draws = $2, hits = $3 WHERE id = $1")
                .bind(id)
                .bind(i64::try_from(counts.draws).unwrap_or(i64::MAX))
                .bind(i64::try_from(counts.hits).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
            if fires {
                decision = FaultDecision::Act(rule.action.clone());
                break;
            }
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(decision)
    }

    /// The signing key every replica uses: the one a replica stored, or else `generate()`'s,
    /// stored for the others (the first writer wins if two start at once).
    pub async fn signing_key(&self, generate: impl FnOnce() -> String) -> Result<String> {
        let stored: Option<String> = sqlx::query_scalar("SELECT signing_key FROM control")
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        if let Some(stored) = stored {
            return Ok(stored);
        }
        sqlx::query("UPDATE control SET signing_key = $1 WHERE signing_key IS NULL")
            .bind(generate())
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        let stored: Option<String> = sqlx::query_scalar("SELECT signing_key FROM control")
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        stored.ok_or(StoreError::Unavailable)
    }

    /// Marks the database seeded; `true` for the one caller that did it first.
    pub async fn claim_seeding(&self) -> Result<bool> {
        let claimed = sqlx::query("UPDATE control SET seeded = true WHERE NOT seeded")
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(claimed.rows_affected() == 1)
    }
}
