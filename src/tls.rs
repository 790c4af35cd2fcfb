//! HTTPS: the certificate the TLS listener presents, the user's own or one signed by a local
//! certificate authority made here.
//!
//! The PingOne SDK (and so Terraform) only speaks HTTPS, to dotted host names without a port;
//! a client that should trust the emulator trusts its CA once (`--tls-dir` keeps it across
//! starts), and every start signs a fresh leaf for `--tls-hostnames` with it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

use crate::config::Config;

/// The CA certificate's file name in `--tls-dir`.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The CA key's file name in `--tls-dir` (mode 0600).
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// How long a generated CA is valid; a leaf is made at every start and valid for a year.
const CA_DAYS: u64 = 3650;
const LEAF_DAYS: u64 = 365;

/// Why the TLS listener cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file that is missing, unreadable, mismatched or expired.
    #[error("{flag} {}: {reason}", path.display())]
    File {
        /// The flag that names the file (`--tls-cert`, `--tls-key`, `--tls-dir`).
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Something else in the TLS settings.
    #[error("{0}")]
    Settings(String),
}

/// What the TLS listener presents: its server configuration and, when the emulator made it,
/// the CA certificate clients must trust.
#[derive(Clone)]
pub struct Identity {
    server: Arc<ServerConfig>,
    ca_pem: Option<Arc<str>>,
    ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for Identity {
    /// Never the keys.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Identity")
            .field("generated_ca", &self.ca_pem.is_some())
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The identity `config` asks for: `--tls-cert`/`--tls-key`, or a leaf for
    /// `--tls-hostnames` signed by the CA kept in `--tls-dir` (made there if absent) or made
    /// for this start only.
    pub fn load(config: &Config) -> Result<Self, TlsError> {
        match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Self::from_files(cert, key),
            (None, None) => Self::generated(&config.tls_hostnames, config.tls_dir.as_deref()),
            _ => Err(TlsError::Settings(
                "--tls-cert and --tls-key go together: give both or neither".to_owned(),
            )),
        }
    }

    /// The user's own chain (leaf first) and its private key, both PEM.
    fn from_files(cert_path: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let cert_error = |reason: String| file_error("--tls-cert", cert_path, reason);
        let key_error = |reason: String| file_error("--tls-key", key_path, reason);
        let chain = read_chain(cert_path).map_err(cert_error)?;
        check_validity(&chain[0]).map_err(cert_error)?;
        let key = read_key(key_path).map_err(key_error)?;
        let server = server_config(chain, key).map_err(|error| match error {
            ConfigError::Mismatch => key_error(format!(
                "does not match the certificate in {}",
                cert_path.display()
            )),
            ConfigError::Key(reason) => key_error(reason),
        })?;
        Ok(Self {
            server,
            ca_pem: None,
            ca_file: None,
        })
    }

    /// A leaf for `hostnames`, signed by the CA in `dir` or by one made now.
    fn generated(hostnames: &[String], dir: Option<&Path>) -> Result<Self, TlsError> {
        if hostnames.is_empty() {
            return Err(TlsError::Settings(
                "--tls-hostnames is empty: the certificate must name at least one host".to_owned(),
            ));
        }
        let today = Utc::now();
        let ca = match dir {
            Some(dir) => Authority::kept_in(dir, today)?,
            None => Authority::new(today)?,
        };
        let leaf_key = KeyPair::generate().map_err(generation_failed)?;
        let mut params = CertificateParams::new(hostnames.to_vec()).map_err(|error| {
            TlsError::Settings(format!(
                "--tls-hostnames {}: not usable in a certificate ({error})",
                hostnames.join(",")
            ))
        })?;
        params.distinguished_name.remove(DnType::CommonName);
        params
            .distinguished_name
            .push(DnType::CommonName, hostnames[0].as_str());
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, today, LEAF_DAYS);
        let leaf = params
            .signed_by(&leaf_key, &ca.issuer)
            .map_err(generation_failed)?;
        let chain = vec![leaf.der().clone()];
        let key = PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into();
        let server = server_config(chain, key).map_err(|_| {
            TlsError::Settings("the generated certificate does not match its key".to_owned())
        })?;
        Ok(Self {
            server,
            ca_pem: Some(ca.pem.into()),
            ca_file: dir.map(|dir| dir.join(CA_CERT_FILE)),
        })
    }

    /// Accepts TLS connections with this identity.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.server.clone())
    }

    /// The CA certificate (PEM) clients must trust, when the emulator made it.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Where the CA certificate was written (`--tls-dir`), if it was.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }
}

/// A certificate authority: its certificate (PEM) and what signs with its key.
struct Authority {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Authority {
    /// A new CA, for this start only.
    fn new(today: DateTime<Utc>) -> Result<Self, TlsError> {
        let key = KeyPair::generate().map_err(generation_failed)?;
        let mut params = CertificateParams::default();
        params.distinguished_name.remove(DnType::CommonName);
        // A name of its own, so that two of them in one trust store are told apart.
        let tag = uuid::Uuid::new_v4().simple().to_string();
        params.distinguished_name.push(
            DnType::CommonName,
            format!("pingone-push-mock local CA {}", &tag[..8]),
        );
        params
            .distinguished_name
            .push(DnType::OrganizationName, "pingone-push-mock");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, today, CA_DAYS);
        let certificate = params.self_signed(&key).map_err(generation_failed)?;
        Ok(Self {
            pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA kept in `dir`: read when both files are there, made and written when neither is.
    fn kept_in(dir: &Path, today: DateTime<Utc>) -> Result<Self, TlsError> {
        let (cert_path, key_path) = (dir.join(CA_CERT_FILE), dir.join(CA_KEY_FILE));
        let dir_error = |path: &Path, reason: String| file_error("--tls-dir", path, reason);
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => {
                let pem = fs::read_to_string(&cert_path)
                    .map_err(|error| dir_error(&cert_path, format!("cannot read: {error}")))?;
                let key_pem = fs::read_to_string(&key_path)
                    .map_err(|error| dir_error(&key_path, format!("cannot read: {error}")))?;
                let key = KeyPair::from_pem(&key_pem).map_err(|error| {
                    dir_error(&key_path, format!("not a usable private key ({error})"))
                })?;
                let der = CertificateDer::from_pem_slice(pem.as_bytes())
                    .map_err(|_| dir_error(&cert_path, "holds no PEM certificate".to_owned()))?;
                check_validity(&der).map_err(|reason| dir_error(&cert_path, reason))?;
                if public_key_of(&der) != Some(key.subject_public_key_info()) {
                    return Err(dir_error(
                        &key_path,
                        format!("does not match the certificate in {}", cert_path.display()),
                    ));
                }
                let issuer = Issuer::from_ca_cert_der(&der, key).map_err(|error| {
                    dir_error(&cert_path, format!("not a usable CA certificate ({error})"))
                })?;
                Ok(Self { pem, issuer })
            }
            (false, false) => {
                let ca = Self::new(today)?;
                fs::create_dir_all(dir)
                    .map_err(|error| dir_error(dir, format!("cannot create: {error}")))?;
                write_private(&key_path, &ca.issuer.key().serialize_pem())
                    .map_err(|error| dir_error(&key_path, format!("cannot write: {error}")))?;
                fs::write(&cert_path, &ca.pem)
                    .map_err(|error| dir_error(&cert_path, format!("cannot write: {error}")))?;
                Ok(ca)
            }
            (cert_there, _) => {
                let (missing, there) = if cert_there {
                    (&key_path, &cert_path)
                } else {
                    (&cert_path, &key_path)
                };
                Err(dir_error(
                    missing,
                    format!(
                        "is missing while {} is there: restore it, or remove both to make a new CA",
                        there.display()
                    ),
                ))
            }
        }
    }
}

/// Why a chain and key make no server configuration.
enum ConfigError {
    Mismatch,
    Key(String),
}

/// TLS 1.3 and 1.2 only, HTTP/1.1 only, with this chain and key.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, ConfigError> {
    // ring rather than aws-lc-rs: it builds with a plain C compiler for every target the
    // image ships (static, cross-compiled); post-quantum key exchange, the reason ring's
    // provider is marked deprecated, is no concern for a local emulator.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|error| ConfigError::Key(format!("not a usable private key ({error})")))?;
    let certified = CertifiedKey::new(chain, signing_key);
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(_) => return Err(ConfigError::Mismatch),
    }
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| ConfigError::Key(error.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Every PEM certificate in the file, leaf first; at least one.
fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = fs::read(path).map_err(|error| format!("cannot read: {error}"))?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("not a PEM certificate chain ({error})"))?;
    if chain.is_empty() {
        return Err("holds no PEM certificate".to_owned());
    }
    Ok(chain)
}

/// The PEM private key in the file (PKCS#8, PKCS#1 or SEC1).
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let pem = fs::read(path).map_err(|error| format!("cannot read: {error}"))?;
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|_| "holds no PEM private key (PKCS#8, PKCS#1 or SEC1)".to_owned())
}

/// Refuses a certificate that has expired or is not valid yet.
fn check_validity(der: &CertificateDer<'_>) -> Result<(), String> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der)
        .map_err(|error| format!("not a readable X.509 certificate ({error})"))?;
    let validity = certificate.validity();
    let now = Utc::now().timestamp();
    if validity.not_after.timestamp() < now {
        return Err(format!("the certificate expired on {}", validity.not_after));
    }
    if validity.not_before.timestamp() > now {
        return Err(format!(
            "the certificate is not valid before {}",
            validity.not_before
        ));
    }
    Ok(())
}

/// The certificate's SubjectPublicKeyInfo, DER.
fn public_key_of(der: &CertificateDer<'_>) -> Option<Vec<u8>> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(certificate.public_key().raw.to_vec())
}

/// From yesterday (clocks disagree) to `days` from today.
fn set_validity(params: &mut CertificateParams, today: DateTime<Utc>, days: u64) {
    let date = |when: DateTime<Utc>| {
        // Month and day always fit in a byte.
        rcgen::date_time_ymd(when.year(), when.month() as u8, when.day() as u8)
    };
    params.not_before = date(today - Days::new(1));
    params.not_after = date(today + Days::new(days));
}

/// Writes a file only its owner may read: it holds a private key.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

fn file_error(flag: &'static str, path: &Path, reason: String) -> TlsError {
    TlsError::File {
        flag,
        path: path.to_owned(),
        reason,
    }
}

fn generation_failed(error: rcgen::Error) -> TlsError {
    TlsError::Settings(format!("cannot make the TLS certificate: {error}"))
}
