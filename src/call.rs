//! What a request is, read once from its method and path: which PingOne operation, which
//! environment, application and push credential, or which of the emulator's own paths. The
//! journal, auth, fault rules, the loading gate and the dispatch of push-credential calls all
//! take it from here.

use axum::http::Method;
use uuid::Uuid;

use crate::operations::{self, Operation};
use crate::store::AppKey;

/// The emulator's own paths: not the API under test, never journaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnPath {
    /// `/__admin` and below.
    Admin,
    /// `/healthz`
    Health,
    /// `/readyz`
    Ready,
    /// `/openapi.json`
    OpenApi,
}

impl OwnPath {
    /// Whether it is answered while the state file loads (the probes and the API description).
    pub fn answers_while_loading(self) -> bool {
        !matches!(self, Self::Admin)
    }
}

/// A request, classified.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// The PingOne operation that method and path are, if they are one (`HEAD` as `GET`).
    pub operation: Option<Operation>,
    /// The environment the path names (`/v1/environments/{id}…` or `/{id}/as/…`).
    pub environment_id: Option<Uuid>,
    /// The application the path names.
    pub application_id: Option<Uuid>,
    /// The push credential the path names.
    pub credential_id: Option<Uuid>,
    /// One of the emulator's own paths.
    pub own: Option<OwnPath>,
    /// Whether the path is under `/v1`, where bearer auth applies.
    pub api: bool,
}

impl Call {
    /// Classifies `method` on `path`. Ids are hyphenated UUIDs, percent-encoded or not; a path
    /// segment that is not one names nothing.
    pub fn classify(method: &Method, path: &str) -> Self {
        if let Some(own) = own_path(path) {
            return Self {
                own: Some(own),
                ..Self::default()
            };
        }
        if let Some(call) = push_credential(method, path) {
            return call;
        }
        by_templates(method, path)
    }

    /// The application the path names, with its environment.
    pub fn app(&self) -> Option<AppKey> {
        Some(AppKey {
            environment_id: self.environment_id?,
            application_id: self.application_id?,
        })
    }

    /// Whether it is an operation on push credentials (`operations::COLLECTION` or `ITEM`).
    pub fn is_push_credential(&self) -> bool {
        self.operation.is_some_and(|operation| {
            matches!(operation.path, operations::COLLECTION | operations::ITEM)
        })
    }
}

/// Classifies a path that is not one of the emulator's own through the operation templates.
fn by_templates(method: &Method, path: &str) -> Call {
    let api = path == "/v1" || path.starts_with("/v1/");
    let Some(matched) = operations::match_path(path) else {
        // Not a served template: only the environment matters (auth checks it).
        return Call {
            api,
            environment_id: environment_of(path),
            ..Call::default()
        };
    };
    let param = |name: &str| matched.params.get(name).and_then(id);
    Call {
        operation: operations::of(method, matched.value),
        environment_id: param("environmentId"),
        application_id: param("applicationId"),
        credential_id: param("pushCredentialId"),
        own: None,
        api,
    }
}

/// A push-credential path with plain ids, read by hand: the calls every client makes most, for
/// which the template lookup, with its parameters, was a twentieth of a read's work. Anything
/// else (an id percent-encoded or no UUID, another path) is left to the templates.
fn push_credential(method: &Method, path: &str) -> Option<Call> {
    let plain = |text: &str| crate::domain::parse_id(text);
    let rest = path.strip_prefix("/v1/environments/")?;
    let (environment, rest) = rest.split_at_checked(36)?;
    let rest = rest.strip_prefix("/applications/")?;
    let (application, rest) = rest.split_at_checked(36)?;
    let (operations, credential_id) = match rest.strip_prefix("/pushCredentials")? {
        "" => (&operations::PUSH_CREDENTIALS[0], None),
        rest => (
            &operations::PUSH_CREDENTIALS[1],
            Some(plain(rest.strip_prefix('/')?)?),
        ),
    };
    Some(Call {
        operation: operations::of(method, operations),
        environment_id: Some(plain(environment)?),
        application_id: Some(plain(application)?),
        credential_id,
        own: None,
        api: true,
    })
}

/// The environment of a path no template matches: `/v1/environments/{id}…`, or the
/// authorization server's `/{id}/as/…`.
fn environment_of(path: &str) -> Option<Uuid> {
    let segment = match path.strip_prefix("/v1/environments/") {
        Some(rest) => rest.split('/').next()?,
        None => {
            let (segment, rest) = path.strip_prefix('/')?.split_once('/')?;
            rest.starts_with("as/").then_some(segment)?
        }
    };
    id(segment)
}

fn own_path(path: &str) -> Option<OwnPath> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    [
        ("/__admin", OwnPath::Admin),
        ("/healthz", OwnPath::Health),
        ("/readyz", OwnPath::Ready),
        ("/openapi.json", OwnPath::OpenApi),
    ]
    .into_iter()
    .find_map(|(prefix, own)| under(prefix).then_some(own))
}

/// A path segment as an id: a hyphenated UUID, percent-decoded first when it must be.
fn id(segment: &str) -> Option<Uuid> {
    crate::domain::parse_id(segment).or_else(|| {
        let decoded = percent_decode(segment).filter(|_| segment.contains('%'))?;
        crate::domain::parse_id(&decoded)
    })
}

fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
    const APP: &str = "5e81bba1-5185-457c-926a-aae0e8939109";
    const CRED: &str = "40de73de-ba62-494c-b605-4da440421fee";

    fn uuid(text: &str) -> Option<Uuid> {
        Some(Uuid::parse_str(text).unwrap())
    }

    #[test]
    fn push_credential_calls_are_classified_with_their_ids() {
        let collection = format!("/v1/environments/{ENV}/applications/{APP}/pushCredentials");
        let item = format!("{collection}/{CRED}");
        for (method, path, operation, credential) in [
            (Method::GET, &collection, operations::READ_ALL, None),
            (Method::HEAD, &collection, operations::READ_ALL, None),
            (Method::POST, &collection, operations::CREATE, None),
            (Method::GET, &item, operations::READ_ONE, uuid(CRED)),
            (Method::PUT, &item, operations::UPDATE, uuid(CRED)),
            (Method::DELETE, &item, operations::DELETE, uuid(CRED)),
        ] {
            let call = Call::classify(&method, path);
            assert_eq!(
                call.operation.map(|o| o.id),
                Some(operation),
                "{method} {path}"
            );
            assert!(call.is_push_credential() && call.api && call.own.is_none());
            assert_eq!(
                call.app(),
                Some(AppKey {
                    environment_id: uuid(ENV).unwrap(),
                    application_id: uuid(APP).unwrap()
                })
            );
            assert_eq!(call.credential_id, credential);
        }
    }

    #[test]
    fn other_calls_are_classified_too() {
        let token = Call::classify(&Method::POST, &format!("/{ENV}/as/token"));
        assert_eq!(
            token.operation.map(|o| o.id),
            Some(operations::CREATE_TOKEN)
        );
        assert_eq!((token.environment_id, token.api), (uuid(ENV), false));

        // A method the path does not take is no operation, but its ids are read.
        let patch = Call::classify(&Method::PATCH, &format!("/v1/environments/{ENV}"));
        assert_eq!((patch.operation, patch.environment_id), (None, uuid(ENV)));
        // A path no template matches: its environment, for auth.
        let unknown = Call::classify(&Method::GET, &format!("/v1/environments/{ENV}/users"));
        assert_eq!(
            (unknown.operation, unknown.environment_id),
            (None, uuid(ENV))
        );
        let unknown = Call::classify(&Method::GET, &format!("/{ENV}/as/userinfo"));
        assert_eq!(
            (unknown.operation, unknown.environment_id),
            (None, uuid(ENV))
        );
        assert_eq!(
            Call::classify(&Method::GET, &format!("/{ENV}/other")).environment_id,
            None
        );
        // Ids that are no UUID name nothing; percent-encoded ones are decoded.
        let bad = Call::classify(&Method::GET, "/v1/environments/not-an-id");
        assert_eq!(
            (bad.operation.map(|o| o.id), bad.environment_id),
            (Some(operations::READ_ONE_ENVIRONMENT), None)
        );
        let encoded = Call::classify(&Method::GET, &format!("/v1/environments/%66{}", &ENV[1..]));
        assert_eq!(encoded.environment_id, uuid(ENV));
        assert_eq!(
            Call::classify(&Method::GET, "/v1/environments/%zz").environment_id,
            None
        );

        for (path, own) in [
            ("/__admin", OwnPath::Admin),
            ("/__admin/requests", OwnPath::Admin),
            ("/healthz", OwnPath::Health),
            ("/readyz", OwnPath::Ready),
            ("/openapi.json", OwnPath::OpenApi),
        ] {
            let call = Call::classify(&Method::GET, path);
            assert_eq!(
                (call.own, call.operation, call.api),
                (Some(own), None, false),
                "{path}"
            );
        }
        for path in ["/__administrator", "/healthzz", "/", "/v1"] {
            assert_eq!(Call::classify(&Method::GET, path).own, None, "{path}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// Whenever the push-credential paths are read by hand, the templates read them the
        /// same way.
        #[test]
        fn push_credential_paths_read_by_hand_are_read_as_the_templates_read_them(
            pieces in proptest::collection::vec(prop_oneof![
                Just("/v1/environments/".to_owned()),
                Just("/applications/".to_owned()),
                Just("/pushCredentials".to_owned()),
                Just("/".to_owned()),
                any::<u128>().prop_map(|n| Uuid::from_u128(n).to_string()),
                any::<u128>().prop_map(|n| Uuid::from_u128(n).to_string().to_uppercase()),
                "[0-9a-f/%-]{1,40}",
            ], 0..9),
            shape in 0_usize..3,
            method in proptest::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::HEAD, Method::PATCH]),
        ) {
            let ids: Vec<String> = (0..3).map(|n| Uuid::from_u128(n * 7 + 1).to_string()).collect();
            let path = match shape {
                0 => pieces.concat(),
                1 => format!("/v1/environments/{}/applications/{}/pushCredentials{}", ids[0], ids[1], pieces.concat()),
                _ => format!("/v1/environments/{}{}", ids[0], pieces.concat()),
            };
            if let Some(by_hand) = push_credential(&method, &path) {
                prop_assert_eq!(by_hand, by_templates(&method, &path), "{}", path);
            }
        }
    }
}
