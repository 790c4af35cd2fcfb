//! `/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials[/{id}]`

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use uuid::Uuid;

use super::wire::{Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::{FieldError, declared_type, parse_push_credential};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppPath, CredentialPath, JsonObject};
use crate::links::Links;
use crate::server::AppState;
use crate::store::{AppKey, CredentialView};

const COLLECTION: &str =
    "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials";
const ITEM: &str = "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route(ITEM, get(read).put(replace).delete(delete))
}

/// `POST …/pushCredentials`: 201 with the new resource.
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
async fn read(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
) -> ApiResult<Json<Resource>> {
    let view = state.store().get(app, id, state.clock().now())?;
    Ok(Json(Resource::new(&view, &links)))
}

/// `PUT …/pushCredentials/{id}`: the whole body is required; `type` cannot change.
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
async fn delete(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
) -> ApiResult<StatusCode> {
    state.store().delete(app, id, state.clock().now())?;
    Ok(StatusCode::NO_CONTENT)
}

/// A push credential as PingOne sends it, fields in PingOne's order; no secret is here to leak.
#[derive(Debug, Serialize)]
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
    credential_type: &'static str,
    #[serde(rename = "clientId", skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
}

#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct Collection {
    #[serde(rename = "_links")]
    links: CollectionLinks,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize)]
struct CollectionLinks {
    #[serde(rename = "self")]
    this: Href,
}

#[derive(Debug, Serialize)]
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
