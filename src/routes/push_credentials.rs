//! `/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials[/{id}]`

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::wire::{ApplicationParams, CredentialParams, Href, IdRef};
use crate::domain::{FieldError, declared_type, parse_push_credential};
use crate::error::ErrorBody;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AppPath, CredentialPath, JsonObject};
use crate::json_text::JsonText;
use crate::links::{AppText, IdText, Links, Target};
use crate::openapi::PINGONE_TAG;
use crate::openapi::schemas::{PushCredentialRequest, PushCredentialType};
use crate::openapi::{BodyRefused, Unauthorized};
use crate::operations::{self, COLLECTION, ITEM};
use crate::state::AppState;
use crate::store::{AppKey, CredentialView};

/// The PingOne routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, replace, delete))
}

/// `POST …/pushCredentials`: 201 with the new resource.
/// A push-credential operation, as a request that was classified asks for it: the one place
/// each is implemented, for the handlers below and for the calls answered before routing.
#[derive(Debug)]
pub enum Command<'a> {
    /// `GET …/pushCredentials`
    ReadAll(AppKey),
    /// `GET …/pushCredentials/{id}`
    ReadOne(AppKey, Uuid),
    /// `POST …/pushCredentials` with this body.
    Create(AppKey, &'a Map<String, Value>),
    /// `PUT …/pushCredentials/{id}` with this body.
    Replace(AppKey, Uuid, &'a Map<String, Value>),
    /// `DELETE …/pushCredentials/{id}`
    Delete(AppKey, Uuid),
}

impl Command<'_> {
    /// Applies the command to the state; `links` builds the answer's hrefs. With the memory
    /// store nothing here waits: the answer is ready at the first poll.
    pub async fn apply(self, state: &AppState, links: &Links) -> Response {
        match self {
            Self::ReadAll(app) => read_all(state, app, links).await.into_response(),
            Self::ReadOne(app, id) => read_one(state, app, id, links).await.into_response(),
            Self::Create(app, body) => create_one(state, app, links, body).await.into_response(),
            Self::Replace(app, id, body) => replace_one(state, app, id, links, body)
                .await
                .into_response(),
            Self::Delete(app, id) => delete_one(state, app, id).await.into_response(),
        }
    }
}

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
        Unauthorized,
        (status = 404, description = "No such environment or application (strict tenancy, or deleted)", body = ErrorBody),
        BodyRefused,
    ),
    security(("bearerAuth" = []))
)]
async fn create(
    State(state): State<AppState>,
    AppPath(app): AppPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> Response {
    Command::Create(app, &body).apply(&state, &links).await
}

/// The answer of `POST …/pushCredentials`, for [`create`] and for calls answered before
/// routing.
async fn create_one(
    state: &AppState,
    app: AppKey,
    links: &Links,
    body: &Map<String, Value>,
) -> ApiResult<(StatusCode, JsonText)> {
    let credential = parse_push_credential(body, state.settings().parse_options)
        .map_err(ApiError::Validation)?;
    let view = state
        .data()
        .create(app, credential, state.clock().now())
        .await?;
    Ok((StatusCode::CREATED, Resource::text(&view, links)))
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
        Unauthorized,
        (status = 404, description = "No such environment or application (strict tenancy, or deleted)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn list(State(state): State<AppState>, AppPath(app): AppPath, links: Links) -> Response {
    Command::ReadAll(app).apply(&state, &links).await
}

/// The answer of `GET …/pushCredentials`, for [`list`] and for reads answered before routing.
async fn read_all(state: &AppState, app: AppKey, links: &Links) -> ApiResult<JsonText> {
    let views = state.data().list(app, state.clock().now()).await?;
    Ok(Collection::text(app, &views, links))
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
        Unauthorized,
        (status = 404, description = "No such push credential", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn read(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
) -> Response {
    Command::ReadOne(app, id).apply(&state, &links).await
}

/// The answer of `GET …/pushCredentials/{id}`, for [`read`] and for reads answered before
/// routing.
async fn read_one(state: &AppState, app: AppKey, id: Uuid, links: &Links) -> ApiResult<JsonText> {
    let view = state.data().get(app, id, state.clock().now()).await?;
    Ok(Resource::text(&view, links))
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
        Unauthorized,
        (status = 404, description = "No such push credential", body = ErrorBody),
        BodyRefused,
    ),
    security(("bearerAuth" = []))
)]
async fn replace(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
    JsonObject(body): JsonObject,
) -> Response {
    Command::Replace(app, id, &body).apply(&state, &links).await
}

/// The answer of `PUT …/pushCredentials/{id}`, for [`replace`] and for calls answered before
/// routing.
async fn replace_one(
    state: &AppState,
    app: AppKey,
    id: Uuid,
    links: &Links,
    body: &Map<String, Value>,
) -> ApiResult<JsonText> {
    let data = state.data();
    match parse_push_credential(body, state.settings().parse_options) {
        Ok(credential) => {
            let view = data
                .replace(app, id, credential, state.clock().now())
                .await?;
            Ok(Resource::text(&view, links))
        }
        Err(mut errors) => {
            // A missing credential answers 404 before its body is judged; a type change is
            // reported as such rather than as whatever else is wrong with the new type.
            let stored = data.get(app, id, state.clock().now()).await?;
            if declared_type(body).is_some_and(|ty| ty != stored.credential_type) {
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
        Unauthorized,
        (status = 404, description = "No such push credential", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
async fn delete(
    State(state): State<AppState>,
    CredentialPath(app, id): CredentialPath,
    links: Links,
) -> Response {
    Command::Delete(app, id).apply(&state, &links).await
}

/// The answer of `DELETE …/pushCredentials/{id}`, for [`delete`] and for calls answered before
/// routing.
async fn delete_one(state: &AppState, app: AppKey, id: Uuid) -> ApiResult<StatusCode> {
    state.data().delete(app, id, state.clock().now()).await?;
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
    /// HMS only; before `type`, as in PingOne's published HMS sample.
    #[serde(rename = "clientId", skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(rename = "type")]
    #[schema(value_type = PushCredentialType)]
    credential_type: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
struct ResourceLinks {
    #[serde(rename = "self")]
    this: Href,
    environment: Href,
    application: Href,
}

/// What a resource's JSON text takes besides its three hrefs' bases and an HMS client id (642
/// bytes for a credential with an HMS client id left out), rounded up.
const RESOURCE_CAPACITY: usize = 672;

impl Resource {
    /// The answer for `view`: what `serde_json` makes of [`Resource::new`], written directly.
    fn text(view: &CredentialView, links: &Links) -> JsonText {
        let client_id = view.client_id.as_ref().map_or(0, |id| id.len() + 16);
        let mut out = JsonText::with_capacity(RESOURCE_CAPACITY + 3 * links.base_len() + client_id);
        Self::write(&mut out, view, &view.app.into(), links);
        out
    }

    /// Appends `view` as [`Resource`] serializes.
    fn write(out: &mut JsonText, view: &CredentialView, app: &AppText, links: &Links) {
        let id = IdText::new(view.id);
        out.raw(r#"{"_links":{"self":{"href":""#);
        links.write_href(out, Target::PushCredential(app, &id));
        out.raw(r#""},"environment":{"href":""#);
        links.write_href(out, Target::Environment(&app.environment));
        out.raw(r#""},"application":{"href":""#);
        links.write_href(out, Target::Application(app));
        out.raw(r#""}},"id":""#)
            .id(&id)
            .raw(r#"","environment":{"id":""#)
            .id(&app.environment)
            .raw(r#""},"application":{"id":""#)
            .id(&app.application)
            .raw(r#""},"createdAt":"#)
            .timestamp(view.created_at)
            .raw(r#","updatedAt":"#)
            .timestamp(view.updated_at);
        if let Some(client_id) = &view.client_id {
            out.raw(r#","clientId":"#).string(client_id);
        }
        out.raw(r#","type":"#)
            .string(view.credential_type.as_str())
            .raw("}");
    }

    /// The value [`Resource::write`] writes; the spec its tests compare with.
    #[cfg(test)]
    fn new(view: &CredentialView, links: &Links) -> Self {
        let app = view.app;
        Self {
            links: ResourceLinks {
                this: Href::new(
                    links.href(Target::PushCredential(&app.into(), &IdText::new(view.id))),
                ),
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
            created_at: crate::clock::format_timestamp(view.created_at),
            updated_at: crate::clock::format_timestamp(view.updated_at),
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
    /// The answer listing `views`: what `serde_json` makes of [`Collection::new`].
    fn text(app: AppKey, views: &[CredentialView], links: &Links) -> JsonText {
        let mut out =
            JsonText::with_capacity((views.len() + 1) * (RESOURCE_CAPACITY + 3 * links.base_len()));
        out.raw(r#"{"_links":{"self":{"href":""#);
        let app = AppText::from(app);
        links.write_href(&mut out, Target::PushCredentials(&app));
        out.raw(r#""}},"_embedded":{"pushCredentials":["#);
        for (index, view) in views.iter().enumerate() {
            if index > 0 {
                out.raw(",");
            }
            Resource::write(&mut out, view, &app, links);
        }
        out.raw(r#"]},"count":"#)
            .number(views.len())
            .raw(r#","size":"#)
            .number(views.len())
            .raw("}");
        out
    }

    /// The value [`Collection::text`] writes; the spec its tests compare with.
    #[cfg(test)]
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

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::CredentialType;

    fn view(
        ids: [u128; 3],
        times: [i64; 2],
        kind: usize,
        client_id: Option<String>,
    ) -> CredentialView {
        let time = |ms| DateTime::from_timestamp_millis(ms).unwrap();
        CredentialView {
            id: Uuid::from_u128(ids[0]),
            app: AppKey {
                environment_id: Uuid::from_u128(ids[1]),
                application_id: Uuid::from_u128(ids[2]),
            },
            created_at: time(times[0]),
            updated_at: time(times[1]),
            credential_type: [
                CredentialType::Apns,
                CredentialType::FcmHttpV1,
                CredentialType::Hms,
                CredentialType::Fcm,
            ][kind],
            client_id,
        }
    }

    proptest! {
        /// The hand-written answers are byte for byte what `serde_json` makes of the wire types,
        /// whatever the ids, times, client id and base (quotes and backslashes included).
        #[test]
        fn written_answers_are_the_serialized_ones(
            ids in any::<[u128; 3]>(),
            times in [0_i64..=253_402_300_799_999, -62_135_596_800_000_i64..=0],
            kind in 0_usize..4,
            client_id in proptest::option::of(any::<String>()),
            origin in prop_oneof![
                Just("http://127.0.0.1:8080".to_owned()),
                "https?://[ -~]{1,30}",
                any::<String>(),
            ],
            count in 0_usize..4,
        ) {
            let links = Links::new(&origin);
            let view = view(ids, times, kind, client_id);
            let expected = serde_json::to_string(&Resource::new(&view, &links)).unwrap();
            let written = Resource::text(&view, &links);
            prop_assert_eq!(written.as_str(), expected.as_str());

            let app = view.app;
            let views = vec![view; count];
            let items = views.iter().map(|view| Resource::new(view, &links)).collect();
            let expected = serde_json::to_string(&Collection::new(app, items, &links)).unwrap();
            let written = Collection::text(app, &views, &links);
            prop_assert_eq!(written.as_str(), expected.as_str());
        }
    }
}
