//! The `pingone-push-mock` binary: parse configuration, set up logging, bind, serve.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use pingone_push_mock::config::{Cli, Command, Config, LogFormat};
use pingone_push_mock::{AppState, Listeners, healthcheck, run_on};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// mimalloc rather than glibc's allocator: with a large store, glibc's `malloc` now and then
/// sorted its bins of freed chunks for milliseconds in one call, which stalled every request
/// on that thread. The library leaves the choice to the
/// program embedding it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Healthcheck) = cli.command {
        let address = healthcheck::probe_address(cli.config.listen);
        return if healthcheck::is_ready(address, Duration::from_secs(3)) {
            ExitCode::SUCCESS
        } else {
            eprintln!("pingone-push-mock at {address} is not ready");
            ExitCode::FAILURE
        };
    }
    init_tracing(cli.config.log_format);
    match serve(cli.config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    // Everything that can fail at start-up (signing key, seed file, certificates) fails before
    // listening.
    let state = AppState::start(&config)
        .await
        .map_err(|error| error.to_string())?;
    let bind = |address| async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|error| format!("cannot listen on {address}: {error}"))?;
        let bound = listener.local_addr().map_err(|error| error.to_string())?;
        Ok::<_, String>((listener, bound))
    };
    let mut listeners = Listeners::default();
    let mut announced = Vec::new();
    if !config.no_http {
        let (listener, address) = bind(config.listen).await?;
        listeners.http = Some(listener);
        announced.push(format!("http://{address}"));
    }
    if let Some(address) = config.tls_listen {
        let (listener, address) = bind(address).await?;
        listeners.https = Some(listener);
        announced.push(format!("https://{address}"));
    }
    // Handlers first: a SIGTERM sent as soon as the address is announced must stop us gently.
    let shutdown = shutdown_signal();
    if let Some(identity) = state.tls() {
        match identity.ca_file() {
            Some(file) => {
                tracing::info!("HTTPS certificate signed by the CA in {}", file.display())
            }
            None if identity.ca_pem().is_some() => tracing::info!(
                "HTTPS certificate signed by a CA made for this start (keep it with --tls-dir); \
                 clients can fetch it at /__admin/tls/ca.pem"
            ),
            None => tracing::info!("HTTPS with the certificate of --tls-cert"),
        }
    }
    tracing::info!("pingone-push-mock listening on {}", announced.join(" and "));
    if let Some(warning) = state.settings().admin_warning() {
        tracing::warn!("{warning}");
    }
    run_on(listeners, state, shutdown)
        .await
        .map_err(|error| error.to_string())?;
    tracing::info!("pingone-push-mock stopped");
    Ok(())
}

/// Logs to stdout at the level `RUST_LOG` sets (`info` when unset or unreadable).
///
/// `RUST_LOG` is read as a list of `target=level` directives and levels (`debug`,
/// `pingone_push_mock=trace,hyper=info`): `Targets`, not `EnvFilter`, whose span and field
/// filters nobody needs here and whose parser compiles regular expressions at every start,
/// which showed in start-up time and idle memory.
fn init_tracing(format: LogFormat) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|directives| !directives.trim().is_empty())
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let layer = tracing_subscriber::fmt::layer().with_ansi(std::io::stdout().is_terminal());
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Pretty => registry.with(layer).init(),
        LogFormat::Json => registry.with(layer.json()).init(),
    }
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed by this call, not when the
/// future is first polled, so no signal between the two is lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (terminate, interrupt) = signals;
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(terminate) => {},
                () = wait(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutdown signal received, draining connections");
    }
}
