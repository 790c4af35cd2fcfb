//! The suite against the PostgreSQL store: with `PINGONE_MOCK_TEST_DATABASE` set to a
//! PostgreSQL URL (`scripts/test-postgres.sh` starts a throwaway cluster and sets it), every
//! server the suite spawns keeps its state in a schema of its own in that database, so the same
//! tests hold both stores to the same answers. Unset, they run on the memory store.

use pingone_push_mock::config::StoreLocation;
use pingone_push_mock::domain::Secret;
use sqlx::Connection;
use uuid::Uuid;

/// The variable that names the database.
pub const TEST_DATABASE: &str = "PINGONE_MOCK_TEST_DATABASE";

/// The database the suite runs against, if one is named.
pub fn test_database() -> Option<String> {
    std::env::var(TEST_DATABASE)
        .ok()
        .filter(|url| !url.is_empty())
}

/// A store location with an empty schema of its own in `url`'s database.
pub async fn fresh_store(url: &str) -> StoreLocation {
    StoreLocation::Postgres(Secret::new(fresh_schema(url).await))
}

/// The URL of an empty schema of its own in `url`'s database.
pub async fn fresh_schema(url: &str) -> String {
    let schema = format!("test_{}", Uuid::new_v4().simple());
    let mut connection = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|error| panic!("{TEST_DATABASE}: {error}"));
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut connection)
        .await
        .expect("a schema is created");
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}

/// The database the replica tests need, or why they cannot run.
pub fn replica_database() -> String {
    test_database().unwrap_or_else(|| {
        panic!(
            "{TEST_DATABASE} is not set: run these with scripts/test-postgres.sh, which starts a \
             throwaway PostgreSQL and runs `cargo test -- --include-ignored`"
        )
    })
}
