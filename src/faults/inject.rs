//! Which PingOne operation a call is, for fault rules.

use axum::http::Method;

use crate::operations::{OPERATIONS, match_path};

/// The template of the PingOne operation that `method` on `path` is, if it is one: fault rules
/// apply to those calls only (not to a method a path does not take, nor to the emulator's own
/// paths). `HEAD` counts as the `GET` it is answered by.
pub fn operation_template(method: &Method, path: &str) -> Option<&'static str> {
    let template = *match_path(path)?.value;
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    OPERATIONS
        .iter()
        .any(|operation| operation.path == template && operation.method == method)
        .then_some(template)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{COLLECTION, ITEM, TOKEN};

    #[test]
    fn calls_are_matched_to_the_operation_templates() {
        let env = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
        let app = "5e81bba1-5185-457c-926a-aae0e8939109";
        let collection = format!("/v1/environments/{env}/applications/{app}/pushCredentials");
        let cases = [
            (Method::GET, collection.clone(), Some(COLLECTION)),
            (Method::POST, collection.clone(), Some(COLLECTION)),
            (Method::HEAD, collection.clone(), Some(COLLECTION)),
            (Method::PUT, format!("{collection}/x"), Some(ITEM)),
            (Method::POST, format!("/{env}/as/token"), Some(TOKEN)),
            // Not an operation: a method the path does not take, or not a PingOne path.
            (Method::PATCH, format!("{collection}/x"), None),
            (Method::DELETE, collection.clone(), None),
            (Method::GET, "/healthz".to_owned(), None),
            (Method::GET, "/__admin/faults".to_owned(), None),
            (Method::GET, format!("{collection}/x/y"), None),
        ];
        for (method, path, expected) in cases {
            assert_eq!(
                operation_template(&method, &path),
                expected,
                "{method} {path}"
            );
        }
    }
}
