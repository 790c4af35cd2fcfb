//! Cross-cutting request handling, in one service around the router, one step a file:
//!
//! 1. `arrival`: a fresh correlation id, for the `Correlation-Id` header, the span and the
//!    journal, and the external transaction and session ids a client sent, which its answer
//!    carries;
//! 2. `arrival`: a `request` span and one log line per answer;
//! 3. `timeout`: the request timeout (408), over everything a call may wait for;
//! 4. `body`: the body read first when the journal records it (and for push-credential writes);
//! 5. `panic`: a panic becomes a PingOne-shaped 500;
//! 6. `media`: `application/hal+json` for clients that ask for it and not for plain JSON;
//! 7. `loading`: while the state file loads, everything but the probes and the API
//!    description waits;
//!    `shared`: with a database store, what steps 8 to 10 need from the database;
//! 8. `auth`: bearer auth on `/v1` calls;
//! 9. `faults`: fault rules, on PingOne operations only;
//! 10. `dispatch`: push-credential calls answered directly;
//! 11. the router.
//!
//! Steps 8 to 10 are [`SYNC_STEPS`], run in one loop ([`Gateway::admit`]) for every call.
//! One hand-written service rather than a stack of `from_fn` layers: axum applies a router's
//! layers to every route, so each such layer was cloned, boxed and dropped again on every
//! request, with a boxed future of its own. A call that cannot wait (no body, no state file
//! loading, no fault rules: reads and deletes) is answered with no future of its own.

mod arrival;
mod auth;
mod body;
mod dispatch;
mod faults;
mod loading;
mod media;
mod panic;
mod shared;
mod timeout;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header;
use axum::response::Response;
use futures_util::TryFutureExt;
use futures_util::future::{self, Either, MapOk, Ready};
use tower::{Layer, Service as _};
use tower_http::compression::predicate::DefaultPredicate;
use tower_http::compression::{Compression, CompressionBody, CompressionLayer};
use tracing::Instrument;

use self::arrival::Arrival;
use crate::call::Call;
use crate::extract::MAX_BODY_BYTES;
use crate::journal::redact::Recorded;
use crate::links::OverTls;
use crate::state::AppState;

/// Wraps `router` (its routes, no layers) in the cross-cutting steps and compression.
pub fn wrap(router: Router, state: AppState) -> Pipeline {
    let gateway = Gateway {
        router: DefaultBodyLimit::max(MAX_BODY_BYTES).layer(router),
        state,
    };
    Pipeline {
        compressed: CompressionLayer::new().layer(gateway.clone()),
        plain: gateway,
        over_tls: false,
    }
}

/// The router behind every cross-cutting step, gzip-compressed for clients that accept it.
///
/// Clients that send no `Accept-Encoding` (the Go SDK, `curl` without `--compressed`) skip
/// the compression layer altogether: it would otherwise check every answer's type and size.
#[derive(Clone)]
pub struct Pipeline {
    plain: Gateway,
    compressed: Compression<Gateway>,
    /// Whether the connection it serves is TLS: its calls get `https://` links.
    over_tls: bool,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Pipeline")
            .field("gateway", &self.plain)
            .finish_non_exhaustive()
    }
}

/// The body of an answer: compressed or not.
pub type AnswerBody = http_body_util::Either<CompressionBody<Body>, Body>;

/// Ready at once for calls the synchronous steps answer (reads, deletes: most calls), boxed
/// for the others.
type GatewayFuture = Either<
    Ready<Result<Response, Infallible>>,
    Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>,
>;
type CompressedFuture = tower_http::compression::ResponseFuture<GatewayFuture, DefaultPredicate>;
type Answer = axum::http::Response<AnswerBody>;

impl<B> tower::Service<axum::http::Request<B>> for Pipeline
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Answer;
    type Error = Infallible;
    type Future = Either<
        MapOk<CompressedFuture, fn(axum::http::Response<CompressionBody<Body>>) -> Answer>,
        MapOk<GatewayFuture, fn(Response) -> Answer>,
    >;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        self.answer(request)
    }
}

/// hyper calls a service by reference, where a tower service is called mutably: hyper-util's
/// bridge between the two clones the service for every call, and a clone of this one is four
/// reference counts that every call would bounce between the cores. Served directly, only
/// the calls that need a clone (compressed, routed or waiting ones) make one.
impl<B> hyper::service::Service<axum::http::Request<B>> for Pipeline
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Answer;
    type Error = Infallible;
    type Future = <Self as tower::Service<axum::http::Request<B>>>::Future;

    fn call(&self, request: axum::http::Request<B>) -> Self::Future {
        self.answer(request)
    }
}

impl Pipeline {
    /// The same service for a TLS connection.
    pub fn over_tls(&self) -> Self {
        Self {
            over_tls: true,
            ..self.clone()
        }
    }

    fn answer<B>(
        &self,
        request: axum::http::Request<B>,
    ) -> <Self as tower::Service<axum::http::Request<B>>>::Future
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let mut request = request.map(Body::new);
        if self.over_tls {
            request.extensions_mut().insert(OverTls);
        }
        if request.headers().contains_key(header::ACCEPT_ENCODING) {
            Either::Left(
                self.compressed
                    .clone()
                    .call(request)
                    .map_ok(|response| response.map(http_body_util::Either::Left)),
            )
        } else {
            Either::Right(
                self.plain
                    .handle(request)
                    .map_ok(|response| response.map(http_body_util::Either::Right)),
            )
        }
    }
}

/// The service around the router; cheap to clone (two reference counts).
#[derive(Clone, Debug)]
pub struct Gateway {
    router: <DefaultBodyLimit as Layer<Router>>::Service,
    state: AppState,
}

impl<B> tower::Service<axum::http::Request<B>> for Gateway
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = GatewayFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        self.handle(request.map(Body::new))
    }
}

impl Gateway {
    /// Steps 1 to 4, then the rest: at once when nothing can make the call wait.
    ///
    /// The gateway is cloned only for calls that wait or are routed: a clone is two reference
    /// counts that every call would otherwise bounce between the cores.
    fn handle(&self, request: Request) -> GatewayFuture {
        let call = Call::classify(request.method(), request.uri().path());
        let arrival = Arrival::new(&request, &call, self.state.journal());
        // A timer can only cut a request short where it waits: for a body, for the state file,
        // or for a fault rule's delay. A request with none of these never waits before its
        // handler, so it is spared the timer, and its synchronous steps run here and now.
        let has_body = !http_body::Body::is_end_stream(request.body());
        if has_body
            || !self.state.is_loaded()
            || !self.state.faults().is_empty()
            || self.state.database().is_some()
        {
            let gateway = self.clone();
            return Either::Right(Box::pin(gateway.handle_waiting(request, call, arrival)));
        }
        let entered = arrival.span.enter();
        let wants_hal = media::wants_hal(request.headers());
        let step = panic::steps(|| self.admit(request, &call));
        drop(entered);
        if let Step::Answer(response) = step {
            let response = media::hal(wants_hal, response);
            let concluded = arrival.conclude(self.state.journal(), None, response);
            return Either::Left(future::ready(Ok(concluded)));
        }
        // The router's future, awaited in the request's span when that is logged; or the
        // delay of a fault rule set since the check above, under the timeout.
        let span = (!arrival.span.is_disabled()).then(|| arrival.span.clone());
        let timeout =
            matches!(step, Step::Delay(..)).then(|| self.state.settings().request_timeout);
        let mut gateway = self.clone();
        let answering = async move {
            let answered = gateway.next(step);
            let (recorded, response) = match timeout {
                None => (None, answered.await),
                Some(timeout) => tokio::time::timeout(timeout, answered)
                    .await
                    .map_or_else(|_| timeout::timed_out(), |response| (None, response)),
            };
            let response = media::hal(wants_hal, response);
            Ok(arrival.conclude(gateway.state.journal(), recorded, response))
        };
        Either::Right(match span {
            None => Box::pin(answering),
            Some(span) => Box::pin(answering.instrument(span)),
        })
    }

    /// [`Gateway::handle`] for a call that may wait: for its body, the state file, a fault
    /// rule's delay or the database. All of it is under the request timeout.
    async fn handle_waiting(
        self,
        request: Request,
        call: Call,
        arrival: Arrival,
    ) -> Result<Response, Infallible> {
        let timeout = self.state.settings().request_timeout;
        let journal = self.state.journal().clone();
        let database = self.state.database().cloned();
        let read_body = body::read_first(&request, &call, &arrival);
        // Boxed: the answer's future is large, and every layer that awaits it would move it.
        let answering = Box::pin(self.answer(request, call, read_body));
        // Instrumented only when the span is logged: entering a disabled span on every poll
        // is work for nothing.
        let answering = if arrival.span.is_disabled() {
            Either::Left(answering)
        } else {
            Either::Right(answering.instrument(arrival.span.clone()))
        };
        let (recorded, response) = tokio::time::timeout(timeout, answering)
            .await
            .unwrap_or_else(|_| timeout::timed_out());
        Ok(match database {
            None => arrival.conclude(&journal, recorded, response),
            Some(database) => {
                arrival
                    .conclude_shared(&database, &journal, recorded, response)
                    .await
            }
        })
    }

    /// Steps 4 to 11 for a call that may wait: the body to record and the answer.
    async fn answer(
        mut self,
        request: Request,
        call: Call,
        read_body: bool,
    ) -> (Recorded, Response) {
        let (recorded, request) = if read_body {
            match body::read(request).await {
                Ok(read) => read,
                Err(refused) => return refused,
            }
        } else {
            (None, request)
        };
        let mut request = request;
        let wants_hal = media::wants_hal(request.headers());
        loading::wait(&self.state, &call).await;
        if let Some(database) = self.state.database().cloned()
            && let Some(answer) = shared::prepare(&self.state, &database, &mut request, &call).await
        {
            return (recorded, media::hal(wants_hal, answer));
        }
        let step = panic::steps(|| self.admit(request, &call));
        let response = self.next(step).await;
        (recorded, media::hal(wants_hal, response))
    }

    /// Steps 8 to 11, up to the handler's future: [`SYNC_STEPS`] in order, then the router.
    fn admit(&self, mut request: Request, call: &Call) -> Step {
        for step in SYNC_STEPS {
            match step(self, &mut request, call) {
                Verdict::Pass => {}
                Verdict::Answer(response) => return Step::Answer(response),
                Verdict::Delay(delay) => {
                    request.extensions_mut().insert(*call);
                    return Step::Delay(delay, request);
                }
            }
        }
        // The extractors take the ids from the classification, not from the path again.
        request.extensions_mut().insert(*call);
        // The router is called mutably: a clone of it (one reference count) for the call.
        Step::Route(self.router.clone().call(request))
    }

    /// The answer that comes after the synchronous steps: theirs, the router's, or the
    /// router's after a fault rule's delay.
    async fn next(&mut self, step: Step) -> Response {
        match step {
            Step::Answer(response) => response,
            Step::Route(routed) => panic::guarded(routed).await,
            Step::Delay(delay, request) => {
                tokio::time::sleep(delay).await;
                panic::routed(&mut self.router, request).await
            }
        }
    }
}

/// A synchronous step: lets the call through, answers it, or delays it.
type SyncStep = fn(&Gateway, &mut Request, &Call) -> Verdict;

/// Steps 8 to 10, in order.
const SYNC_STEPS: [SyncStep; 3] = [auth::step, faults::step, dispatch::step];

/// What a synchronous step decides.
enum Verdict {
    /// On to the next step.
    Pass,
    /// The call is answered (401, 403, an injected error, a push-credential call).
    Answer(Response),
    /// A fault rule delays the call, then it goes on to the router.
    Delay(Duration),
}

/// What comes after the synchronous steps.
enum Step {
    /// They answered.
    Answer(Response),
    /// A fault rule delays the call.
    Delay(Duration, Request),
    /// The router took the request: its answer, to come.
    Route(RouterFuture),
}

type RouterFuture =
    <<DefaultBodyLimit as Layer<Router>>::Service as tower::Service<Request>>::Future;
