//! The accept loop: HTTP/1.1 connections that cannot be pinned forever, drained on shutdown.
//!
//! `axum::serve` has no header-read timeout, so a client that connects and sends nothing (or
//! sends headers a byte at a time) would hold its connection and task for as long as it likes.
//! Here each connection is served by hyper's HTTP/1 builder with a header-read timeout, on a
//! coarse timer of its own (`timer`); the whole-request timeout is in [`crate::middleware`].

mod timer;

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

/// Serves `service` on `listener` until `shutdown` completes, then stops accepting and waits for
/// in-flight requests to finish (idle keep-alive connections are closed at once).
pub async fn serve(
    listener: TcpListener,
    service: crate::middleware::Service,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut builder = http1::Builder::new();
    // The header deadlines are looked at every eighth of the timeout, but no more often than
    // every 10 ms nor less often than every 250 ms: a connection is closed at most a tick late.
    let tick =
        (header_read_timeout / 8).clamp(Duration::from_millis(10), Duration::from_millis(250));
    builder
        .timer(timer::CoarseTimer::start(tick))
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    backoff(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection =
            graceful.watch(builder.serve_connection(TokioIo::new(stream), service.clone()));
        tokio::spawn(async move {
            // A client that goes away mid-request, or times out, is not the server's error.
            if let Err(error) = connection.await {
                tracing::debug!("connection closed: {error}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// What `axum::serve` does on accept errors: a connection that failed before it was accepted is
/// skipped; anything else (out of file descriptors, ...) gets a pause so the loop does not spin.
async fn backoff(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!("accept failed: {error}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
