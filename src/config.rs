//! Command-line and environment configuration: every flag has a `PINGONE_MOCK_*` twin.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::Secret;
pub use crate::store::Tenancy;

/// The command line of the `pingone-push-mock` binary.
#[derive(Debug, Parser)]
#[command(
    name = "pingone-push-mock",
    version,
    about = "A local emulator of the PingOne MFA push-credentials API"
)]
pub struct Cli {
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's configuration.
    #[command(flatten)]
    pub config: Config,
}

/// Subcommands besides serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe a running server's /readyz and exit 0 when it is ready, 1 otherwise
    /// (for container health checks in images without curl).
    Healthcheck,
}

/// What the generated certificate covers unless `--tls-hostnames` says otherwise.
pub const DEFAULT_TLS_HOSTNAMES: &str =
    "localhost,127.0.0.1,::1,api.pingone.test,auth.pingone.test";

/// How `/v1` calls are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Any `Authorization: Bearer <token>` with a non-empty token is accepted.
    AnyBearer,
    /// No authentication at all.
    None,
    /// Only tokens this server issued (`POST /{envId}/as/token`), unexpired, for an environment
    /// they may manage.
    Jwt,
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The server's configuration.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on (for `healthcheck`: the address of the server to probe).
    #[arg(
        long,
        env = "PINGONE_MOCK_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Serve only HTTPS (`--tls-listen`): no plain HTTP listener.
    #[arg(long, env = "PINGONE_MOCK_NO_HTTP", requires = "tls_listen")]
    pub no_http: bool,

    /// Address to serve HTTPS on as well (e.g. `127.0.0.1:8443`), the same application over
    /// TLS 1.2 or 1.3.
    #[arg(long, env = "PINGONE_MOCK_TLS_LISTEN")]
    pub tls_listen: Option<SocketAddr>,

    /// PEM certificate chain (leaf first) for HTTPS; without it a local CA signs one for
    /// `--tls-hostnames`.
    #[arg(long, env = "PINGONE_MOCK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of `--tls-cert`.
    #[arg(long, env = "PINGONE_MOCK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Host names and addresses the generated certificate covers, comma-separated (add e.g.
    /// `api.pingone.com` to map PingOne's own names onto the emulator).
    #[arg(
        long,
        env = "PINGONE_MOCK_TLS_HOSTNAMES",
        value_delimiter = ',',
        default_value = DEFAULT_TLS_HOSTNAMES
    )]
    pub tls_hostnames: Vec<String>,

    /// Directory that keeps the local CA (`ca.pem`, and `ca-key.pem` with mode 0600) across
    /// starts, so a CA trusted once stays trusted; without it a new CA is made at every start.
    #[arg(long, env = "PINGONE_MOCK_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,

    /// Base URL for `href`s (e.g. `https://api.pingone.com`); by default taken from the request's
    /// `Host` and `X-Forwarded-*` headers.
    #[arg(long, env = "PINGONE_MOCK_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Authentication of `/v1` calls.
    #[arg(
        long,
        env = "PINGONE_MOCK_AUTH",
        value_enum,
        default_value = "any-bearer"
    )]
    pub auth: AuthMode,

    /// Whether unknown environments and applications are provisioned (`auto`) or 404 (`strict`).
    #[arg(long, env = "PINGONE_MOCK_TENANCY", value_enum, default_value = "auto")]
    pub tenancy: Tenancy,

    /// RSA private key (PEM file) that signs access tokens; generated at first use otherwise.
    #[arg(long, env = "PINGONE_MOCK_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

    /// JSON document of environments, applications and push credentials loaded before serving.
    #[arg(long, env = "PINGONE_MOCK_SEED_FILE")]
    pub seed_file: Option<PathBuf>,

    /// Accept creating legacy `FCM` credentials, as PingOne did before the deprecation.
    #[arg(long, env = "PINGONE_MOCK_ALLOW_LEGACY_FCM")]
    pub allow_legacy_fcm: bool,

    /// Reject unknown fields and fields of another type with 400 `INVALID_VALUE`.
    #[arg(long, env = "PINGONE_MOCK_REJECT_UNKNOWN_FIELDS")]
    pub reject_unknown_fields: bool,

    /// Milliseconds a client has to send a request's headers (also the idle limit of a
    /// keep-alive connection); then the connection is closed.
    #[arg(long, env = "PINGONE_MOCK_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,

    /// Milliseconds a request may take, body included, before it is answered 408.
    #[arg(
        long,
        env = "PINGONE_MOCK_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub request_timeout_ms: u64,

    /// Log format; the level comes from `RUST_LOG` (default `info`).
    #[arg(
        long,
        env = "PINGONE_MOCK_LOG_FORMAT",
        value_enum,
        default_value = "pretty"
    )]
    pub log_format: LogFormat,

    /// Bearer token the `/__admin` endpoints require; without it they are open to anyone who
    /// can reach the port. Never logged, never shown by `Debug`.
    #[arg(
        long,
        env = "PINGONE_MOCK_ADMIN_TOKEN",
        hide_env_values = true,
        value_parser = parse_admin_token
    )]
    pub admin_token: Option<Secret>,

    /// File holding the admin token (a container secret, say): the first line, trimmed. Never
    /// logged, never shown by `Debug`.
    #[arg(
        long,
        env = "PINGONE_MOCK_ADMIN_TOKEN_FILE",
        conflicts_with = "admin_token"
    )]
    pub admin_token_file: Option<PathBuf>,

    /// Serve no `/__admin` endpoints at all (they answer 404).
    #[arg(long, env = "PINGONE_MOCK_NO_ADMIN")]
    pub no_admin: bool,

    /// How many requests the journal (`GET /__admin/requests`) keeps; the oldest go first.
    #[arg(long, env = "PINGONE_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// Load the state from this file at start and save every change to it (mode 0600: it holds
    /// the secrets). Absent file: start empty and create it.
    #[arg(long, env = "PINGONE_MOCK_STATE_FILE")]
    pub state_file: Option<PathBuf>,

    /// Where the state is kept: `memory`, or a PostgreSQL database
    /// (`postgres://user:password@host:5432/database`, PostgreSQL 14 or newer) shared by every
    /// replica that names it: data, fault rules, clock, journal and token signing key.
    #[arg(long, env = "PINGONE_MOCK_STORE", default_value = "memory", value_parser = parse_store)]
    pub store: StoreLocation,

    /// With a database store: how long to wait at start for the database to answer.
    #[arg(long, env = "PINGONE_MOCK_STORE_WAIT_MS", default_value_t = 30_000)]
    pub store_wait_ms: u64,
}

/// Where the state is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StoreLocation {
    /// In this process: fast, and gone when it stops (unless `--state-file`).
    #[default]
    Memory,
    /// In PostgreSQL, at this URL (its password never shows in `Debug`).
    Postgres(Secret),
}

fn parse_store(text: &str) -> Result<StoreLocation, String> {
    if text == "memory" {
        Ok(StoreLocation::Memory)
    } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(StoreLocation::Postgres(Secret::new(text)))
    } else {
        Err("expected memory or a postgres:// URL".to_owned())
    }
}

impl Default for Config {
    /// The same values as the command line's defaults, without reading the environment.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            no_http: false,
            tls_listen: None,
            tls_cert: None,
            tls_key: None,
            tls_hostnames: DEFAULT_TLS_HOSTNAMES
                .split(',')
                .map(str::to_owned)
                .collect(),
            tls_dir: None,
            public_url: None,
            auth: AuthMode::AnyBearer,
            tenancy: Tenancy::Auto,
            signing_key: None,
            seed_file: None,
            allow_legacy_fcm: false,
            reject_unknown_fields: false,
            header_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            log_format: LogFormat::Pretty,
            admin_token: None,
            admin_token_file: None,
            no_admin: false,
            journal_size: 1000,
            state_file: None,
            store: StoreLocation::Memory,
            store_wait_ms: 30_000,
        }
    }
}

/// A non-empty token without whitespace, as it must fit in `Authorization: Bearer <token>`.
pub(crate) fn parse_admin_token(raw: &str) -> Result<Secret, String> {
    if raw.is_empty() || raw.chars().any(char::is_whitespace) {
        return Err("the admin token must be non-empty and contain no whitespace".to_owned());
    }
    Ok(Secret::new(raw))
}

/// Accepts an absolute `http(s)` URL; trailing `/` and `/v1` are dropped, as links add `/v1`.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let url = url.strip_suffix("/v1").unwrap_or(url);
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("`{raw}` must start with http:// or https://"))?;
    if rest.is_empty()
        || rest
            .chars()
            .any(|c| c.is_whitespace() || c == '?' || c == '#')
    {
        return Err(format!("`{raw}` is not a usable base URL"));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("pingone-push-mock").chain(args.iter().copied()))
    }

    #[test]
    fn command_line_defaults_match_config_default() {
        let cli = parse(&[]).unwrap();
        let (parsed, default) = (cli.config, Config::default());
        assert_eq!(parsed.listen, default.listen);
        assert_eq!(parsed.public_url, default.public_url);
        assert_eq!(parsed.auth, default.auth);
        assert_eq!(parsed.tenancy, default.tenancy);
        assert_eq!((parsed.signing_key, parsed.seed_file), (None, None));
        assert_eq!(parsed.allow_legacy_fcm, default.allow_legacy_fcm);
        assert_eq!(parsed.reject_unknown_fields, default.reject_unknown_fields);
        assert_eq!(parsed.log_format, default.log_format);
        assert_eq!(parsed.header_timeout_ms, default.header_timeout_ms);
        assert_eq!(parsed.request_timeout_ms, default.request_timeout_ms);
        assert_eq!(parsed.admin_token, default.admin_token);
        assert_eq!(parsed.no_admin, default.no_admin);
        assert_eq!(parsed.journal_size, default.journal_size);
        assert_eq!(parsed.state_file, default.state_file);
        assert_eq!(parsed.store, default.store);
        assert_eq!(parsed.store_wait_ms, default.store_wait_ms);
        assert_eq!(parsed.no_http, default.no_http);
        assert_eq!(parsed.tls_listen, default.tls_listen);
        assert_eq!((parsed.tls_cert, parsed.tls_key), (None, None));
        assert_eq!(parsed.tls_hostnames, default.tls_hostnames);
        assert_eq!(parsed.tls_dir, default.tls_dir);
        assert!(cli.command.is_none());
    }

    #[test]
    fn the_store_is_memory_or_a_postgres_url_whose_password_never_shows() {
        let url = "postgres://mock:pa55word@db.internal:5432/emulator";
        let cli = parse(&["--store", url]).unwrap();
        assert_eq!(cli.config.store, StoreLocation::Postgres(Secret::new(url)));
        assert!(!format!("{:?}", cli.config).contains("pa55word"));
        let memory = parse(&["--store", "memory"]).unwrap();
        assert_eq!(memory.config.store, StoreLocation::Memory);
        assert!(parse(&["--store", "mysql://x"]).is_err());
    }

    #[test]
    fn flags_are_parsed() {
        let cli = parse(&[
            "--listen",
            "0.0.0.0:9000",
            "--public-url",
            "https://api.pingone.eu/v1/",
            "--auth",
            "none",
            "--allow-legacy-fcm",
            "--reject-unknown-fields",
            "--log-format",
            "json",
            "--admin-token",
            "s3cret-admin",
            "--no-admin",
            "--journal-size",
            "5",
            "--state-file",
            "/tmp/state.json",
            "--tenancy",
            "strict",
            "--seed-file",
            "seed.json",
            "--signing-key",
            "key.pem",
            "--header-timeout-ms",
            "250",
            "--request-timeout-ms",
            "500",
            "--tls-listen",
            "127.0.0.1:8443",
            "--no-http",
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
            "--tls-hostnames",
            "api.pingone.com,auth.pingone.com",
            "--tls-dir",
            "/tmp/tls",
        ])
        .unwrap();
        let config = cli.config;
        assert_eq!(config.tls_listen.map(|a| a.port()), Some(8443));
        assert!(config.no_http);
        assert_eq!(config.tls_cert, Some(PathBuf::from("cert.pem")));
        assert_eq!(config.tls_key, Some(PathBuf::from("key.pem")));
        assert_eq!(
            config.tls_hostnames,
            ["api.pingone.com", "auth.pingone.com"]
        );
        assert_eq!(config.tls_dir, Some(PathBuf::from("/tmp/tls")));
        assert_eq!(
            config.admin_token.as_ref().map(Secret::expose),
            Some("s3cret-admin")
        );
        assert!(config.no_admin);
        assert_eq!(config.journal_size, 5);
        assert_eq!(config.state_file, Some(PathBuf::from("/tmp/state.json")));
        assert!(!format!("{config:?}").contains("s3cret-admin"));
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.public_url.as_deref(), Some("https://api.pingone.eu"));
        assert_eq!(config.auth, AuthMode::None);
        assert!(config.allow_legacy_fcm && config.reject_unknown_fields);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.tenancy, Tenancy::Strict);
        assert_eq!(config.seed_file, Some(PathBuf::from("seed.json")));
        assert_eq!(config.signing_key, Some(PathBuf::from("key.pem")));
        assert_eq!(
            (config.header_timeout_ms, config.request_timeout_ms),
            (250, 500)
        );
    }

    #[test]
    fn bad_values_are_refused() {
        for args in [
            &["--public-url", "api.pingone.com"][..],
            &["--public-url", "https://"],
            &["--auth", "basic"],
            &["--listen", "localhost"],
            &["--log-format", "xml"],
            &["--admin-token", ""],
            &["--admin-token", "two words"],
            &["--journal-size", "-1"],
            &["--no-http"],
            &["--tls-listen", "127.0.0.1:8443", "--tls-cert", "cert.pem"],
            &["--tls-listen", "127.0.0.1:8443", "--tls-key", "key.pem"],
            &["--tls-listen", "localhost:8443"],
            &["--admin-token", "t", "--admin-token-file", "token.txt"],
        ] {
            assert!(parse(args).is_err(), "{args:?} should be refused");
        }
    }

    #[test]
    fn healthcheck_is_a_subcommand() {
        assert!(matches!(
            parse(&["healthcheck"]).unwrap().command,
            Some(Command::Healthcheck)
        ));
    }
}
