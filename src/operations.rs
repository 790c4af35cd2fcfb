//! The PingOne operations the emulator serves, with the operation ids of PingOne's own OpenAPI
//! description (as its Go SDK names them). Routes, the OpenAPI document and fault rules all
//! name operations from here.

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

/// One operation: a method on a path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The operation id, as in PingOne's OpenAPI description.
    pub id: &'static str,
    /// A shorter name also accepted by fault rules (without `MFA`).
    pub alias: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, as axum and OpenAPI write it.
    pub path: &'static str,
}

/// Every PingOne operation served.
pub const OPERATIONS: [Operation; 5] = [
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
];

/// The operation with this id or alias.
pub fn by_name(name: &str) -> Option<Operation> {
    OPERATIONS
        .into_iter()
        .find(|operation| operation.id == name || operation.alias == name)
}

/// Whether `path` is one of the served PingOne path templates.
pub fn is_template(path: &str) -> bool {
    OPERATIONS.iter().any(|operation| operation.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_found_by_id_or_alias() {
        assert_eq!(by_name("createMFAPushCredential").unwrap().method, "POST");
        assert_eq!(by_name("deletePushCredential").unwrap().id, DELETE);
        assert!(by_name("createmfapushcredential").is_none());
        assert!(is_template(ITEM) && !is_template("/v1/environments"));
    }
}
