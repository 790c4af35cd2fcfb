//! `/v1/environments[/{environmentId}]`

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::wire::{EnvironmentParams, Href, IdRef};
use crate::clock::format_timestamp;
use crate::domain::{Candidate, EnvironmentFilter, ORGANIZATION_ID, parse_environment};
use crate::error::{ApiError, ApiResult, ErrorBody, parsed_if_found};
use crate::extract::{EnvironmentPath, JsonObject};
use crate::links::Links;
use crate::openapi::ENVIRONMENTS_TAG;
use crate::openapi::schemas::EnvironmentRequest;
use crate::openapi::{BodyRefused, Unauthorized};
use crate::operations::{self, ENVIRONMENT, ENVIRONMENTS};
use crate::state::AppState;
use crate::store::EnvironmentView;
use crate::tokens::TokenEnvironment;

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
        Unauthorized,
        BodyRefused,
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
        .data()
        .create_environment(spec, creator, state.clock().now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EnvironmentResource::new(&view, &links)),
    ))
}

/// `GET /v1/environments`: in creation order, every environment the caller may manage (with
/// `--auth jwt`: the token's own, those it was granted, and in `auto` tenancy all of them;
/// otherwise all of them), as PingOne lists what a worker's roles reach; `filter` and `limit`
/// as PingOne documents them, further pages through `_links.next`.
#[utoipa::path(
    get,
    path = ENVIRONMENTS,
    operation_id = operations::READ_ALL_ENVIRONMENTS,
    tag = ENVIRONMENTS_TAG,
    params(ListParams),
    responses(
        (status = 200, description = "Every environment the caller may manage", body = EnvironmentCollection),
        (status = 400, description = "A filter, limit or cursor that is not supported", body = ErrorBody),
        Unauthorized,
    ),
    security(("bearerAuth" = []))
)]
async fn list(
    State(state): State<AppState>,
    links: Links,
    token: Option<Extension<TokenEnvironment>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<EnvironmentCollection>> {
    let query = ListQuery::parse(query.as_deref().unwrap_or_default())?;
    let data = state.data();
    let organization_id = ORGANIZATION_ID.to_string();
    let mut manageable = Vec::new();
    for view in data.list_environments().await? {
        let managed = match &token {
            None => true,
            Some(Extension(TokenEnvironment(env))) => data.may_manage(*env, view.id).await?,
        };
        if managed {
            manageable.push(view);
        }
    }
    let matching: Vec<EnvironmentView> = manageable
        .into_iter()
        .filter(|view| {
            let (id, license) = (
                view.id.to_string(),
                view.spec.license_id.map(|id| id.to_string()),
            );
            query.filter.matches(&Candidate {
                id: &id,
                name: &view.spec.name,
                organization_id: &organization_id,
                license_id: license.as_deref(),
            })
        })
        .collect();
    let count = matching.len();
    let limit = query.limit.filter(|_| query.filter.honours_limit());
    let start = query.cursor.min(count);
    let end = limit.map_or(count, |limit| start.saturating_add(limit).min(count));
    let items: Vec<EnvironmentResource> = matching[start..end]
        .iter()
        .map(|view| EnvironmentResource::new(view, &links))
        .collect();
    let base = links.environments();
    Ok(Json(EnvironmentCollection {
        links: ListLinks {
            this: Href::new(query.href(&base, query.cursor)),
            next: (end < count).then(|| Href::new(query.href(&base, end))),
        },
        count,
        size: items.len(),
        embedded: Embedded {
            environments: items,
        },
    }))
}

/// The query of `GET /v1/environments`.
#[derive(Debug, Default)]
struct ListQuery {
    /// As sent, to write into the links.
    filter_text: Option<String>,
    filter: EnvironmentFilter,
    limit: Option<usize>,
    /// Where the page starts: an opaque number to clients, the index of its first item here.
    cursor: usize,
}

impl ListQuery {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let mut parsed = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let invalid = |reason: String| ApiError::InvalidQuery {
                parameter: match name.as_ref() {
                    "filter" => "filter",
                    "limit" => "limit",
                    _ => "cursor",
                },
                reason,
            };
            match name.as_ref() {
                "filter" => {
                    parsed.filter = EnvironmentFilter::parse(&value).map_err(invalid)?;
                    parsed.filter_text = Some(value.into_owned());
                }
                "limit" => {
                    parsed.limit = Some(
                        value
                            .parse::<usize>()
                            .ok()
                            .filter(|limit| (1..=500).contains(limit))
                            .ok_or_else(|| {
                                invalid("limit must be an integer from 1 to 500.".to_owned())
                            })?,
                    );
                }
                "cursor" => {
                    parsed.cursor = value.parse().map_err(|_| {
                        invalid("cursor must be a value from a _links.next href.".to_owned())
                    })?;
                }
                // `expand=billOfMaterials` and others: nothing to expand here.
                _ => {}
            }
        }
        Ok(parsed)
    }

    /// `base` with this query, starting at `cursor`.
    fn href(&self, base: &str, cursor: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(limit) = self.limit {
            query.append_pair("limit", &limit.to_string());
        }
        if let Some(filter) = &self.filter_text {
            query.append_pair("filter", filter);
        }
        if cursor > 0 {
            query.append_pair("cursor", &cursor.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{query}")
        }
    }
}

/// The query parameters of `GET /v1/environments`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListParams {
    /// SCIM filter: `name sw "…"`, `id eq "…"`, `organization.id eq "…"`, `license.id eq "…"`,
    /// joined with `and` (attribute names and operators in any case, conditions in parentheses
    /// or not: the pattern gives the plain form).
    #[param(
        pattern = r#"^(name sw|id eq|organization\.id eq|license\.id eq) "[^"\\]*"( and (name sw|id eq|organization\.id eq|license\.id eq) "[^"\\]*")*$"#
    )]
    filter: Option<String>,
    /// Page size, 1 to 500; ignored with `name sw` and `id eq` filters.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Where a page starts, as `_links.next` gives it.
    #[param(pattern = "^[0-9]+$")]
    cursor: Option<String>,
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
        Unauthorized,
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
    let view = state
        .data()
        .get_environment(id, state.clock().now())
        .await?;
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
        Unauthorized,
        (status = 403, description = "The token may not manage this environment", body = ErrorBody),
        (status = 404, description = "No such environment", body = ErrorBody),
        BodyRefused,
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
        state.data().get_environment(id, now),
    )
    .await?;
    let view = state.data().replace_environment(id, spec, now).await?;
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
        Unauthorized,
        (status = 403, description = "The token may not manage this environment", body = ErrorBody),
        (status = 404, description = "No such environment", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn delete(
    State(state): State<AppState>,
    EnvironmentPath(id): EnvironmentPath,
) -> ApiResult<StatusCode> {
    state.data().delete_environment(id).await?;
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
    organization: IdRef,
    #[serde(rename = "type")]
    environment_type: &'static str,
    region: &'static str,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<IdRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<String>,
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
            organization: IdRef {
                id: ORGANIZATION_ID,
            },
            environment_type: view.spec.environment_type,
            region: view.spec.region,
            created_at: format_timestamp(view.created_at),
            updated_at: format_timestamp(view.updated_at),
            license: view.spec.license_id.map(|id| IdRef { id }),
            icon: view.spec.icon.clone(),
        }
    }
}

/// A page of environments, in creation order; `count` is how many match, `size` how many
/// this page holds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Environments)]
pub struct EnvironmentCollection {
    #[serde(rename = "_links")]
    links: ListLinks,
    #[serde(rename = "_embedded")]
    embedded: Embedded,
    count: usize,
    size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EnvironmentsLinks)]
struct ListLinks {
    #[serde(rename = "self")]
    this: Href,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Href>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EmbeddedEnvironments)]
struct Embedded {
    environments: Vec<EnvironmentResource>,
}
