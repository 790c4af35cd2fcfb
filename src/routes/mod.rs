//! The HTTP surface: one module per resource, each with its own `router()`.
//!
//! Every route is registered through `utoipa_axum`'s `routes!`, so each one is in the OpenAPI
//! document; plain `route` or `nest` calls would bypass it (a test looks for them).

mod admin;
mod applications;
mod environments;
mod health;
mod oauth;
mod push_credentials;
mod wire;

pub use push_credentials::Command;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::openapi::{self, ApiDoc};
use crate::state::{AdminAccess, AppState};

/// `GET /openapi.json`
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "getOpenApiDocument",
    tag = openapi::HEALTH_TAG,
    responses((status = 200, description = "This document", content_type = "application/json"))
)]
async fn openapi_document(State(state): State<AppState>) -> impl IntoResponse {
    let document = state
        .openapi_cache()
        .get_or_init(|| openapi::document_json(&openapi(&state)).into());
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.clone(),
    )
}

/// Every route, with PingOne-shaped answers for unknown paths and methods.
pub fn router(state: &AppState) -> Router<AppState> {
    let (router, _) = api(state).split_for_parts();
    router
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The OpenAPI document describing exactly the routes [`router`] serves (admin ones only when
/// they are on). Built when first asked for, not at start-up: it is the largest thing the
/// server would otherwise build and keep before its first call.
pub fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    api(state).split_for_parts().1
}

/// The routes with their descriptions.
fn api(state: &AppState) -> OpenApiRouter<AppState> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(environments::router())
        .merge(applications::router())
        .merge(push_credentials::router())
        .merge(oauth::router())
        .merge(health::router())
        .routes(routes!(openapi_document));
    if state.settings().admin != AdminAccess::Disabled {
        api = api.merge(admin::router(state));
    }
    api
}

/// Any path that is not served: 404 `NOT_FOUND`.
async fn unknown_route() -> ApiError {
    ApiError::NotFound
}

/// A served path with a method it does not take: 405, with axum's `Allow` header.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Files under `dir` whose text registers a route without describing it.
    fn undocumented_routes(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                undocumented_routes(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Spelled in two halves so that this file does not find itself.
                for needle in [
                    concat!(".rou", "te("),
                    concat!(".rou", "te_service("),
                    concat!(".ne", "st("),
                    concat!(".ne", "st_service("),
                ] {
                    if text.contains(needle) {
                        found.push(format!("{} uses {needle}", path.display()));
                    }
                }
            }
        }
    }

    #[test]
    fn no_route_is_registered_outside_the_openapi_router() {
        let mut found = Vec::new();
        undocumented_routes(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
