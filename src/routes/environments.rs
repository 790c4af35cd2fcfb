//! `/v1/environments[/{environmentId}]`

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use uuid::Uuid;

use super::wire::{Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::parse_environment;
use crate::error::{ApiError, ApiResult};
use crate::extract::{EnvironmentPath, JsonObject};
use crate::links::Links;
use crate::middleware::TokenEnvironment;
use crate::server::AppState;
use crate::store::EnvironmentView;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/environments", get(list).post(create))
        .route(
            "/v1/environments/{environmentId}",
            get(read).put(replace).delete(delete),
        )
}

/// `POST /v1/environments`: 201; tokens of the creating environment may manage it.
async fn create(
    State(state): State<AppState>,
    token: Option<Extension<TokenEnvironment>>,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<EnvironmentResource>)> {
    let spec = parse_environment(&body, state.settings().parse_options.reject_unknown_fields)
        .map_err(ApiError::Validation)?;
    let creator = token.map(|Extension(TokenEnvironment(env))| env);
    let view = state
        .store()
        .create_environment(spec, creator, state.clock().now());
    Ok((
        StatusCode::CREATED,
        Json(EnvironmentResource::new(&view, &links)),
    ))
}

/// `GET /v1/environments`: every environment in creation order.
async fn list(State(state): State<AppState>, links: Links) -> Json<EnvironmentCollection> {
    let items: Vec<EnvironmentResource> = state
        .store()
        .list_environments()
        .iter()
        .map(|view| EnvironmentResource::new(view, &links))
        .collect();
    Json(EnvironmentCollection {
        links: SelfLink {
            this: Href::new(links.environments()),
        },
        count: items.len(),
        size: items.len(),
        embedded: Embedded {
            environments: items,
        },
    })
}

/// `GET /v1/environments/{environmentId}`
async fn read(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
    links: Links,
) -> ApiResult<Json<EnvironmentResource>> {
    let view = state.store().get_environment(id, state.clock().now())?;
    Ok(Json(EnvironmentResource::new(&view, &links)))
}

/// `PUT /v1/environments/{environmentId}`: the whole body is required.
async fn replace(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<EnvironmentResource>> {
    let now = state.clock().now();
    let spec = match parse_environment(&body, state.settings().parse_options.reject_unknown_fields)
    {
        Ok(spec) => spec,
        Err(errors) => {
            state.store().get_environment(id, now)?;
            return Err(ApiError::Validation(errors));
        }
    };
    let view = state.store().replace_environment(id, spec, now)?;
    Ok(Json(EnvironmentResource::new(&view, &links)))
}

/// `DELETE /v1/environments/{environmentId}`: 204; everything in it goes too.
async fn delete(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
) -> ApiResult<StatusCode> {
    state.store().delete_environment(id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An environment as PingOne sends it.
#[derive(Debug, Serialize)]
pub struct EnvironmentResource {
    #[serde(rename = "_links")]
    links: EnvironmentLinks,
    id: Uuid,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(rename = "type")]
    environment_type: &'static str,
    region: &'static str,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<IdRef>,
}

#[derive(Debug, Serialize)]
struct EnvironmentLinks {
    #[serde(rename = "self")]
    this: Href,
    applications: Href,
}

impl EnvironmentResource {
    fn new(view: &EnvironmentView, links: &Links) -> Self {
        Self {
            links: EnvironmentLinks {
                this: Href::new(links.environment(view.id)),
                applications: Href::new(links.applications(view.id)),
            },
            id: view.id,
            name: view.spec.name.clone(),
            description: view.spec.description.clone(),
            environment_type: view.spec.environment_type,
            region: view.spec.region,
            created_at: format_timestamp(view.created_at),
            updated_at: format_timestamp(view.updated_at),
            license: view.spec.license_id.map(|id| IdRef { id }),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EnvironmentCollection {
    #[serde(rename = "_links")]
    links: SelfLink,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

#[derive(Debug, Serialize)]
struct Embedded {
    environments: Vec<EnvironmentResource>,
}
