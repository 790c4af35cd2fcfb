use super::*;

#[test]
fn a_password_quoted_in_an_error_is_redacted() {
    let url = "postgres://mock:pa55word@db.internal:5432/emulator";
    let said = redact(
        "error connecting to postgres://mock:pa55word@db.internal",
        url,
    );
    assert!(!said.contains("pa55word"), "{said}");
    assert!(said.contains("mock:***@db.internal"), "{said}");
    assert_eq!(
        redact("no secret here", "postgres://db/x"),
        "no secret here"
    );
}

#[tokio::test]
async fn a_url_that_is_not_postgres_or_a_database_that_is_not_there_is_named_without_its_password()
{
    let refused = Database::connect(
        "postgres://mock:pa55word@127.0.0.1:1/emulator",
        Tenancy::Auto,
        10,
        Duration::ZERO,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(refused.contains("127.0.0.1:1/emulator"), "{refused}");
    assert!(!refused.contains("pa55word"), "{refused}");
}
