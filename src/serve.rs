//! The accept loop: HTTP/1.1 connections that cannot be pinned forever, drained on shutdown.
//!
//! `axum::serve` has no header-read timeout, so a client that connects and sends nothing (or
//! sends headers a byte at a time) would hold its connection and task for as long as it likes.
//! Here each connection is served by hyper's HTTP/1 builder with a header-read timeout, on a
//! coarse timer of its own (`timer`); the whole-request timeout is in [`crate::pipeline`].
//! A TLS connection gets the same header timeout for its handshake, so bytes that are not a
//! handshake, or a handshake that stalls, cannot hold it either.

mod timer;

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Where connections come from: a plain listener, a TLS one, or both.
pub struct Sockets {
    pub http: Option<TcpListener>,
    pub https: Option<(TcpListener, TlsAcceptor)>,
}

/// Serves `service` on `sockets` until `shutdown` completes, then stops accepting and waits for
/// in-flight requests to finish (idle keep-alive connections are closed at once).
pub async fn serve(
    sockets: Sockets,
    service: crate::pipeline::Pipeline,
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
    let https = sockets.https.as_ref().map(|(listener, _)| listener);
    loop {
        let (accepted, tls) = tokio::select! {
            accepted = accept(sockets.http.as_ref()) => (accepted, None),
            accepted = accept(https) => (accepted, sockets.https.as_ref().map(|(_, tls)| tls)),
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok(stream) => stream,
            Err(error) => {
                backoff(&error).await;
                continue;
            }
        };
        let Some(tls) = tls else {
            let connection =
                graceful.watch(builder.serve_connection(TokioIo::new(stream), service.clone()));
            tokio::spawn(async move {
                // A client that goes away mid-request, or times out, is not the server's error.
                if let Err(error) = connection.await {
                    tracing::debug!("connection closed: {error}");
                }
            });
            continue;
        };
        let (handshake, watcher) = (tls.accept(stream), graceful.watcher());
        let (builder, service) = (builder.clone(), service.over_tls());
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(header_read_timeout, handshake).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => return tracing::debug!("TLS handshake failed: {error}"),
                Err(_) => return tracing::debug!("TLS handshake timed out"),
            };
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!("connection closed: {error}");
            }
        });
    }
    drop(sockets);
    graceful.shutdown().await;
    Ok(())
}

/// The next connection on `listener`; never, without one.
async fn accept(listener: Option<&TcpListener>) -> io::Result<TcpStream> {
    match listener {
        Some(listener) => listener.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
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
