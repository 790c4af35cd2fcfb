//! The PingOne operations the emulator serves, with the operation ids of PingOne's own OpenAPI
//! description (as its Go SDK names them; PingOne-style names for the token endpoint). Routes, the OpenAPI document and fault rules all
//! name operations from here.

use axum::http::Method;

/// `…/pushCredentials`
pub const COLLECTION: &str =
    "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials";
/// `…/pushCredentials/{pushCredentialId}`
pub const ITEM: &str = "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}";

/// `GET …/pushCredentials`
pub const READ_ALL: &str = "readAllMFAPushCredentials";
/// `POST …/pushCredentials`
pub const CREATE: &str = "createMFAPushCredential";
/// `GET …/pushCredentials/{id}`
pub const READ_ONE: &str = "readOneMFAPushCredential";
/// `PUT …/pushCredentials/{id}`
pub const UPDATE: &str = "updateMFAPushCredential";
/// `DELETE …/pushCredentials/{id}`
pub const DELETE: &str = "deleteMFAPushCredential";

/// `/v1/environments`
pub const ENVIRONMENTS: &str = "/v1/environments";
/// `/v1/environments/{environmentId}`
pub const ENVIRONMENT: &str = "/v1/environments/{environmentId}";
/// `…/applications`
pub const APPLICATIONS: &str = "/v1/environments/{environmentId}/applications";
/// `…/applications/{applicationId}`
pub const APPLICATION: &str = "/v1/environments/{environmentId}/applications/{applicationId}";
/// `…/applications/{applicationId}/secret`
pub const APPLICATION_SECRET: &str =
    "/v1/environments/{environmentId}/applications/{applicationId}/secret";
/// The token endpoint (outside `/v1`, as on PingOne's `auth.pingone.*` hosts).
pub const TOKEN: &str = "/{environmentId}/as/token";
/// The key set that verifies the tokens.
pub const JWKS: &str = "/{environmentId}/as/jwks";

/// `GET` [`ENVIRONMENTS`]
pub const READ_ALL_ENVIRONMENTS: &str = "readAllEnvironments";
/// `POST` [`ENVIRONMENTS`]
pub const CREATE_ENVIRONMENT: &str = "createEnvironment";
/// `GET` [`ENVIRONMENT`]
pub const READ_ONE_ENVIRONMENT: &str = "readOneEnvironment";
/// `PUT` [`ENVIRONMENT`]
pub const UPDATE_ENVIRONMENT: &str = "updateEnvironment";
/// `DELETE` [`ENVIRONMENT`]
pub const DELETE_ENVIRONMENT: &str = "deleteEnvironment";
/// `GET` [`APPLICATIONS`]
pub const READ_ALL_APPLICATIONS: &str = "readAllApplications";
/// `POST` [`APPLICATIONS`]
pub const CREATE_APPLICATION: &str = "createApplication";
/// `GET` [`APPLICATION`]
pub const READ_ONE_APPLICATION: &str = "readOneApplication";
/// `PUT` [`APPLICATION`]
pub const UPDATE_APPLICATION: &str = "updateApplication";
/// `DELETE` [`APPLICATION`]
pub const DELETE_APPLICATION: &str = "deleteApplication";
/// `GET` [`APPLICATION_SECRET`]
pub const READ_APPLICATION_SECRET: &str = "readApplicationSecret";
/// `POST` [`APPLICATION_SECRET`]
pub const UPDATE_APPLICATION_SECRET: &str = "updateApplicationSecret";
/// `POST` [`TOKEN`]
pub const CREATE_TOKEN: &str = "createToken";
/// `GET` [`JWKS`]
pub const READ_JWKS: &str = "readJwks";

/// The served path templates, each with the operations on it, to find which one a path
/// matches without routing it.
static TEMPLATES: std::sync::LazyLock<matchit::Router<Vec<Operation>>> =
    std::sync::LazyLock::new(|| {
        let mut templates = matchit::Router::new();
        for operation in OPERATIONS {
            let on_template = OPERATIONS
                .into_iter()
                .filter(|other| other.path == operation.path)
                .collect();
            // Templates served by several methods are inserted once.
            if templates.at(operation.path).is_err() {
                templates
                    .insert(operation.path, on_template)
                    .expect("the operation templates do not conflict");
            }
        }
        templates
    });

/// The operations on the push-credential templates, [`COLLECTION`] and [`ITEM`].
pub static PUSH_CREDENTIALS: std::sync::LazyLock<[Vec<Operation>; 2]> =
    std::sync::LazyLock::new(|| {
        [COLLECTION, ITEM].map(|template| {
            OPERATIONS
                .into_iter()
                .filter(|operation| operation.path == template)
                .collect()
        })
    });

/// The operations of the template `path` matches, with its parameters as they are in the path
/// (not percent-decoded).
pub fn match_path(path: &str) -> Option<matchit::Match<'static, '_, &'static Vec<Operation>>> {
    TEMPLATES.at(path).ok()
}

/// One operation: a method on a path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The operation id, as in PingOne's OpenAPI description.
    pub id: &'static str,
    /// Another name accepted by fault rules (for push credentials: the id without `MFA`).
    pub alias: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, as axum and OpenAPI write it.
    pub path: &'static str,
}

/// Every PingOne operation served.
pub const OPERATIONS: [Operation; 19] = [
    Operation {
        id: READ_ALL,
        alias: "readAllPushCredentials",
        method: "GET",
        path: COLLECTION,
    },
    Operation {
        id: CREATE,
        alias: "createPushCredential",
        method: "POST",
        path: COLLECTION,
    },
    Operation {
        id: READ_ONE,
        alias: "readOnePushCredential",
        method: "GET",
        path: ITEM,
    },
    Operation {
        id: UPDATE,
        alias: "updatePushCredential",
        method: "PUT",
        path: ITEM,
    },
    Operation {
        id: DELETE,
        alias: "deletePushCredential",
        method: "DELETE",
        path: ITEM,
    },
    Operation {
        id: READ_ALL_ENVIRONMENTS,
        alias: READ_ALL_ENVIRONMENTS,
        method: "GET",
        path: ENVIRONMENTS,
    },
    Operation {
        id: CREATE_ENVIRONMENT,
        alias: CREATE_ENVIRONMENT,
        method: "POST",
        path: ENVIRONMENTS,
    },
    Operation {
        id: READ_ONE_ENVIRONMENT,
        alias: READ_ONE_ENVIRONMENT,
        method: "GET",
        path: ENVIRONMENT,
    },
    Operation {
        id: UPDATE_ENVIRONMENT,
        alias: UPDATE_ENVIRONMENT,
        method: "PUT",
        path: ENVIRONMENT,
    },
    Operation {
        id: DELETE_ENVIRONMENT,
        alias: DELETE_ENVIRONMENT,
        method: "DELETE",
        path: ENVIRONMENT,
    },
    Operation {
        id: READ_ALL_APPLICATIONS,
        alias: READ_ALL_APPLICATIONS,
        method: "GET",
        path: APPLICATIONS,
    },
    Operation {
        id: CREATE_APPLICATION,
        alias: CREATE_APPLICATION,
        method: "POST",
        path: APPLICATIONS,
    },
    Operation {
        id: READ_ONE_APPLICATION,
        alias: READ_ONE_APPLICATION,
        method: "GET",
        path: APPLICATION,
    },
    Operation {
        id: UPDATE_APPLICATION,
        alias: UPDATE_APPLICATION,
        method: "PUT",
        path: APPLICATION,
    },
    Operation {
        id: DELETE_APPLICATION,
        alias: DELETE_APPLICATION,
        method: "DELETE",
        path: APPLICATION,
    },
    Operation {
        id: READ_APPLICATION_SECRET,
        alias: READ_APPLICATION_SECRET,
        method: "GET",
        path: APPLICATION_SECRET,
    },
    Operation {
        id: UPDATE_APPLICATION_SECRET,
        alias: UPDATE_APPLICATION_SECRET,
        method: "POST",
        path: APPLICATION_SECRET,
    },
    Operation {
        id: CREATE_TOKEN,
        alias: CREATE_TOKEN,
        method: "POST",
        path: TOKEN,
    },
    Operation {
        id: READ_JWKS,
        alias: READ_JWKS,
        method: "GET",
        path: JWKS,
    },
];

/// The operation with this id or alias.
pub fn by_name(name: &str) -> Option<Operation> {
    OPERATIONS
        .into_iter()
        .find(|operation| operation.id == name || operation.alias == name)
}

/// Whether `path` is one of the served PingOne path templates.
#[cfg(test)]
fn is_template(path: &str) -> bool {
    OPERATIONS.iter().any(|operation| operation.path == path)
}

/// Which of a template's `operations` `method` is, if any: fault rules apply to those calls
/// only (not to a method a path does not take, nor to the emulator's own paths). `HEAD`
/// counts as the `GET` it is answered by.
pub fn of(method: &Method, operations: &[Operation]) -> Option<Operation> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    operations
        .iter()
        .find(|operation| operation.method == method)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_found_by_id_or_alias() {
        assert_eq!(by_name("createMFAPushCredential").unwrap().method, "POST");
        assert_eq!(by_name("deletePushCredential").unwrap().id, DELETE);
        assert!(by_name("createmfapushcredential").is_none());
        assert_eq!(by_name("createToken").unwrap().path, TOKEN);
        assert!(is_template(ITEM) && is_template(ENVIRONMENTS) && !is_template("/v1"));
    }
}
