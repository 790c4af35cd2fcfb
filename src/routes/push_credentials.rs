//! `/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials[/{id}]`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::wire::{ApplicationParams, CredentialParams, Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::{FieldError, declared_type, parse_push_credential};
use crate::error::ErrorBody;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppPath, CredentialPath, JsonObject};
use crate::faults;
use crate::links::Links;
use crate::openapi::PINGONE_TAG;
use crate::openapi::schemas::{PushCredentialRequest, PushCredentialType};
use crate::operations::{self, COLLECTION, ITEM};
use crate::server::AppState;
use crate::store::{AppKey, CredentialView};

/// The PingOne routes, behind fault injection (a route layer: it sees the matched template).
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, replace, delete))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject::inject,
        ))
}

/// `POST …/pushCredentials`: 201 with the new resource.
#[utoipa::path(
    post,
    path = COLLECTION,
    operation_id = operations::CREATE,
    tag = PINGONE_TAG,
    params(ApplicationParams),
    request_body(content = PushCredentialRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Resource, links(
            ("read" = (operation_id = operations::READ_ONE, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/application/id"), ("pushCredentialId" = "$response.body#/id")))),
            ("replace" = (operation_id = operations::UPDATE, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/application/id"), ("pushCredentialId" = "$response.body#/id")),
                description = "With a body of the same `type`: it cannot change")),
            ("delete" = (operation_id = operations::DELETE, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/application/id"), ("pushCredentialId" = "$response.body#/id")))),
        )),
        (status = 400, description = "Validation failed, the application is not a native application, or it already has a credential of this type", body = ErrorBody),
        (status = 401, description = "No bearer token", body = ErrorBody),
        (status = 404, description = "No such environment or application (strict tenancy, or deleted)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn create(
    State(state): State<AppState>,
    AppPath(app): AppPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    let credential = parse_push_credential(&body, state.settings().parse_options)
        .map_err(ApiError::Validation)?;
    let view = state.store().create(app, credential, state.clock().now())?;
    Ok((StatusCode::CREATED, Json(Resource::new(&view, &links))))
}

/// `GET …/pushCredentials`: the application's credentials in creation order.
#[utoipa::path(
    get,
    path = COLLECTION,
    operation_id = operations::READ_ALL,
    tag = PINGONE_TAG,
    params(ApplicationParams),
    responses(
        (status = 200, description = "The application's push credentials", body = Collection),
        (status = 401, description = "No bearer token", body = ErrorBody),
        (status = 404, description = "No such environment or application (strict tenancy, or deleted)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn list(
    State(state): State<AppState>,
    AppPath(app): AppPath,
    links: Links,
) -> ApiResult<Json<Collection>> {
    let items: Vec<Resource> = state
        .store()
        .list(app, state.clock().now())?
        .iter()
        .map(|view| Resource::new(view, &links))
        .collect();
    Ok(Json(Collection::new(app, items, &links)))
}

/// `GET …/pushCredentials/{id}`
#[utoipa::path(
    get,
    path = ITEM,
    operation_id = operations::READ_ONE,
    tag = PINGONE_TAG,
    params(CredentialParams),
    responses(
        (status = 200, description = "The push credential", body = Resource),
        (status = 401, description = "No bearer token", body = ErrorBody),
        (status = 404, description = "No such push credential", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn read(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
) -> ApiResult<Json<Resource>> {
    let view = state.store().get(app, id, state.clock().now())?;
    Ok(Json(Resource::new(&view, &links)))
}

/// `PUT …/pushCredentials/{id}`: the whole body is required; `type` cannot change.
#[utoipa::path(
    put,
    path = ITEM,
    operation_id = operations::UPDATE,
    tag = PINGONE_TAG,
    params(CredentialParams),
    request_body(content = PushCredentialRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Replaced", body = Resource),
        (status = 400, description = "Validation failed, or the type changed", body = ErrorBody),
        (status = 401, description = "No bearer token", body = ErrorBody),
        (status = 404, description = "No such push credential", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn replace(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Resource>> {
    let store = state.store();
    match parse_push_credential(&body, state.settings().parse_options) {
        Ok(credential) => {
            let view = store.replace(app, id, credential, state.clock().now())?;
            Ok(Json(Resource::new(&view, &links)))
        }
        Err(mut errors) => {
            // A missing credential answers 404 before its body is judged; a type change is
            // reported as such rather than as whatever else is wrong with the new type.
            let stored = store.get(app, id, state.clock().now())?;
            if declared_type(&body).is_some_and(|ty| ty != stored.credential_type) {
                errors.retain(|error| error.target != "type");
                errors.insert(0, FieldError::type_is_immutable(stored.credential_type));
            }
            Err(ApiError::Validation(errors))
        }
    }
}

/// `DELETE …/pushCredentials/{id}`: 204, no body.
#[utoipa::path(
    delete,
    path = ITEM,
    operation_id = operations::DELETE,
    tag = PINGONE_TAG,
    params(CredentialParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No bearer token", body = ErrorBody),
        (status = 404, description = "No such push credential", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn delete(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
) -> ApiResult<StatusCode> {
    state.store().delete(app, id, state.clock().now())?;
    Ok(StatusCode::NO_CONTENT)
}

/// A push credential as PingOne sends it, fields in PingOne's order; no secret is here to leak.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PushCredential)]
pub struct Resource {
    #[serde(rename = "_links")]
    links: ResourceLinks,
    id: Uuid,
    environment: IdRef,
    application: IdRef,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
    #[serde(rename = "type")]
    #[schema(value_type = PushCredentialType)]
    credential_type: &'static str,
    /// HMS only.
    #[serde(rename = "clientId", skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
struct ResourceLinks {
    #[serde(rename = "self")]
    this: Href,
    environment: Href,
    application: Href,
}

impl Resource {
    fn new(view: &CredentialView, links: &Links) -> Self {
        let app = view.app;
        Self {
            links: ResourceLinks {
                this: Href::new(links.push_credential(app, view.id)),
                environment: Href::new(links.environment(app.environment_id)),
                application: Href::new(links.application(app)),
            },
            id: view.id,
            environment: IdRef {
                id: app.environment_id,
            },
            application: IdRef {
                id: app.application_id,
            },
            created_at: format_timestamp(view.created_at),
            updated_at: format_timestamp(view.updated_at),
            credential_type: view.credential_type.as_str(),
            client_id: view.client_id.clone(),
        }
    }
}

/// The list answer. No `_links.next`: the SDK would follow it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PushCredentialCollection)]
pub struct Collection {
    #[serde(rename = "_links")]
    links: CollectionLinks,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
struct CollectionLinks {
    #[serde(rename = "self")]
    this: Href,
}

#[derive(Debug, Serialize, ToSchema)]
struct Embedded {
    #[serde(rename = "pushCredentials")]
    push_credentials: Vec<Resource>,
}

impl Collection {
    fn new(app: AppKey, items: Vec<Resource>, links: &Links) -> Self {
        Self {
            links: CollectionLinks {
                this: Href::new(links.push_credentials(app)),
            },
            count: items.len(),
            size: items.len(),
            embedded: Embedded {
                push_credentials: items,
            },
        }
    }
}
