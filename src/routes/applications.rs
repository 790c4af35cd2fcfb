//! `/v1/environments/{environmentId}/applications[/{applicationId}[/secret]]`

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use uuid::Uuid;

use super::wire::{Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::parse_application;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppPath, EnvironmentPath, JsonObject};
use crate::links::Links;
use crate::server::AppState;
use crate::store::{AppKey, ApplicationView};

const COLLECTION: &str = "/v1/environments/{environmentId}/applications";
const ITEM: &str = "/v1/environments/{environmentId}/applications/{applicationId}";
const SECRET: &str = "/v1/environments/{environmentId}/applications/{applicationId}/secret";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route(ITEM, get(read).put(replace).delete(delete))
        .route(SECRET, get(read_secret).post(regenerate_secret))
}

/// `POST …/applications`: 201; workers and services get a generated client secret.
async fn create(
    State(state): State<AppState>,
    EnvironmentPath(environment_id): EnvironmentPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<ApplicationResource>)> {
    let now = state.clock().now();
    let spec = match parse_application(&body, state.settings().parse_options.reject_unknown_fields)
    {
        Ok(spec) => spec,
        Err(errors) => {
            state.store().get_environment(environment_id, now)?;
            return Err(ApiError::Validation(errors));
        }
    };
    let view = state
        .store()
        .create_application(environment_id, spec, now)?;
    Ok((
        StatusCode::CREATED,
        Json(ApplicationResource::new(&view, &links)),
    ))
}

/// `GET …/applications`: the environment's applications in creation order.
async fn list(
    State(state): State<AppState>,
    EnvironmentPath(environment_id): EnvironmentPath,
    links: Links,
) -> ApiResult<Json<ApplicationCollection>> {
    let items: Vec<ApplicationResource> = state
        .store()
        .list_applications(environment_id, state.clock().now())?
        .iter()
        .map(|view| ApplicationResource::new(view, &links))
        .collect();
    Ok(Json(ApplicationCollection {
        links: SelfLink {
            this: Href::new(links.applications(environment_id)),
        },
        count: items.len(),
        size: items.len(),
        embedded: Embedded {
            applications: items,
        },
    }))
}

/// `GET …/applications/{applicationId}`
async fn read(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<ApplicationResource>> {
    let view = state.store().get_application(key, state.clock().now())?;
    Ok(Json(ApplicationResource::new(&view, &links)))
}

/// `PUT …/applications/{applicationId}`: the whole body is required; `type` cannot change.
async fn replace(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<ApplicationResource>> {
    let now = state.clock().now();
    let spec = match parse_application(&body, state.settings().parse_options.reject_unknown_fields)
    {
        Ok(spec) => spec,
        Err(errors) => {
            state.store().get_application(key, now)?;
            return Err(ApiError::Validation(errors));
        }
    };
    let view = state.store().replace_application(key, spec, now)?;
    Ok(Json(ApplicationResource::new(&view, &links)))
}

/// `DELETE …/applications/{applicationId}`: 204; its push credentials go too.
async fn delete(State(state): State<AppState>, AppPath(key): AppPath) -> ApiResult<StatusCode> {
    state.store().delete_application(key)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/applications/{applicationId}/secret`: a worker's or service's client secret, the one
/// place PingOne hands a secret back.
async fn read_secret(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<SecretResource>> {
    let secret = state.store().application_secret(key, state.clock().now())?;
    Ok(Json(SecretResource::new(key, secret.expose(), &links)))
}

/// `POST …/applications/{applicationId}/secret`: replaces the client secret with a new one.
async fn regenerate_secret(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<SecretResource>> {
    let secret = state.store().regenerate_secret(key, state.clock().now())?;
    Ok(Json(SecretResource::new(key, secret.expose(), &links)))
}

/// An application as PingOne sends it.
#[derive(Debug, Serialize)]
pub struct ApplicationResource {
    #[serde(rename = "_links")]
    links: ApplicationLinks,
    environment: IdRef,
    id: Uuid,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    enabled: bool,
    #[serde(rename = "type")]
    application_type: &'static str,
    protocol: &'static str,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
    #[serde(rename = "grantTypes")]
    grant_types: Vec<&'static str>,
    #[serde(rename = "tokenEndpointAuthMethod")]
    token_endpoint_auth_method: &'static str,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    mobile: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
struct ApplicationLinks {
    #[serde(rename = "self")]
    this: Href,
    environment: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<Href>,
    #[serde(rename = "pushCredentials", skip_serializing_if = "Option::is_none")]
    push_credentials: Option<Href>,
}

impl ApplicationResource {
    fn new(view: &ApplicationView, links: &Links) -> Self {
        let key = view.key;
        let spec = &view.spec;
        Self {
            links: ApplicationLinks {
                this: Href::new(links.application(key)),
                environment: Href::new(links.environment(key.environment_id)),
                secret: spec
                    .has_client_secret()
                    .then(|| Href::new(links.application_secret(key))),
                push_credentials: spec
                    .is_native()
                    .then(|| Href::new(links.push_credentials(key))),
            },
            environment: IdRef {
                id: key.environment_id,
            },
            id: key.application_id,
            name: spec.name.clone(),
            description: spec.description.clone(),
            enabled: spec.enabled,
            application_type: spec.application_type,
            protocol: spec.protocol,
            created_at: format_timestamp(view.created_at),
            updated_at: format_timestamp(view.updated_at),
            grant_types: spec.grant_types.clone(),
            token_endpoint_auth_method: spec.token_endpoint_auth_method,
            mobile: spec
                .mobile
                .iter()
                .map(|(field, value)| ((*field).to_owned(), value.clone().into()))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApplicationCollection {
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
    applications: Vec<ApplicationResource>,
}

/// `{"_links": …, "secret": "…"}`
#[derive(Debug, Serialize)]
pub struct SecretResource {
    #[serde(rename = "_links")]
    links: SecretLinks,
    secret: String,
}

#[derive(Debug, Serialize)]
struct SecretLinks {
    #[serde(rename = "self")]
    this: Href,
    application: Href,
}

impl SecretResource {
    fn new(key: AppKey, secret: &str, links: &Links) -> Self {
        Self {
            links: SecretLinks {
                this: Href::new(links.application_secret(key)),
                application: Href::new(links.application(key)),
            },
            secret: secret.to_owned(),
        }
    }
}
