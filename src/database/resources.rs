//! Environments, applications and push credentials in PostgreSQL: the operations of the memory
//! store ([`crate::store::Store`]), with the same answers.
//!
//! Reads of things that exist are one statement. An id the database does not hold is
//! provisioned in `auto` tenancy (unless it was deleted), as in memory; concurrent provisioning
//! of one id is settled by `ON CONFLICT DO NOTHING`.

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::{Database, unavailable};
use crate::clock::Timestamp;
use crate::domain::{
    APPLICATION_TYPES, ApplicationSpec, CredentialType, EnvironmentSpec, PushCredential, Secret,
    canonical,
};
use crate::store::{
    AppKey, ApplicationRecord, ApplicationView, ClientError, CredentialRecord, CredentialView,
    EnvironmentRecord, EnvironmentView, Grants, Removed, Snapshot, Store, StoreError, Tenancy,
    constant_time_eq, generate_secret,
};

type Result<T> = std::result::Result<T, StoreError>;

/// JSON as text, to be cast to `json` in the statement: a `jsonb` parameter would lose the
/// order of the members, which PingOne's answers keep.
fn json_text(value: &Value) -> String {
    value.to_string()
}

/// A row that does not read back as what was written: only a hand-edited database has one.
fn broken(what: &str) -> StoreError {
    tracing::error!("the database holds a {what} that cannot be read back");
    StoreError::Unavailable
}

fn environment_view(row: &PgRow) -> Result<EnvironmentView> {
    let attributes: Value = row.try_get("attributes").map_err(unavailable)?;
    Ok(EnvironmentView {
        id: row.try_get("id").map_err(unavailable)?,
        spec: EnvironmentSpec::from_stored(&attributes).ok_or_else(|| broken("environment"))?,
        created_at: row.try_get("created_at").map_err(unavailable)?,
        updated_at: row.try_get("updated_at").map_err(unavailable)?,
    })
}

fn application_view(row: &PgRow) -> Result<ApplicationView> {
    let attributes: Value = row.try_get("attributes").map_err(unavailable)?;
    Ok(ApplicationView {
        key: AppKey {
            environment_id: row.try_get("environment_id").map_err(unavailable)?,
            application_id: row.try_get("id").map_err(unavailable)?,
        },
        spec: ApplicationSpec::from_stored(&attributes).ok_or_else(|| broken("application"))?,
        created_at: row.try_get("created_at").map_err(unavailable)?,
        updated_at: row.try_get("updated_at").map_err(unavailable)?,
    })
}

fn credential_view(app: AppKey, row: &PgRow) -> Result<CredentialView> {
    let ty: String = row.try_get("type").map_err(unavailable)?;
    Ok(CredentialView {
        id: row.try_get("id").map_err(unavailable)?,
        app,
        created_at: row.try_get("created_at").map_err(unavailable)?,
        updated_at: row.try_get("updated_at").map_err(unavailable)?,
        credential_type: CredentialType::from_wire(&ty).ok_or_else(|| broken("credential"))?,
        client_id: row.try_get("client_id").map_err(unavailable)?,
    })
}

const ENVIRONMENT_COLUMNS: &str = "id, attributes, created_at, updated_at";
const APPLICATION_COLUMNS: &str = "environment_id, id, attributes, created_at, updated_at";
const CREDENTIAL_COLUMNS: &str = "id, type, client_id, created_at, updated_at";

/// The environment `id`, provisioned first in `auto` tenancy if it was never seen.
async fn environment(
    conn: &mut PgConnection,
    id: Uuid,
    tenancy: Tenancy,
    now: Timestamp,
) -> Result<Option<EnvironmentView>> {
    let select = format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE id = $1");
    let found = sqlx::query(&select)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
    if let Some(row) = found {
        return environment_view(&row).map(Some);
    }
    if tenancy != Tenancy::Auto {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO environments (id, attributes, created_at, updated_at)
         SELECT $1, $2::json, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM deleted_environments WHERE id = $1)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(json_text(&EnvironmentSpec::auto_provisioned(id).to_stored()))
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    let found = sqlx::query(&select)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
    found.as_ref().map(environment_view).transpose()
}

/// The application `key`, provisioned first (with its environment) in `auto` tenancy if it was
/// never seen; with its client secret.
async fn application(
    conn: &mut PgConnection,
    key: AppKey,
    tenancy: Tenancy,
    now: Timestamp,
) -> Result<Option<(ApplicationView, Option<Secret>)>> {
    let select = format!(
        "SELECT {APPLICATION_COLUMNS}, client_secret FROM applications
         WHERE environment_id = $1 AND id = $2"
    );
    let read = |row: PgRow| -> Result<(ApplicationView, Option<Secret>)> {
        let secret: Option<String> = row.try_get("client_secret").map_err(unavailable)?;
        Ok((application_view(&row)?, secret.map(Secret::new)))
    };
    let found = sqlx::query(&select)
        .bind(key.environment_id)
        .bind(key.application_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
    if let Some(row) = found {
        return read(row).map(Some);
    }
    if tenancy != Tenancy::Auto {
        return Ok(None);
    }
    // Provisioned in one statement when its environment exists (most often); else the
    // environment first. An id deleted over the API stays deleted; a replica that provisions
    // the same id at once wins, and this reads its row.
    let provision = format!(
        "INSERT INTO applications (environment_id, id, attributes, created_at, updated_at)
         SELECT $1, $2, $3::json, $4, $4
         WHERE EXISTS (SELECT 1 FROM environments WHERE id = $1)
           AND NOT EXISTS (SELECT 1 FROM deleted_applications WHERE environment_id = $1 AND id = $2)
         ON CONFLICT (environment_id, id) DO NOTHING
         RETURNING {APPLICATION_COLUMNS}, client_secret"
    );
    let attributes = json_text(&ApplicationSpec::auto_provisioned(key.application_id).to_stored());
    for attempt in 0..2 {
        let provisioned = sqlx::query(&provision)
            .bind(key.environment_id)
            .bind(key.application_id)
            .bind(&attributes)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await
            .map_err(unavailable)?;
        if let Some(row) = provisioned {
            return read(row).map(Some);
        }
        let found = sqlx::query(&select)
            .bind(key.environment_id)
            .bind(key.application_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(unavailable)?;
        if let Some(row) = found {
            return read(row).map(Some);
        }
        let environment = environment(conn, key.environment_id, tenancy, now).await?;
        if attempt == 1 || environment.is_none() {
            break;
        }
    }
    Ok(None)
}

impl Database {
    async fn connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.pool.acquire().await.map_err(unavailable)
    }

    // Push credentials.

    /// Adds a credential with a fresh id to a native application, unless it already has one of
    /// its type (the unique constraint decides, whatever the replicas do at once).
    ///
    /// One statement when the application exists or its environment does (`auto` tenancy then
    /// provisions it in the same statement); the other cases are sorted out after. Measured
    /// with 32 connections creating in fresh applications: 2,551 creates a second with the
    /// application provisioned by statements of its own, 3,730 to 3,941 in one.
    pub async fn create(
        &self,
        app: AppKey,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView> {
        let mut conn = self.connection().await?;
        let ty = credential.credential_type();
        let body = json_text(&credential.to_stored());
        let provisioned =
            json_text(&ApplicationSpec::auto_provisioned(app.application_id).to_stored());
        for attempt in 0..2 {
            let inserted = sqlx::query(&format!(
                "WITH provisioned AS (
                     INSERT INTO applications
                         (environment_id, id, attributes, created_at, updated_at)
                     SELECT $2, $3, $7::json, $6, $6
                     WHERE $8
                       AND EXISTS (SELECT 1 FROM environments WHERE id = $2)
                       AND NOT EXISTS (SELECT 1 FROM applications
                                       WHERE environment_id = $2 AND id = $3)
                       AND NOT EXISTS (SELECT 1 FROM deleted_applications
                                       WHERE environment_id = $2 AND id = $3)
                     ON CONFLICT DO NOTHING
                     RETURNING attributes),
                 application AS (
                     SELECT attributes FROM provisioned
                     UNION ALL
                     SELECT attributes FROM applications WHERE environment_id = $2 AND id = $3)
                 INSERT INTO push_credentials (id, environment_id, application_id, type, body,
                                               client_id, created_at, updated_at)
                 SELECT $1, $2, $3, $4, $5::json, $9, $6, $6 FROM application
                 WHERE attributes -> 'attributes' ->> 'type' = 'NATIVE_APP'
                 LIMIT 1
                 RETURNING {CREDENTIAL_COLUMNS}"
            ))
            .bind(Uuid::new_v4())
            .bind(app.environment_id)
            .bind(app.application_id)
            .bind(ty.as_str())
            .bind(&body)
            .bind(now)
            .bind(&provisioned)
            .bind(self.tenancy == Tenancy::Auto)
            .bind(credential.client_id())
            .fetch_optional(&mut *conn)
            .await;
            match inserted {
                Ok(Some(row)) => return credential_view(app, &row),
                Ok(None) => {}
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                    return Err(StoreError::DuplicateType(ty));
                }
                // The application was deleted in the meantime.
                Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
                    return Err(StoreError::NotFound);
                }
                Err(error) => return Err(unavailable(error)),
            }
            // No application (its environment provisioned now, if it may be), or not native.
            let (application, _) = application(&mut conn, app, self.tenancy, now)
                .await?
                .ok_or(StoreError::NotFound)?;
            if !application.spec.is_native() {
                return Err(StoreError::NotNativeApp);
            }
            if attempt == 1 {
                break;
            }
        }
        Err(StoreError::NotFound)
    }

    /// The application's credentials in creation order.
    pub async fn list(&self, app: AppKey, now: Timestamp) -> Result<Vec<CredentialView>> {
        let mut conn = self.connection().await?;
        // One statement when the application exists: its row, then its credentials' rows.
        let rows = sqlx::query(&format!(
            "SELECT true AS application, NULL::uuid AS id, NULL AS type, NULL AS client_id,
                    NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at, 0::bigint AS seq
             FROM applications WHERE environment_id = $1 AND id = $2
             UNION ALL
             SELECT false, {CREDENTIAL_COLUMNS}, seq FROM push_credentials
             WHERE environment_id = $1 AND application_id = $2
             ORDER BY application DESC, seq"
        ))
        .bind(app.environment_id)
        .bind(app.application_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(unavailable)?;
        let known = rows
            .first()
            .is_some_and(|row| row.try_get::<bool, _>("application").unwrap_or(false));
        if !known {
            return match application(&mut conn, app, self.tenancy, now).await? {
                Some(_) => Ok(Vec::new()),
                None => Err(StoreError::NotFound),
            };
        }
        rows[1..]
            .iter()
            .map(|row| credential_view(app, row))
            .collect()
    }

    /// One credential of the application.
    pub async fn get(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<CredentialView> {
        let mut conn = self.connection().await?;
        let found = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM push_credentials
             WHERE id = $1 AND environment_id = $2 AND application_id = $3"
        ))
        .bind(id)
        .bind(app.environment_id)
        .bind(app.application_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
        match found {
            Some(row) => credential_view(app, &row),
            None => {
                // As in memory, an unknown application is provisioned all the same.
                application(&mut conn, app, self.tenancy, now).await?;
                Err(StoreError::NotFound)
            }
        }
    }

    /// Replaces a credential's content, keeping its id and `createdAt`; its type cannot change.
    /// `updatedAt` never goes back. The row's lock orders concurrent replaces: none is lost.
    pub async fn replace(
        &self,
        app: AppKey,
        id: Uuid,
        credential: PushCredential,
        now: Timestamp,
    ) -> Result<CredentialView> {
        let mut conn = self.connection().await?;
        let ty = credential.credential_type();
        let updated = sqlx::query(&format!(
            "UPDATE push_credentials
             SET body = $4::json, client_id = $7, updated_at = GREATEST(updated_at, $5)
             WHERE id = $1 AND environment_id = $2 AND application_id = $3 AND type = $6
             RETURNING {CREDENTIAL_COLUMNS}"
        ))
        .bind(id)
        .bind(app.environment_id)
        .bind(app.application_id)
        .bind(json_text(&credential.to_stored()))
        .bind(now)
        .bind(ty.as_str())
        .bind(credential.client_id())
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
        if let Some(row) = updated {
            return credential_view(app, &row);
        }
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT type FROM push_credentials
             WHERE id = $1 AND environment_id = $2 AND application_id = $3",
        )
        .bind(id)
        .bind(app.environment_id)
        .bind(app.application_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
        match stored.as_deref().and_then(CredentialType::from_wire) {
            Some(stored) => Err(StoreError::TypeChanged(stored)),
            None => {
                application(&mut conn, app, self.tenancy, now).await?;
                Err(StoreError::NotFound)
            }
        }
    }

    /// Deletes one credential.
    pub async fn delete(&self, app: AppKey, id: Uuid, now: Timestamp) -> Result<()> {
        let mut conn = self.connection().await?;
        let deleted = sqlx::query(
            "DELETE FROM push_credentials
             WHERE id = $1 AND environment_id = $2 AND application_id = $3",
        )
        .bind(id)
        .bind(app.environment_id)
        .bind(app.application_id)
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
        if deleted.rows_affected() == 1 {
            return Ok(());
        }
        application(&mut conn, app, self.tenancy, now).await?;
        Err(StoreError::NotFound)
    }

    // Environments.

    /// Creates an environment with a fresh id; tokens of `created_by` may manage it.
    pub async fn create_environment(
        &self,
        spec: EnvironmentSpec,
        created_by: Option<Uuid>,
        now: Timestamp,
    ) -> Result<EnvironmentView> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let id = Uuid::new_v4();
        let row = sqlx::query(&format!(
            "INSERT INTO environments (id, attributes, created_at, updated_at)
             VALUES ($1, $2::json, $3, $3) RETURNING {ENVIRONMENT_COLUMNS}"
        ))
        .bind(id)
        .bind(json_text(&spec.to_stored()))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        if let Some(creator) = created_by {
            sqlx::query("INSERT INTO managers (target, manager) VALUES ($1, $2)")
                .bind(id)
                .bind(creator)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        environment_view(&row)
    }

    /// Every environment in creation order.
    pub async fn list_environments(&self) -> Result<Vec<EnvironmentView>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY seq"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter().map(environment_view).collect()
    }

    /// One environment (provisioned in `auto` tenancy).
    pub async fn get_environment(&self, id: Uuid, now: Timestamp) -> Result<EnvironmentView> {
        let mut conn = self.connection().await?;
        environment(&mut conn, id, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Replaces an environment's attributes, keeping its id, `createdAt` and contents.
    pub async fn replace_environment(
        &self,
        id: Uuid,
        spec: EnvironmentSpec,
        now: Timestamp,
    ) -> Result<EnvironmentView> {
        let mut conn = self.connection().await?;
        environment(&mut conn, id, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = sqlx::query(&format!(
            "UPDATE environments SET attributes = $2::json, updated_at = GREATEST(updated_at, $3)
             WHERE id = $1 RETURNING {ENVIRONMENT_COLUMNS}"
        ))
        .bind(id)
        .bind(json_text(&spec.to_stored()))
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
        row.as_ref()
            .map(environment_view)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Deletes an environment and everything in it; its id is not provisioned again.
    pub async fn delete_environment(&self, id: Uuid) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let deleted = sqlx::query("DELETE FROM environments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        for statement in [
            "INSERT INTO deleted_environments (id) VALUES ($1) ON CONFLICT DO NOTHING",
            "DELETE FROM managers WHERE manager = $1",
            "DELETE FROM global_managers WHERE manager = $1",
        ] {
            sqlx::query(statement)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)
    }

    /// Whether a token issued by `token_environment` may act on `target` (see
    /// [`Store::may_manage`]).
    pub async fn may_manage(&self, token_environment: Uuid, target: Uuid) -> Result<bool> {
        if self.tenancy == Tenancy::Auto || token_environment == target {
            return Ok(true);
        }
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM global_managers WHERE manager = $1)
                 OR EXISTS (SELECT 1 FROM managers WHERE target = $2 AND manager = $1)",
        )
        .bind(token_environment)
        .bind(target)
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)
    }

    // Applications.

    /// Creates an application with a fresh id; workers and services get a generated secret.
    pub async fn create_application(
        &self,
        environment_id: Uuid,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView> {
        let mut conn = self.connection().await?;
        environment(&mut conn, environment_id, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        let secret = spec
            .has_client_secret()
            .then(|| generate_secret().expose().to_owned());
        let inserted = sqlx::query(&format!(
            "INSERT INTO applications (environment_id, id, attributes, client_secret, created_at, updated_at)
             VALUES ($1, $2, $3::json, $4, $5, $5) RETURNING {APPLICATION_COLUMNS}"
        ))
        .bind(environment_id)
        .bind(Uuid::new_v4())
        .bind(json_text(&spec.to_stored()))
        .bind(secret)
        .bind(now)
        .fetch_one(&mut *conn)
        .await;
        match inserted {
            Ok(row) => application_view(&row),
            Err(sqlx::Error::Database(error)) if error.is_foreign_key_violation() => {
                Err(StoreError::NotFound)
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    /// The environment's applications in creation order.
    pub async fn list_applications(
        &self,
        environment_id: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ApplicationView>> {
        let mut conn = self.connection().await?;
        environment(&mut conn, environment_id, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE environment_id = $1 ORDER BY seq"
        ))
        .bind(environment_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(unavailable)?;
        rows.iter().map(application_view).collect()
    }

    /// One application (provisioned as a native application in `auto` tenancy).
    pub async fn get_application(&self, key: AppKey, now: Timestamp) -> Result<ApplicationView> {
        let mut conn = self.connection().await?;
        application(&mut conn, key, self.tenancy, now)
            .await?
            .map(|(view, _)| view)
            .ok_or(StoreError::NotFound)
    }

    /// Replaces an application's attributes; its type cannot change. The row is locked from the
    /// read of the current attributes to the write, so no replace is lost.
    pub async fn replace_application(
        &self,
        key: AppKey,
        spec: ApplicationSpec,
        now: Timestamp,
    ) -> Result<ApplicationView> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        application(&mut tx, key, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current: Option<Value> = sqlx::query_scalar(
            "SELECT attributes FROM applications WHERE environment_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(key.environment_id)
        .bind(key.application_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let current = current.ok_or(StoreError::NotFound)?;
        let current =
            ApplicationSpec::from_stored(&current).ok_or_else(|| broken("application"))?;
        if current.application_type() != spec.application_type() {
            let current = canonical(&APPLICATION_TYPES, current.application_type());
            return Err(StoreError::ApplicationTypeChanged(current));
        }
        let spec = spec.keeping_create_only(&current);
        let row = sqlx::query(&format!(
            "UPDATE applications SET attributes = $3::json, updated_at = GREATEST(updated_at, $4)
             WHERE environment_id = $1 AND id = $2 RETURNING {APPLICATION_COLUMNS}"
        ))
        .bind(key.environment_id)
        .bind(key.application_id)
        .bind(json_text(&spec.to_stored()))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        application_view(&row)
    }

    /// Deletes an application and its push credentials; its id is not provisioned again.
    pub async fn delete_application(&self, key: AppKey) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let deleted = sqlx::query("DELETE FROM applications WHERE environment_id = $1 AND id = $2")
            .bind(key.environment_id)
            .bind(key.application_id)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO deleted_applications (environment_id, id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(key.environment_id)
        .bind(key.application_id)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)
    }

    /// The client secret of a worker or service application.
    pub async fn application_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret> {
        let mut conn = self.connection().await?;
        let (_, secret) = application(&mut conn, key, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        secret.ok_or(StoreError::NoSecret)
    }

    /// Replaces the client secret of a worker or service application with a new one.
    pub async fn regenerate_secret(&self, key: AppKey, now: Timestamp) -> Result<Secret> {
        let mut conn = self.connection().await?;
        application(&mut conn, key, self.tenancy, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        let secret = generate_secret();
        let updated = sqlx::query(
            "UPDATE applications SET client_secret = $3
             WHERE environment_id = $1 AND id = $2 AND client_secret IS NOT NULL",
        )
        .bind(key.environment_id)
        .bind(key.application_id)
        .bind(secret.expose())
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NoSecret);
        }
        Ok(secret)
    }

    /// Authenticates a client of `environment_id` for the client-credentials grant.
    pub async fn authenticate_client(
        &self,
        environment_id: Uuid,
        client_id: &str,
        secret: &str,
    ) -> std::result::Result<ApplicationView, ClientAuthError> {
        let application_id = Uuid::try_parse(client_id).map_err(|_| ClientError::InvalidClient)?;
        let row = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS}, client_secret FROM applications
             WHERE environment_id = $1 AND id = $2"
        ))
        .bind(environment_id)
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|error| ClientAuthError::Store(unavailable(error)))?
        .ok_or(ClientError::InvalidClient)?;
        let stored: Option<String> = row
            .try_get("client_secret")
            .map_err(|error| ClientAuthError::Store(unavailable(error)))?;
        let view = application_view(&row).map_err(ClientAuthError::Store)?;
        let matches = stored.is_some_and(|stored| constant_time_eq(&stored, secret));
        if !matches || !view.spec.is_enabled() {
            return Err(ClientError::InvalidClient.into());
        }
        if !view.spec.has_grant_type("CLIENT_CREDENTIALS") {
            return Err(ClientError::UnauthorizedClient.into());
        }
        Ok(view)
    }

    // The whole state.

    /// A copy of everything, secrets included, in one consistent read.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        let environments = sqlx::query(&format!(
            "SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY seq"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(unavailable)?;
        let applications = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS}, client_secret FROM applications ORDER BY seq"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(unavailable)?;
        let credentials = sqlx::query(
            "SELECT id, environment_id, application_id, body, created_at, updated_at
             FROM push_credentials ORDER BY seq",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(unavailable)?;
        let global: Vec<Uuid> = sqlx::query_scalar("SELECT manager FROM global_managers")
            .fetch_all(&mut *tx)
            .await
            .map_err(unavailable)?;
        let managers = sqlx::query(
            "SELECT m.manager, m.target FROM managers m JOIN environments e ON e.id = m.target
             WHERE m.manager <> m.target ORDER BY e.seq",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;

        let mut records = Vec::with_capacity(environments.len());
        for row in &environments {
            let view = environment_view(row)?;
            let manages = if global.contains(&view.id) {
                Grants::All
            } else {
                let managed: Vec<Uuid> = managers
                    .iter()
                    .filter(|grant| grant.try_get::<Uuid, _>("manager").ok() == Some(view.id))
                    .filter_map(|grant| grant.try_get::<Uuid, _>("target").ok())
                    .collect();
                if managed.is_empty() {
                    Grants::Own
                } else {
                    Grants::Some(managed)
                }
            };
            records.push(EnvironmentRecord {
                id: view.id,
                spec: view.spec,
                created_at: view.created_at,
                updated_at: view.updated_at,
                manages,
                applications: Vec::new(),
            });
        }
        for row in &applications {
            let view = application_view(row)?;
            let secret: Option<String> = row.try_get("client_secret").map_err(unavailable)?;
            let environment = records
                .iter_mut()
                .find(|record| record.id == view.key.environment_id)
                .ok_or_else(|| broken("application"))?;
            environment.applications.push(ApplicationRecord {
                id: view.key.application_id,
                spec: view.spec,
                client_secret: secret.map(Secret::new),
                created_at: view.created_at,
                updated_at: view.updated_at,
                push_credentials: Vec::new(),
            });
        }
        for row in &credentials {
            let environment_id: Uuid = row.try_get("environment_id").map_err(unavailable)?;
            let application_id: Uuid = row.try_get("application_id").map_err(unavailable)?;
            let body: Value = row.try_get("body").map_err(unavailable)?;
            let application = records
                .iter_mut()
                .filter(|record| record.id == environment_id)
                .flat_map(|record| record.applications.iter_mut())
                .find(|application| application.id == application_id)
                .ok_or_else(|| broken("credential"))?;
            application.push_credentials.push(CredentialRecord {
                id: row.try_get("id").map_err(unavailable)?,
                created_at: row.try_get("created_at").map_err(unavailable)?,
                updated_at: row.try_get("updated_at").map_err(unavailable)?,
                credential: PushCredential::from_stored(&body)
                    .ok_or_else(|| broken("credential"))?,
            });
        }
        Ok(Snapshot {
            environments: records,
        })
    }

    /// Replaces everything with `snapshot` in one transaction: every replica sees the old state
    /// or the new one. Refused, with nothing changed, for the reasons the memory store refuses
    /// one (checked by restoring it there first). Forgets deleted ids. Says what was replaced.
    pub async fn restore(&self, snapshot: Snapshot) -> Result<Removed> {
        // The memory store's checks (repeated ids, two credentials of a type, credentials on
        // a non-native application), and the client secrets it generates for those left out.
        let checked = Store::with_tenancy(self.tenancy);
        checked.restore(snapshot)?;
        let snapshot = checked.snapshot();
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let removed = counts(&mut tx).await?;
        sqlx::query(
            "TRUNCATE environments, applications, push_credentials, deleted_environments,
                      deleted_applications, managers, global_managers",
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        for environment in &snapshot.environments {
            insert_environment(&mut tx, environment).await?;
        }
        for environment in &snapshot.environments {
            match &environment.manages {
                Grants::Own => {}
                Grants::All => {
                    sqlx::query("INSERT INTO global_managers (manager) VALUES ($1)")
                        .bind(environment.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                Grants::Some(targets) => {
                    for target in targets {
                        sqlx::query(
                            "INSERT INTO managers (target, manager) SELECT $1, $2
                             WHERE EXISTS (SELECT 1 FROM environments WHERE id = $1)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(target)
                        .bind(environment.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                    }
                }
            }
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(removed)
    }

    /// Removes everything, deleted ids and grants included; says what that was.
    pub async fn clear(&self) -> Result<Removed> {
        self.restore(Snapshot::default()).await
    }

    /// Removes one environment with its applications, credentials and the grants its tokens
    /// held; unlike a `DELETE`, the id is not remembered as deleted.
    pub async fn remove_environment(&self, environment_id: Uuid) -> Result<Removed> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let counted = sqlx::query(
            "SELECT (SELECT count(*) FROM environments WHERE id = $1),
                    (SELECT count(*) FROM applications WHERE environment_id = $1),
                    (SELECT count(*) FROM push_credentials WHERE environment_id = $1)",
        )
        .bind(environment_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        for statement in [
            "DELETE FROM environments WHERE id = $1",
            "DELETE FROM deleted_environments WHERE id = $1",
            "DELETE FROM deleted_applications WHERE environment_id = $1",
            "DELETE FROM managers WHERE manager = $1",
            "DELETE FROM global_managers WHERE manager = $1",
        ] {
            sqlx::query(statement)
                .bind(environment_id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        removed_of(&counted)
    }
}

/// Why client authentication failed: the client, or the database.
#[derive(Debug)]
pub enum ClientAuthError {
    /// The client's fault, as in memory.
    Client(ClientError),
    /// The database's.
    Store(StoreError),
}

impl From<ClientError> for ClientAuthError {
    fn from(error: ClientError) -> Self {
        Self::Client(error)
    }
}

async fn counts(conn: &mut PgConnection) -> Result<Removed> {
    let row = sqlx::query(
        "SELECT (SELECT count(*) FROM environments), (SELECT count(*) FROM applications),
                (SELECT count(*) FROM push_credentials)",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unavailable)?;
    removed_of(&row)
}

fn removed_of(row: &PgRow) -> Result<Removed> {
    let count = |index: usize| -> Result<usize> {
        let value: i64 = row.try_get(index).map_err(unavailable)?;
        Ok(usize::try_from(value).unwrap_or(0))
    };
    Ok(Removed {
        environments: count(0)?,
        applications: count(1)?,
        push_credentials: count(2)?,
    })
}

/// Writes one environment record with its applications and credentials, in their order.
async fn insert_environment(conn: &mut PgConnection, record: &EnvironmentRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO environments (id, attributes, created_at, updated_at)
         VALUES ($1, $2::json, $3, $4)",
    )
    .bind(record.id)
    .bind(json_text(&record.spec.to_stored()))
    .bind(record.created_at)
    .bind(record.updated_at)
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    for application in &record.applications {
        sqlx::query(
            "INSERT INTO applications
                 (environment_id, id, attributes, client_secret, created_at, updated_at)
             VALUES ($1, $2, $3::json, $4, $5, $6)",
        )
        .bind(record.id)
        .bind(application.id)
        .bind(json_text(&application.spec.to_stored()))
        .bind(application.client_secret.as_ref().map(Secret::expose))
        .bind(application.created_at)
        .bind(application.updated_at)
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
        for credential in &application.push_credentials {
            sqlx::query(
                "INSERT INTO push_credentials (id, environment_id, application_id, type, body,
                                               client_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5::json, $8, $6, $7)",
            )
            .bind(credential.id)
            .bind(record.id)
            .bind(application.id)
            .bind(credential.credential.credential_type().as_str())
            .bind(json_text(&credential.credential.to_stored()))
            .bind(credential.created_at)
            .bind(credential.updated_at)
            .bind(credential.credential.client_id())
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
        }
    }
    Ok(())
}
