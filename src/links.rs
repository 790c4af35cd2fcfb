//! The one place that builds absolute `href`s.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use uuid::Uuid;

use crate::error::ApiError;
use crate::server::AppState;
use crate::store::AppKey;

/// The absolute API base of this request, ending in `/v1`.
///
/// From the configured public URL when there is one; otherwise from `X-Forwarded-Proto` /
/// `X-Forwarded-Host` (behind a proxy) or the request's `Host`.
#[derive(Clone, Debug)]
pub struct Links {
    origin: String,
    base: String,
}

impl Links {
    /// Links under an explicit origin such as `https://api.pingone.com`.
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            base: format!("{origin}/v1"),
        }
    }

    /// `https://host` without `/v1`: where the token endpoints live.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `…/v1/environments`
    pub fn environments(&self) -> String {
        format!("{}/environments", self.base)
    }

    /// `…/v1/environments/{id}/applications`
    pub fn applications(&self, environment_id: Uuid) -> String {
        format!("{}/applications", self.environment(environment_id))
    }

    /// `…/applications/{id}/secret`
    pub fn application_secret(&self, app: AppKey) -> String {
        format!("{}/secret", self.application(app))
    }

    fn from_headers(headers: &HeaderMap, authority: Option<&str>) -> Self {
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
            .or_else(|| first(header::HOST.as_str()))
            .or(authority)
            .filter(|host| {
                host.chars()
                    .all(|c| c.is_ascii_graphic() && c != '/' && c != '"')
            })
            .unwrap_or("localhost");
        Self::new(&format!("{proto}://{host}"))
    }

    /// `…/v1/environments/{id}`
    pub fn environment(&self, environment_id: Uuid) -> String {
        format!("{}/environments/{environment_id}", self.base)
    }

    /// `…/v1/environments/{id}/applications/{id}`
    pub fn application(&self, app: AppKey) -> String {
        format!(
            "{}/environments/{}/applications/{}",
            self.base, app.environment_id, app.application_id
        )
    }

    /// `…/applications/{id}/pushCredentials`
    pub fn push_credentials(&self, app: AppKey) -> String {
        format!("{}/pushCredentials", self.application(app))
    }

    /// `…/pushCredentials/{id}`
    pub fn push_credential(&self, app: AppKey, id: Uuid) -> String {
        format!("{}/pushCredentials/{id}", self.application(app))
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
