//! `/v1/environments/{environmentId}/applications[/{applicationId}[/secret]]`

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::wire::{ApplicationParams, EnvironmentParams, Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::parse_application;
use crate::error::{ApiResult, ErrorBody, parsed_if_found};
use crate::extract::{AppPath, EnvironmentPath, JsonObject};
use crate::links::Links;
use crate::openapi::APPLICATIONS_TAG;
use crate::openapi::schemas::ApplicationRequest;
use crate::openapi::{BodyRefused, Unauthorized};
use crate::operations::{self, APPLICATION, APPLICATION_SECRET, APPLICATIONS};
use crate::state::AppState;
use crate::store::{AppKey, ApplicationView};

/// The application routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, replace, delete))
        .routes(routes!(read_secret, regenerate_secret))
}

/// `POST …/applications`: 201; workers and services get a generated client secret.
#[utoipa::path(
    post,
    path = APPLICATIONS,
    operation_id = operations::CREATE_APPLICATION,
    tag = APPLICATIONS_TAG,
    params(EnvironmentParams),
    request_body(content = ApplicationRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = ApplicationDoc, links(
            ("read" = (operation_id = operations::READ_ONE_APPLICATION, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")))),
            ("replace" = (operation_id = operations::UPDATE_APPLICATION, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")))),
            ("delete" = (operation_id = operations::DELETE_APPLICATION, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")))),
            ("readSecret" = (operation_id = operations::READ_APPLICATION_SECRET, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")),
                description = "Worker and service applications only (`_links.secret`)")),
            ("regenerateSecret" = (operation_id = operations::UPDATE_APPLICATION_SECRET, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")),
                description = "Worker and service applications only (`_links.secret`)")),
            ("createPushCredential" = (operation_id = operations::CREATE, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")),
                description = "Native applications only (`_links.pushCredentials`)")),
            ("listPushCredentials" = (operation_id = operations::READ_ALL, parameters(("environmentId" = "$response.body#/environment/id"), ("applicationId" = "$response.body#/id")))),
        )),
        (status = 400, description = "Validation failed", body = ErrorBody),
        Unauthorized,
        (status = 404, description = "No such environment", body = ErrorBody),
        BodyRefused,
    ),
    security(("bearerAuth" = []))
)]
async fn create(
    State(state): State<AppState>,
    EnvironmentPath(environment_id): EnvironmentPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<(StatusCode, Json<ApplicationResource>)> {
    let now = state.clock().now();
    let spec = parsed_if_found(
        parse_application(&body, state.settings().parse_options.reject_unknown_fields),
        state.data().get_environment(environment_id, now),
    )
    .await?;
    let view = state
        .data()
        .create_application(environment_id, spec, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ApplicationResource::new(&view, &links)),
    ))
}

/// `GET …/applications`: the environment's applications in creation order.
#[utoipa::path(
    get,
    path = APPLICATIONS,
    operation_id = operations::READ_ALL_APPLICATIONS,
    tag = APPLICATIONS_TAG,
    params(EnvironmentParams),
    responses(
        (status = 200, description = "The environment's applications", body = ApplicationCollection),
        Unauthorized,
        (status = 404, description = "No such environment", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn list(
    State(state): State<AppState>,
    EnvironmentPath(environment_id): EnvironmentPath,
    links: Links,
) -> ApiResult<Json<ApplicationCollection>> {
    let items: Vec<ApplicationResource> = state
        .data()
        .list_applications(environment_id, state.clock().now())
        .await?
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
#[utoipa::path(
    get,
    path = APPLICATION,
    operation_id = operations::READ_ONE_APPLICATION,
    tag = APPLICATIONS_TAG,
    params(ApplicationParams),
    responses(
        (status = 200, description = "The application", body = ApplicationDoc),
        Unauthorized,
        (status = 404, description = "No such application", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn read(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<ApplicationResource>> {
    let view = state
        .data()
        .get_application(key, state.clock().now())
        .await?;
    Ok(Json(ApplicationResource::new(&view, &links)))
}

/// `PUT …/applications/{applicationId}`: the whole body is required; `type` cannot change.
#[utoipa::path(
    put,
    path = APPLICATION,
    operation_id = operations::UPDATE_APPLICATION,
    tag = APPLICATIONS_TAG,
    params(ApplicationParams),
    request_body(content = ApplicationRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Replaced", body = ApplicationDoc),
        (status = 400, description = "Validation failed, or the type changed", body = ErrorBody),
        Unauthorized,
        (status = 404, description = "No such application", body = ErrorBody),
        BodyRefused,
    ),
    security(("bearerAuth" = []))
)]
async fn replace(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<ApplicationResource>> {
    let now = state.clock().now();
    let spec = parsed_if_found(
        parse_application(&body, state.settings().parse_options.reject_unknown_fields),
        state.data().get_application(key, now),
    )
    .await?;
    let view = state.data().replace_application(key, spec, now).await?;
    Ok(Json(ApplicationResource::new(&view, &links)))
}

/// `DELETE …/applications/{applicationId}`: 204; its push credentials go too.
#[utoipa::path(
    delete,
    path = APPLICATION,
    operation_id = operations::DELETE_APPLICATION,
    tag = APPLICATIONS_TAG,
    params(ApplicationParams),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized,
        (status = 404, description = "No such application", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn delete(State(state): State<AppState>, AppPath(key): AppPath) -> ApiResult<StatusCode> {
    state.data().delete_application(key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/applications/{applicationId}/secret`: a worker's or service's client secret, the one
/// place PingOne hands a secret back.
#[utoipa::path(
    get,
    path = APPLICATION_SECRET,
    operation_id = operations::READ_APPLICATION_SECRET,
    tag = APPLICATIONS_TAG,
    params(ApplicationParams),
    responses(
        (status = 200, description = "The client secret", body = SecretResource),
        Unauthorized,
        (status = 404, description = "No such application, or it has no secret", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn read_secret(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<SecretResource>> {
    let now = state.clock().now();
    let secret = state.data().application_secret(key, now).await?;
    Ok(Json(SecretResource::new(key, secret.expose(), &links)))
}

/// `POST …/applications/{applicationId}/secret`: replaces the client secret with a new one.
#[utoipa::path(
    post,
    path = APPLICATION_SECRET,
    operation_id = operations::UPDATE_APPLICATION_SECRET,
    tag = APPLICATIONS_TAG,
    params(ApplicationParams),
    responses(
        (status = 200, description = "The new client secret", body = SecretResource),
        Unauthorized,
        (status = 404, description = "No such application, or it has no secret", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn regenerate_secret(
    State(state): State<AppState>,
    AppPath(key): AppPath,
    links: Links,
) -> ApiResult<Json<SecretResource>> {
    let now = state.clock().now();
    let secret = state.data().regenerate_secret(key, now).await?;
    Ok(Json(SecretResource::new(key, secret.expose(), &links)))
}

/// An application as PingOne sends it: `_links`, `environment`, `id`, then every attribute in
/// PingOne's order, with `createdAt` and `updatedAt` after `protocol` and `clientId` (the
/// application's id) before `assignActorRoles`. Its client secret is not here.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ApplicationResource(Map<String, Value>);

/// The schema of [`ApplicationResource`], for the API description.
#[derive(ToSchema)]
#[schema(as = Application)]
#[allow(dead_code)]
pub struct ApplicationDoc {
    #[schema(rename = "_links", value_type = Object)]
    links: (),
    environment: IdRef,
    id: Uuid,
    name: String,
    description: Option<String>,
    enabled: bool,
    #[schema(rename = "hiddenFromAppPortal")]
    hidden_from_app_portal: bool,
    #[schema(rename = "type")]
    application_type: String,
    protocol: String,
    #[schema(rename = "createdAt")]
    created_at: String,
    #[schema(rename = "updatedAt")]
    updated_at: String,
    #[schema(rename = "clientId")]
    client_id: String,
    #[schema(rename = "grantTypes")]
    grant_types: Vec<String>,
    #[schema(rename = "tokenEndpointAuthMethod")]
    token_endpoint_auth_method: String,
    /// A native application's mobile settings.
    #[schema(value_type = Option<Object>)]
    mobile: Option<()>,
}

impl ApplicationResource {
    fn new(view: &ApplicationView, links: &Links) -> Self {
        let key = view.key;
        let spec = &view.spec;
        let mut links_object = Map::new();
        let mut link = |name: &str, href: String| {
            links_object.insert(name.to_owned(), json!({ "href": href }));
        };
        link("self", links.application(key));
        link("environment", links.environment(key.environment_id));
        if spec.has_client_secret() {
            link("secret", links.application_secret(key));
        }
        if spec.is_native() {
            link("pushCredentials", links.push_credentials(key));
        }
        let mut body = Map::new();
        body.insert("_links".to_owned(), Value::Object(links_object));
        body.insert(
            "environment".to_owned(),
            json!({ "id": key.environment_id }),
        );
        body.insert("id".to_owned(), json!(key.application_id));
        for (name, value) in spec.attributes() {
            if name == "assignActorRoles" {
                body.insert("clientId".to_owned(), json!(key.application_id));
            }
            body.insert(name.clone(), value.clone());
            if name == "protocol" {
                body.insert(
                    "createdAt".to_owned(),
                    json!(format_timestamp(view.created_at)),
                );
                body.insert(
                    "updatedAt".to_owned(),
                    json!(format_timestamp(view.updated_at)),
                );
            }
        }
        Self(body)
    }
}

/// An environment's applications, in creation order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Applications)]
pub struct ApplicationCollection {
    #[serde(rename = "_links")]
    links: SelfLink,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApplicationsLinks)]
struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EmbeddedApplications)]
struct Embedded {
    #[schema(value_type = Vec<ApplicationDoc>)]
    applications: Vec<ApplicationResource>,
}

/// `{"_links": …, "secret": "…"}`
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApplicationSecret)]
pub struct SecretResource {
    #[serde(rename = "_links")]
    links: SecretLinks,
    secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApplicationSecretLinks)]
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
