//! The one place that builds absolute `href`s.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, Uri, header};
use uuid::Uuid;

use crate::error::ApiError;
pub use crate::json_text::IdText;
use crate::json_text::{JsonText, is_json_plain};
use crate::state::AppState;
use crate::store::AppKey;

static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// The absolute API base of this request, ending in `/v1`.
///
/// From the configured public URL when there is one; otherwise from `X-Forwarded-Proto` /
/// `X-Forwarded-Host` (behind a proxy) or the request's `Host`. Built for every answer, so
/// it keeps the host header as it came (a reference count) rather than a string of its own.
#[derive(Clone, Debug)]
pub struct Links {
    origin: Origin,
    /// Whether the origin can go into a JSON string as it is (no quote, backslash or control
    /// character), as it nearly always can.
    plain: bool,
}

#[derive(Clone, Debug)]
enum Origin {
    /// `http://` or `https://` and a host from the request's headers (`localhost` when none
    /// is usable).
    Host { https: bool, host: HeaderValue },
    /// An explicit origin such as `https://api.pingone.com`.
    Fixed(String),
}

/// An application's two ids, as text.
#[derive(Clone, Copy, Debug)]
pub struct AppText {
    /// The environment id.
    pub environment: IdText,
    /// The application id.
    pub application: IdText,
}

impl From<AppKey> for AppText {
    fn from(app: AppKey) -> Self {
        Self {
            environment: IdText::new(app.environment_id),
            application: IdText::new(app.application_id),
        }
    }
}

/// Where an href points, below the `/v1` base.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// `/environments`
    Environments,
    /// `/environments/{id}`
    Environment(&'a IdText),
    /// `/environments/{id}/applications`
    Applications(&'a IdText),
    /// `/environments/{id}/applications/{id}`
    Application(&'a AppText),
    /// `/environments/{id}/applications/{id}/secret`
    ApplicationSecret(&'a AppText),
    /// `/environments/{id}/applications/{id}/pushCredentials`
    PushCredentials(&'a AppText),
    /// `/environments/{id}/applications/{id}/pushCredentials/{id}`
    PushCredential(&'a AppText, &'a IdText),
}

impl Target<'_> {
    /// Appends the path below `/v1`.
    fn write(self, out: &mut Vec<u8>) {
        let mut put = |parts: &[&[u8]]| {
            for part in parts {
                out.extend_from_slice(part);
            }
        };
        let env = b"/environments/".as_slice();
        let apps = b"/applications/".as_slice();
        match self {
            Self::Environments => put(&[b"/environments"]),
            Self::Environment(id) => put(&[env, id.as_bytes()]),
            Self::Applications(id) => put(&[env, id.as_bytes(), b"/applications"]),
            Self::Application(app) => put(&[
                env,
                app.environment.as_bytes(),
                apps,
                app.application.as_bytes(),
            ]),
            Self::ApplicationSecret(app) => put(&[
                env,
                app.environment.as_bytes(),
                apps,
                app.application.as_bytes(),
                b"/secret",
            ]),
            Self::PushCredentials(app) => put(&[
                env,
                app.environment.as_bytes(),
                apps,
                app.application.as_bytes(),
                b"/pushCredentials",
            ]),
            Self::PushCredential(app, id) => put(&[
                env,
                app.environment.as_bytes(),
                apps,
                app.application.as_bytes(),
                b"/pushCredentials/",
                id.as_bytes(),
            ]),
        }
    }
}

impl Links {
    /// Links under an explicit origin such as `https://api.pingone.com`.
    pub fn new(origin: &str) -> Self {
        Self {
            plain: is_json_plain(origin),
            origin: Origin::Fixed(origin.to_owned()),
        }
    }

    /// The origin's pieces, in order: ASCII, checked when the links were made.
    fn origin_parts(&self) -> [&[u8]; 2] {
        match &self.origin {
            Origin::Host { https, host } => [
                if *https { b"https://" } else { b"http://" },
                host.as_bytes(),
            ],
            Origin::Fixed(origin) => [origin.as_bytes(), b""],
        }
    }

    /// The length of the base every href starts with.
    pub fn base_len(&self) -> usize {
        self.origin_parts()
            .iter()
            .map(|part| part.len())
            .sum::<usize>()
            + "/v1".len()
    }

    /// `https://host` without `/v1`: where the token endpoints live.
    pub fn origin(&self) -> String {
        String::from_utf8_lossy(&self.origin_parts().concat()).into_owned()
    }

    /// The absolute href of `target`.
    pub fn href(&self, target: Target<'_>) -> String {
        let mut href = Vec::with_capacity(self.base_len() + 160);
        href.extend(self.origin_parts().concat());
        href.extend_from_slice(b"/v1");
        target.write(&mut href);
        String::from_utf8(href).expect("hrefs are made of UTF-8 pieces")
    }

    /// Appends the href of `target` to a JSON text, as the inside of a string.
    pub fn write_href(&self, out: &mut JsonText, target: Target<'_>) {
        for part in self.origin_parts() {
            if self.plain {
                out.bytes().extend_from_slice(part);
            } else {
                out.unquoted(&String::from_utf8_lossy(part));
            }
        }
        out.bytes().extend_from_slice(b"/v1");
        target.write(out.bytes());
    }

    /// `…/v1/environments`
    pub fn environments(&self) -> String {
        self.href(Target::Environments)
    }

    /// `…/v1/environments/{id}/applications`
    pub fn applications(&self, environment_id: Uuid) -> String {
        self.href(Target::Applications(&IdText::new(environment_id)))
    }

    /// `…/applications/{id}/secret`
    pub fn application_secret(&self, app: AppKey) -> String {
        self.href(Target::ApplicationSecret(&app.into()))
    }

    /// The origin a client used: `X-Forwarded-Proto` and `X-Forwarded-Host` when a proxy sent
    /// them, else the connection's scheme and the `Host` header.
    fn from_headers<'a>(headers: &'a HeaderMap, authority: Option<&'a str>, tls: bool) -> Self {
        // The three headers looked at, found in one walk over the few a request has (three
        // hashed lookups cost more); the first value of each, as `HeaderMap::get` gives.
        let (mut proto, mut forwarded_host, mut plain_host) = (None, None, None);
        for (name, value) in headers {
            let slot = if name == header::HOST {
                &mut plain_host
            } else if name == X_FORWARDED_HOST {
                &mut forwarded_host
            } else if name == X_FORWARDED_PROTO {
                &mut proto
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        // A header's first comma-separated value, trimmed, with the header value itself.
        let first = |value: Option<&'a HeaderValue>| {
            let value = value?;
            let text = value.to_str().ok()?;
            let text = text.split_once(',').map_or(text, |(first, _)| first).trim();
            (!text.is_empty()).then_some((text, value))
        };
        let https = first(proto).map_or(tls, |(proto, _)| proto.eq_ignore_ascii_case("https"));
        let host = first(forwarded_host)
            .or_else(|| first(plain_host))
            .map(|(host, value)| (host, Some(value)))
            .or(authority.map(|host| (host, None)));
        // Usable: visible ASCII but `/` and `"`; plain: no backslash either. One pass.
        let checked = host.and_then(|(host, value)| {
            let mut plain = true;
            for byte in host.bytes() {
                match byte {
                    b'/' | b'"' => return None,
                    b'\\' => plain = false,
                    b'!'..=b'~' => {}
                    _ => return None,
                }
            }
            Some((host, value, plain))
        });
        let Some((host, value, plain)) = checked else {
            return Self {
                origin: Origin::Host {
                    https,
                    host: HeaderValue::from_static("localhost"),
                },
                plain: true,
            };
        };
        let host = match value {
            // The header value itself when it is used whole: a reference count, no copy.
            Some(value) if value.len() == host.len() => value.clone(),
            _ => HeaderValue::from_str(host).expect("a checked host is a header value"),
        };
        Self {
            plain,
            origin: Origin::Host { https, host },
        }
    }

    /// `…/v1/environments/{id}`
    pub fn environment(&self, environment_id: Uuid) -> String {
        self.href(Target::Environment(&IdText::new(environment_id)))
    }

    /// `…/v1/environments/{id}/applications/{id}`
    pub fn application(&self, app: AppKey) -> String {
        self.href(Target::Application(&app.into()))
    }

    /// `…/applications/{id}/pushCredentials`
    pub fn push_credentials(&self, app: AppKey) -> String {
        self.href(Target::PushCredentials(&app.into()))
    }
}

/// Marks a request that arrived over TLS (a request extension): its links are `https://`.
#[derive(Clone, Copy, Debug)]
pub struct OverTls;

impl Links {
    /// The links of a request with these headers, URI and extensions.
    pub fn of_request(
        state: &AppState,
        headers: &HeaderMap,
        uri: &Uri,
        extensions: &Extensions,
    ) -> Self {
        match state.settings().public_url.as_deref() {
            Some(origin) => Self::new(origin),
            None => Self::from_headers(
                headers,
                uri.authority().map(|a| a.as_str()),
                extensions.get::<OverTls>().is_some(),
            ),
        }
    }
}

impl FromRequestParts<AppState> for Links {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self::of_request(
            state,
            &parts.headers,
            &parts.uri,
            &parts.extensions,
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn links(pairs: &[(&'static str, &'static str)]) -> Links {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        Links::from_headers(&headers, None, false)
    }

    /// The base as it was first written: strings split, trimmed and checked char by char.
    fn base_as_specified(headers: &HeaderMap, authority: Option<&str>) -> String {
        let first = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(',').next())
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let proto = match first("x-forwarded-proto") {
            Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
            _ => "http",
        };
        let host = first("x-forwarded-host")
            .or_else(|| first("host"))
            .or(authority)
            .filter(|host| {
                host.chars()
                    .all(|c| c.is_ascii_graphic() && c != '/' && c != '"')
            })
            .unwrap_or("localhost");
        format!("{proto}://{host}/v1/environments")
    }

    proptest::proptest! {
        #[test]
        fn bases_are_built_as_specified(
            proto in proptest::option::of("(https?|HTTPS|ftp| https ,http|)"),
            forwarded in proptest::option::of("[ -~\t]{0,20}"),
            host in proptest::option::of("[ -~\t\\\\]{0,20}"),
            authority in proptest::option::of("[a-z0-9.:]{1,12}"),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in [("x-forwarded-proto", proto), ("x-forwarded-host", forwarded), ("host", host)] {
                if let Some(value) = value.and_then(|value| HeaderValue::from_str(&value).ok()) {
                    headers.insert(name, value);
                }
            }
            let links = Links::from_headers(&headers, authority.as_deref(), false);
            proptest::prop_assert_eq!(
                links.href(Target::Environments),
                base_as_specified(&headers, authority.as_deref())
            );
            let mut json = JsonText::with_capacity(0);
            links.write_href(&mut json, Target::Environments);
            let expected = serde_json::to_string(&links.href(Target::Environments)).unwrap();
            proptest::prop_assert_eq!(json.as_str(), &expected[1..expected.len() - 1]);
        }
    }

    #[test]
    fn the_host_header_gives_an_http_base() {
        let id = Uuid::nil();
        assert_eq!(
            links(&[("host", "127.0.0.1:8080")]).environment(id),
            format!("http://127.0.0.1:8080/v1/environments/{id}")
        );
    }

    #[test]
    fn forwarded_headers_take_precedence() {
        let got = links(&[
            ("host", "internal:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "api.example.com, proxy"),
        ]);
        assert_eq!(
            got.environment(Uuid::nil()),
            format!("https://api.example.com/v1/environments/{}", Uuid::nil())
        );
    }

    #[test]
    fn a_missing_or_odd_host_falls_back_to_localhost() {
        assert!(
            links(&[])
                .environment(Uuid::nil())
                .starts_with("http://localhost/v1/")
        );
        assert!(
            links(&[("host", "a/b")])
                .environment(Uuid::nil())
                .starts_with("http://localhost/v1/")
        );
    }
}
