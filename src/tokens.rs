//! Access tokens: RS256 JWTs issued by `POST /{envId}/as/token` and checked by `--auth jwt`.
//!
//! The signing key is either given (`--signing-key`, a PEM file) or generated on first use, so a
//! server that never issues a token never pays for RSA key generation at start-up.

use std::sync::OnceLock;

use axum::http::{HeaderMap, header};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;

/// How long an access token is valid, as PingOne issues them.
pub const TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `<base>/{envId}/as`
    pub iss: String,
    /// The environment that issued the token.
    pub env: Uuid,
    /// The client (application id) the token was issued to.
    pub client_id: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

/// Why a presented token is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT we signed, or claims missing.
    #[error("the token is not valid")]
    Invalid,
    /// Past its `exp`.
    #[error("the token has expired")]
    Expired,
}

/// Why a signing key could not be used.
#[derive(Debug, thiserror::Error)]
#[error("the signing key must be an RSA private key in PEM (PKCS#8 or PKCS#1): {0}")]
pub struct KeyError(String);

struct Keys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

/// Signs and verifies tokens; cheap to share behind an `Arc`.
pub struct TokenAuthority {
    keys: OnceLock<Keys>,
}

impl std::fmt::Debug for TokenAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuthority")
            .field("kid", &self.keys.get().map(|keys| keys.kid.as_str()))
            .finish_non_exhaustive()
    }
}

impl TokenAuthority {
    /// An authority that generates a 2048-bit RSA key the first time it is needed.
    pub fn generated() -> Self {
        Self {
            keys: OnceLock::new(),
        }
    }

    /// A fresh 2048-bit RSA key as PKCS#8 PEM, for [`TokenAuthority::from_pem`] (replicas that
    /// share one key store it).
    pub fn generate_pem() -> String {
        use pkcs8::EncodePrivateKey;
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
            .expect("RSA key generation with the OS random source");
        key.to_pkcs8_pem(pkcs8::LineEnding::LF)
            .expect("a fresh RSA key encodes")
            .to_string()
    }

    /// An authority with a given RSA private key (PEM, PKCS#8 or PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|error| KeyError(error.to_string()))?;
        let keys = OnceLock::new();
        let _ = keys.set(Keys::from_rsa(&key)?);
        Ok(Self { keys })
    }

    fn keys(&self) -> &Keys {
        self.keys.get_or_init(|| {
            let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
                .expect("RSA key generation with the OS random source");
            Keys::from_rsa(&key).expect("a freshly generated RSA key is usable")
        })
    }

    /// Issues a token for `client_id` of `environment`, valid for an hour from `now`.
    pub fn issue(
        &self,
        issuer: String,
        environment: Uuid,
        client_id: &str,
        now: Timestamp,
    ) -> String {
        let keys = self.keys();
        let claims = Claims {
            iss: issuer,
            env: environment,
            client_id: client_id.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + TOKEN_LIFETIME_SECONDS,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(keys.kid.clone());
        jsonwebtoken::encode(&header, &claims, &keys.encoding)
            .expect("RS256 signing cannot fail with a valid key")
    }

    /// Checks the signature and expiry (against the emulator's clock, which may be frozen).
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, TokenError> {
        let keys = self.keys();
        let mut validation = Validation::new(Algorithm::RS256);
        // Expiry is checked below against the emulator's clock, not the system's.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation)
            .map_err(|_| TokenError::Invalid)?;
        if data.claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(data.claims)
    }

    /// The public key as a JWK Set, for `GET /{envId}/as/jwks`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.keys().jwk.clone()],
        }
    }
}

impl Keys {
    fn from_rsa(key: &RsaPrivateKey) -> Result<Self, KeyError> {
        let der = key
            .to_pkcs1_der()
            .map_err(|error| KeyError(error.to_string()))?;
        let encoding = EncodingKey::from_rsa_der(der.as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .map_err(|error| KeyError(error.to_string()))?;
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|error| KeyError(error.to_string()))?;
        // A stable key id derived from the public key, so clients can cache the JWKS.
        let kid = Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            serde_json::to_string(&jwk.algorithm)
                .unwrap_or_default()
                .as_bytes(),
        )
        .to_string();
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        Ok(Self {
            kid,
            encoding,
            decoding,
            jwk,
        })
    }
}

/// The environment whose token authorised the request (`--auth jwt` only).
#[derive(Clone, Copy, Debug)]
pub struct TokenEnvironment(pub Uuid);

/// The token of `Authorization: Bearer <token>`, if the header has that shape.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    // A header value that is text is visible ASCII and tabs, so ASCII trimming is all trimming.
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_ascii().split_once(' ')?;
    let token = token.trim_ascii();
    (scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && !token.as_bytes().contains(&b' '))
    .then_some(token)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use axum::http::HeaderValue;

    use super::*;

    // A throwaway RSA key generated for these tests.
    const TEST_KEY: &str = include_str!("../tests/fixtures/signing-key.pem");

    fn authority() -> TokenAuthority {
        TokenAuthority::from_pem(TEST_KEY).unwrap()
    }

    #[test]
    fn an_issued_token_verifies_until_it_expires() {
        let authority = authority();
        let env = Uuid::new_v4();
        let now = Utc::now();
        let token = authority.issue(format!("http://localhost/{env}/as"), env, "client-1", now);
        let claims = authority.verify(&token, now).unwrap();
        assert_eq!((claims.env, claims.client_id.as_str()), (env, "client-1"));
        assert_eq!(claims.exp - claims.iat, 3600);
        assert!(
            authority
                .verify(&token, now + Duration::seconds(3599))
                .is_ok()
        );
        assert_eq!(
            authority.verify(&token, now + Duration::seconds(3600)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn tokens_from_another_key_or_tampered_are_invalid() {
        let authority = authority();
        let now = Utc::now();
        let token = authority.issue("i".into(), Uuid::new_v4(), "c", now);
        let mut tampered = token.clone();
        tampered.insert(token.find('.').unwrap() + 2, 'x');
        for bad in [tampered.as_str(), "abc", "a.b.c", ""] {
            assert_eq!(
                authority.verify(bad, now),
                Err(TokenError::Invalid),
                "{bad}"
            );
        }
        let other = TokenAuthority::generated();
        let foreign = other.issue("i".into(), Uuid::new_v4(), "c", now);
        assert_eq!(authority.verify(&foreign, now), Err(TokenError::Invalid));
    }

    #[test]
    fn the_jwks_publishes_the_key_that_verifies_tokens() {
        let authority = authority();
        let token = authority.issue("i".into(), Uuid::new_v4(), "c", Utc::now());
        let jwks = authority.jwks();
        let jwk = &jwks.keys[0];
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid, jwk.common.key_id);
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        assert!(jsonwebtoken::decode::<Claims>(&token, &key, &validation).is_ok());
        let published = serde_json::to_string(&jwks).unwrap();
        assert!(
            !published.contains("\"d\""),
            "no private exponent: {published}"
        );
    }

    #[test]
    fn a_key_that_is_not_rsa_is_refused() {
        let ec_key = include_str!("../tests/fixtures/apns-signing-key.p8");
        assert!(TokenAuthority::from_pem(ec_key).is_err());
        assert!(TokenAuthority::from_pem("nope").is_err());
    }

    #[test]
    fn bearer_tokens_are_recognised() {
        let cases = [
            ("Bearer abc", true),
            ("bearer abc", true),
            ("BEARER  abc ", true),
            ("Bearer", false),
            ("Bearer ", false),
            ("Basic abc", false),
            ("Bearer a b", false),
            ("abc", false),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(bearer_token(&headers).is_some(), expected, "{value:?}");
        }
        assert!(bearer_token(&HeaderMap::new()).is_none());
    }
}
