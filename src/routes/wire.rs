//! Small wire shapes shared by every resource.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `{"href": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Href {
    href: String,
}

impl Href {
    /// A link to `href`.
    pub fn new(href: String) -> Self {
        Self { href }
    }
}

/// `{"id": "…"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct IdRef {
    /// The referenced id.
    pub id: Uuid,
}
