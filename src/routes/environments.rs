//! `/v1/environments[/{environmentId}]`

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::wire::{EnvironmentParams, Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::parse_environment;
use crate::error::{ApiError, ApiResult, ErrorBody, parsed_if_found};
use crate::extract::{EnvironmentPath, JsonObject};
use crate::links::Links;
use crate::middleware::TokenEnvironment;
use crate::openapi::ENVIRONMENTS_TAG;
use crate::openapi::schemas::EnvironmentRequest;
use crate::operations::{self, ENVIRONMENT, ENVIRONMENTS};
use crate::server::AppState;
use crate::store::EnvironmentView;

/// The environment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, replace, delete))
}

/// `POST /v1/environments`: 201; tokens of the creating environment may manage it.
#[utoipa::path(
    post,
    path = ENVIRONMENTS,
    operation_id = operations::CREATE_ENVIRONMENT,
    tag = ENVIRONMENTS_TAG,
    request_body(content = EnvironmentRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = EnvironmentResource, links(
            ("read" = (operation_id = operations::READ_ONE_ENVIRONMENT, parameters(("environmentId" = "$response.body#/id")))),
            ("replace" = (operation_id = operations::UPDATE_ENVIRONMENT, parameters(("environmentId" = "$response.body#/id")))),
            ("delete" = (operation_id = operations::DELETE_ENVIRONMENT, parameters(("environmentId" = "$response.body#/id")))),
            ("createApplication" = (operation_id = operations::CREATE_APPLICATION, parameters(("environmentId" = "$response.body#/id")))),
            ("listApplications" = (operation_id = operations::READ_ALL_APPLICATIONS, parameters(("environmentId" = "$response.body#/id")))),
        )),
        (status = 400, description = "Validation failed", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
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

/// `GET /v1/environments`: in creation order, every environment the caller may manage (with
/// `--auth jwt`: the token's own, those it was granted, and in `auto` tenancy all of them;
/// otherwise all of them), as PingOne lists what a worker's roles reach.
#[utoipa::path(
    get,
    path = ENVIRONMENTS,
    operation_id = operations::READ_ALL_ENVIRONMENTS,
    tag = ENVIRONMENTS_TAG,
    responses(
        (status = 200, description = "Every environment the caller may manage", body = EnvironmentCollection),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn list(
    State(state): State<AppState>,
    links: Links,
    token: Option<Extension<TokenEnvironment>>,
) -> Json<EnvironmentCollection> {
    let store = state.store();
    let items: Vec<EnvironmentResource> = store
        .list_environments()
        .iter()
        .filter(|view| {
            token
                .as_ref()
                .is_none_or(|Extension(TokenEnvironment(env))| store.may_manage(*env, view.id))
        })
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

/// `GET /v1/environments/{environmentId}` (provisioned on first use in `auto` tenancy).
#[utoipa::path(
    get,
    path = ENVIRONMENT,
    operation_id = operations::READ_ONE_ENVIRONMENT,
    tag = ENVIRONMENTS_TAG,
    params(EnvironmentParams),
    responses(
        (status = 200, description = "The environment", body = EnvironmentResource),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token may not manage this environment", body = ErrorBody),
        (status = 404, description = "No such environment", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn read(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
    links: Links,
) -> ApiResult<Json<EnvironmentResource>> {
    let view = state.store().get_environment(id, state.clock().now())?;
    Ok(Json(EnvironmentResource::new(&view, &links)))
}

/// `PUT /v1/environments/{environmentId}`: the whole body is required.
#[utoipa::path(
    put,
    path = ENVIRONMENT,
    operation_id = operations::UPDATE_ENVIRONMENT,
    tag = ENVIRONMENTS_TAG,
    params(EnvironmentParams),
    request_body(content = EnvironmentRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Replaced", body = EnvironmentResource),
        (status = 400, description = "Validation failed", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token may not manage this environment", body = ErrorBody),
        (status = 404, description = "No such environment", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn replace(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<EnvironmentResource>> {
    let now = state.clock().now();
    let spec = parsed_if_found(
        parse_environment(&body, state.settings().parse_options.reject_unknown_fields),
        || state.store().get_environment(id, now),
    )?;
    let view = state.store().replace_environment(id, spec, now)?;
    Ok(Json(EnvironmentResource::new(&view, &links)))
}

/// `DELETE /v1/environments/{environmentId}`: 204; everything in it goes too.
#[utoipa::path(
    delete,
    path = ENVIRONMENT,
    operation_id = operations::DELETE_ENVIRONMENT,
    tag = ENVIRONMENTS_TAG,
    params(EnvironmentParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token may not manage this environment", body = ErrorBody),
        (status = 404, description = "No such environment", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn delete(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
) -> ApiResult<StatusCode> {
    state.store().delete_environment(id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An environment as PingOne sends it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Environment)]
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

#[derive(Debug, Serialize, ToSchema)]
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

/// Every environment, in creation order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Environments)]
pub struct EnvironmentCollection {
    #[serde(rename = "_links")]
    links: SelfLink,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EnvironmentsLinks)]
struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EmbeddedEnvironments)]
struct Embedded {
    environments: Vec<EnvironmentResource>,
}
