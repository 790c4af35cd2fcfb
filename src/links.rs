//! The one place that builds absolute `href`s.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, header};
use uuid::Uuid;

use crate::error::ApiError;
use crate::routes::JsonText;
use crate::server::AppState;
use crate::store::AppKey;

static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// The absolute API base of this request, ending in `/v1`.
///
/// From the configured public URL when there is one; otherwise from `X-Forwarded-Proto` /
/// `X-Forwarded-Host` (behind a proxy) or the request's `Host`.
#[derive(Clone, Debug)]
pub struct Links {
    /// `https://host/v1`: every href starts with it.
    base: String,
    /// Whether `base` can go into a JSON string as it is (no quote, backslash or control
    /// character), as it always can when it comes from a `Host` header.
    plain: bool,
}

/// Parts of an href: literal text or an id.
#[derive(Clone, Copy)]
enum Part<'a> {
    Text(&'a str),
    Id(Uuid),
}

impl Part<'_> {
    fn len(self) -> usize {
        match self {
            Part::Text(text) => text.len(),
            Part::Id(_) => uuid::fmt::Hyphenated::LENGTH,
        }
    }
}

/// Where an href points, below the `/v1` base.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// `/environments`
    Environments,
    /// `/environments/{id}`
    Environment(Uuid),
    /// `/environments/{id}/applications`
    Applications(Uuid),
    /// `/environments/{id}/applications/{id}`
    Application(AppKey),
    /// `/environments/{id}/applications/{id}/secret`
    ApplicationSecret(AppKey),
    /// `/environments/{id}/applications/{id}/pushCredentials`
    PushCredentials(AppKey),
    /// `/environments/{id}/applications/{id}/pushCredentials/{id}`
    PushCredential(AppKey, Uuid),
}

impl Target {
    /// The path's parts, in order, given to `each`.
    fn parts(self, mut each: impl FnMut(Part<'static>)) {
        let application = |app: AppKey, each: &mut dyn FnMut(Part<'static>)| {
            for part in [
                Part::Text("/environments/"),
                Part::Id(app.environment_id),
                Part::Text("/applications/"),
                Part::Id(app.application_id),
            ] {
                each(part);
            }
        };
        match self {
            Self::Environments => each(Part::Text("/environments")),
            Self::Environment(id) => {
                each(Part::Text("/environments/"));
                each(Part::Id(id));
            }
            Self::Applications(id) => {
                each(Part::Text("/environments/"));
                each(Part::Id(id));
                each(Part::Text("/applications"));
            }
            Self::Application(app) => application(app, &mut each),
            Self::ApplicationSecret(app) => {
                application(app, &mut each);
                each(Part::Text("/secret"));
            }
            Self::PushCredentials(app) => {
                application(app, &mut each);
                each(Part::Text("/pushCredentials"));
            }
            Self::PushCredential(app, id) => {
                application(app, &mut each);
                each(Part::Text("/pushCredentials/"));
                each(Part::Id(id));
            }
        }
    }
}

impl Links {
    /// Links under an explicit origin such as `https://api.pingone.com`.
    pub fn new(origin: &str) -> Self {
        Self::from_parts(&[origin])
    }

    fn from_parts(origin: &[&str]) -> Self {
        let mut base = String::with_capacity(origin.iter().map(|p| p.len()).sum::<usize>() + 3);
        base.extend(origin.iter().copied());
        base.push_str("/v1");
        let plain = !base.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
        Self { base, plain }
    }

    /// The length of the base every href starts with.
    pub fn base_len(&self) -> usize {
        self.base.len()
    }

    /// `https://host` without `/v1`: where the token endpoints live.
    pub fn origin(&self) -> &str {
        &self.base[..self.base.len() - "/v1".len()]
    }

    /// The absolute href of `target`, in one allocation: hrefs are built for every answer.
    pub fn href(&self, target: Target) -> String {
        let mut length = self.base.len();
        target.parts(|part| length += part.len());
        let mut href = String::with_capacity(length);
        href.push_str(&self.base);
        target.parts(|part| match part {
            Part::Text(text) => href.push_str(text),
            Part::Id(id) => href.push_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer())),
        });
        href
    }

    /// Appends the href of `target` to a JSON text, as the inside of a string.
    pub fn write_href(&self, out: &mut JsonText, target: Target) {
        if self.plain {
            out.raw(&self.base);
        } else {
            out.unquoted(&self.base);
        }
        target.parts(|part| match part {
            Part::Text(text) => {
                out.raw(text);
            }
            Part::Id(id) => {
                out.uuid(id);
            }
        });
    }

    /// `…/v1/environments`
    pub fn environments(&self) -> String {
        self.href(Target::Environments)
    }

    /// `…/v1/environments/{id}/applications`
    pub fn applications(&self, environment_id: Uuid) -> String {
        self.href(Target::Applications(environment_id))
    }

    /// `…/applications/{id}/secret`
    pub fn application_secret(&self, app: AppKey) -> String {
        self.href(Target::ApplicationSecret(app))
    }

    fn from_headers(headers: &HeaderMap, authority: Option<&str>) -> Self {
        let first = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(',').next())
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let proto = match first(&X_FORWARDED_PROTO) {
            Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
            _ => "http",
        };
        let host = first(&X_FORWARDED_HOST)
            .or_else(|| first(&header::HOST))
            .or(authority)
            .filter(|host| {
                host.chars()
                    .all(|c| c.is_ascii_graphic() && c != '/' && c != '"')
            })
            .unwrap_or("localhost");
        Self::from_parts(&[proto, "://", host])
    }

    /// `…/v1/environments/{id}`
    pub fn environment(&self, environment_id: Uuid) -> String {
        self.href(Target::Environment(environment_id))
    }

    /// `…/v1/environments/{id}/applications/{id}`
    pub fn application(&self, app: AppKey) -> String {
        self.href(Target::Application(app))
    }

    /// `…/applications/{id}/pushCredentials`
    pub fn push_credentials(&self, app: AppKey) -> String {
        self.href(Target::PushCredentials(app))
    }
}

impl FromRequestParts<AppState> for Links {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(match state.settings().public_url.as_deref() {
            Some(origin) => Self::new(origin),
            None => Self::from_headers(&parts.headers, parts.uri.authority().map(|a| a.as_str())),
        })
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
        Links::from_headers(&headers, None)
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
