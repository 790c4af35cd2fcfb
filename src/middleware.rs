//! Cross-cutting request handling, in one service around the router: correlation ids, the
//! request span, the request timeout, the journal, panics, start-up, bearer auth, fault
//! injection and media types.
//!
//! One hand-written service rather than a stack of `from_fn` layers: axum applies a router's
//! layers to every route, so each such layer was cloned, boxed and dropped again on every
//! request, with a boxed future of its own (docs/PERFORMANCE.md has the measurements). Here
//! the steps run in the order the layers had, in one future when the call can wait (for its
//! body, the state file or a fault delay) and with no future at all when it cannot and the
//! synchronous steps answer it (reads and deletes of push credentials, refusals):
//!
//! 1. a fresh correlation id, for the `Correlation-Id` header, the span and the journal, and
//!    the external transaction and session ids a client sent, which its answer carries
//!    ([`crate::external_id`]);
//! 2. a `request` span (method, path, correlation id: never headers or bodies, which hold
//!    tokens and secrets) and one log line per answer;
//! 3. the request timeout (408), which covers reading the body, waiting for the state file and
//!    fault delays (a request that waits for none of these is not timed: nothing can hold it);
//! 4. the journal, which reads the body first and records every answer, a 408 or 500 included;
//! 5. a panic becomes a PingOne-shaped 500;
//! 6. `application/hal+json` for clients that ask for it and not for plain JSON;
//! 7. while the state file loads, everything but the probes and the API description waits;
//! 8. bearer auth on `/v1` calls;
//! 9. fault rules, on PingOne operations only;
//! 10. push-credential calls, answered directly (see [`Gateway::push_credentials`]);
//! 11. the router.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::{self, Either, MapOk, Ready};
use futures_util::{FutureExt, TryFutureExt};
use tower::{Layer, Service as _};
use tower_http::compression::predicate::DefaultPredicate;
use tower_http::compression::{Compression, CompressionBody, CompressionLayer};
use tracing::Instrument;
use uuid::Uuid;

use crate::call::{Call, OwnPath};
use crate::config::AuthMode;
use crate::error::ApiError;
use crate::external_id::ExternalIds;
use crate::extract::JsonObject;
use crate::extract::MAX_BODY_BYTES;
use crate::faults::Action;
use crate::journal::Journal;
use crate::journal::record::{self, Pending};
use crate::journal::redact::{self, Recorded};
use crate::links::{Links, OverTls};
use crate::operations;
use crate::rng::SplitMix64;
use crate::routes::Command;
use crate::state::AppState;
use crate::tokens::{TokenEnvironment, bearer_token};

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
    /// Steps 1 to 4: correlation id, span, timeout, journal; then the rest, at once when
    /// nothing can make the call wait.
    ///
    /// The gateway is cloned only for calls that wait or are routed: a clone is two reference
    /// counts that every call would otherwise bounce between the cores.
    fn handle(&self, request: Request) -> GatewayFuture {
        let id = CorrelationId::generate();
        let call = Call::classify(request.method(), request.uri().path());
        // Fields are formatted only if the span is logged.
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            correlation_id = %id.0,
        );
        let arrival = Arrival {
            id,
            external: ExternalIds::of_request(request.headers()),
            started: (!span.is_disabled()).then(Instant::now),
            pending: Pending::start(self.state.journal(), &request, &call, id.0),
            span,
        };
        // A timer can only cut a request short where it waits: for a body, for the state file,
        // or for a fault rule's delay. A request with none of these never waits before its
        // handler, so it is spared the timer, and its synchronous steps run here and now: a
        // read or a delete is answered without a future of its own.
        let has_body = !http_body::Body::is_end_stream(request.body());
        let may_wait = has_body || !self.state.is_loaded() || !self.state.faults().is_empty();
        if may_wait {
            let gateway = self.clone();
            return Either::Right(Box::pin(
                gateway.handle_waiting(request, call, arrival, has_body),
            ));
        }
        let entered = arrival.span.enter();
        let wants_hal = wants_hal(request.headers());
        let next = self.admit_guarded(request, &call);
        drop(entered);
        let answered = match next {
            Step::Answer(response) => response,
            next => {
                // The router's future, awaited in the request's span when that is logged; or
                // the delay of a fault rule set since the check above, under the timeout.
                let span = (!arrival.span.is_disabled()).then(|| arrival.span.clone());
                let timeout =
                    matches!(next, Step::Delay(..)).then(|| self.state.settings().request_timeout);
                let mut gateway = self.clone();
                let answering = async move {
                    let answered = gateway.next(next);
                    let (recorded, response) = match timeout {
                        None => (None, answered.await),
                        Some(timeout) => tokio::time::timeout(timeout, answered)
                            .await
                            .map_or_else(|_| timed_out(), |response| (None, response)),
                    };
                    let response = hal(wants_hal, response);
                    Ok(arrival.conclude(gateway.state.journal(), recorded, response))
                };
                return Either::Right(match span {
                    None => Box::pin(answering),
                    Some(span) => Box::pin(answering.instrument(span)),
                });
            }
        };
        let response = hal(wants_hal, answered);
        Either::Left(future::ready(Ok(arrival.conclude(
            self.state.journal(),
            None,
            response,
        ))))
    }

    /// [`Gateway::handle`] for a call that may wait: for its body, the state file or a fault
    /// rule's delay. All of it is under the request timeout.
    async fn handle_waiting(
        self,
        request: Request,
        call: Call,
        arrival: Arrival,
        has_body: bool,
    ) -> Result<Response, Infallible> {
        let timeout = self.state.settings().request_timeout;
        let journal = self.state.journal().clone();
        // The body is read and parsed before the steps when the journal records it, and for
        // the push-credential writes answered before routing, journal or not.
        let read_body = has_body && (arrival.pending.is_some() || call.is_push_credential());
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
            .unwrap_or_else(|_| timed_out());
        Ok(arrival.conclude(&journal, recorded, response))
    }

    /// Steps 4 (reading the body to record) to 10: the body to record and the answer.
    ///
    /// Everything before the handler runs synchronously, so that the only future here besides
    /// the handler's is this one (each layer of futures is moved in memory as it is built).
    /// `read_body`: the body is read first (for the journal, or for a push-credential write).
    async fn answer(
        mut self,
        request: Request,
        call: Call,
        read_body: bool,
    ) -> (Recorded, Response) {
        let (recorded, request) = if read_body {
            match record::buffer(request).await {
                Ok(read) => read,
                Err(refused) => return refused,
            }
        } else {
            (None, request)
        };
        let wants_hal = wants_hal(request.headers());
        if !self.state.is_loaded() && !call.own.is_some_and(OwnPath::answers_while_loading) {
            self.state.loaded().await;
        }
        let next = self.admit_guarded(request, &call);
        let response = self.next(next).await;
        (recorded, hal(wants_hal, response))
    }

    /// [`Gateway::admit`], with step 5 for it: a panic becomes a PingOne-shaped 500.
    fn admit_guarded(&self, request: Request, call: &Call) -> Step {
        std::panic::catch_unwind(AssertUnwindSafe(|| self.admit(request, call)))
            .unwrap_or_else(|_| Step::Answer(ApiError::Unexpected.into_response()))
    }

    /// The answer that comes after the synchronous steps: theirs, the router's, or the
    /// router's after a fault rule's delay.
    async fn next(&mut self, next: Step) -> Response {
        match next {
            Step::Answer(response) => response,
            Step::Route(routed) => guarded(routed).await,
            Step::Delay(delay, request) => {
                tokio::time::sleep(delay).await;
                match std::panic::catch_unwind(AssertUnwindSafe(|| self.router.call(request))) {
                    Ok(routed) => guarded(routed).await,
                    Err(_) => ApiError::Unexpected.into_response(),
                }
            }
        }
    }

    /// Steps 8 to 10, up to the handler's future: bearer auth, fault rules, routing.
    ///
    /// `/v1` calls need `Authorization: Bearer <token>` unless auth is off; with `--auth jwt`
    /// the token must be one this server issued, unexpired, from an environment that may
    /// manage the environment in the path. The fault rules' lock is taken only when there are
    /// rules, and released before any delay.
    fn admit(&self, mut request: Request, call: &Call) -> Step {
        let state = &self.state;
        if call.api {
            let token = bearer_token(request.headers());
            match (state.settings().auth, token) {
                (AuthMode::None, _) | (AuthMode::AnyBearer, Some(_)) => {}
                (_, None) => return Step::Answer(ApiError::Unauthorized.into_response()),
                (AuthMode::Jwt, Some(token)) => {
                    let Ok(claims) = state.tokens().verify(token, state.clock().now()) else {
                        return Step::Answer(ApiError::Unauthorized.into_response());
                    };
                    if let Some(target) = call.environment_id
                        && !state.store().may_manage(claims.env, target)
                    {
                        return Step::Answer(ApiError::Forbidden.into_response());
                    }
                    request
                        .extensions_mut()
                        .insert(TokenEnvironment(claims.env));
                }
            }
        }
        let faults = state.faults();
        if !faults.is_empty() {
            let action = call.operation.and_then(|operation| {
                faults.decide(crate::faults::Call {
                    method: request.method().as_str(),
                    template: operation.path,
                    environment_id: call.environment_id,
                })
            });
            match action {
                None => {}
                Some(Action::Delay(delay)) => {
                    request.extensions_mut().insert(*call);
                    return Step::Delay(delay, request);
                }
                Some(Action::Error(error)) => {
                    return Step::Answer(ApiError::Injected(error).into_response());
                }
            }
        }
        if let Some(answer) = self.push_credentials(&mut request, call) {
            return Step::Answer(answer);
        }
        // The extractors take the ids from the classification, not from the path again.
        request.extensions_mut().insert(*call);
        // The router is called mutably: a clone of it (one reference count) for the call.
        Step::Route(self.router.clone().call(request))
    }

    /// Answers the push-credential calls (`GET` one or all, `POST`, `PUT`, `DELETE`) with the
    /// same [`Command`] their routes apply, without routing them: routing was a fifth of the
    /// work of a read. Ids that name nothing (404), methods a path does not take (405), `HEAD`,
    /// and a body that could not be read go to the router, which answers them as PingOne does.
    fn push_credentials(&self, request: &mut Request, call: &Call) -> Option<Response> {
        let operation = call.operation.filter(|_| call.is_push_credential())?;
        // An id that is no UUID names nothing: the router answers 404.
        let id = match operation.path {
            operations::ITEM => Some(call.credential_id?),
            _ => None,
        };
        let app = call.app()?;
        let state = &self.state;
        let links = |request: &Request| {
            Links::of_request(
                state,
                request.headers(),
                request.uri(),
                request.extensions(),
            )
        };
        let command = match (request.method(), id) {
            (&Method::GET, Some(id)) => Command::ReadOne(app, id),
            (&Method::GET, None) => Command::ReadAll(app),
            (&Method::DELETE, Some(id)) => Command::Delete(app, id),
            (&Method::POST, None) | (&Method::PUT, Some(_)) => {
                let links = links(request);
                let body = match JsonObject::take_parsed(request)? {
                    Ok(JsonObject(body)) => body,
                    Err(refused) => return Some(refused.into_response()),
                };
                let command = match id {
                    None => Command::Create(app, &body),
                    Some(id) => Command::Replace(app, id, &body),
                };
                return Some(command.apply(state, &links));
            }
            _ => return None,
        };
        let answer = command.apply(state, &links(request));
        Some(answer)
    }
}

/// What is known of a call when it arrives, and what its answer is concluded with.
struct Arrival {
    id: CorrelationId,
    /// The external transaction and session ids the answer carries.
    external: ExternalIds,
    span: tracing::Span,
    /// When the call arrived, if its answer is logged.
    started: Option<Instant>,
    /// Its journal record, if it is journaled.
    pending: Option<Pending>,
}

impl Arrival {
    /// Journals and logs the answer, and gives it the correlation id and the external ids.
    fn conclude(self, journal: &Journal, recorded: Recorded, mut response: Response) -> Response {
        if let Some(pending) = self.pending {
            pending.finish(journal, response.status(), recorded);
        }
        if let Some(started) = self.started {
            log_answer(&self.span, response.status(), started);
        }
        let headers = response.headers_mut();
        headers.insert(CORRELATION_ID.clone(), self.id.header_value());
        self.external.apply(headers);
        response
    }
}

/// Step 3's answer, 408, with what the journal says of the body it did not get to record.
fn timed_out() -> (Recorded, Response) {
    let answer = ApiError::RequestTimeout;
    (
        redact::note(&format!("<not recorded: {answer}>")),
        answer.into_response(),
    )
}

/// Step 6: `application/hal+json` for a client that asked for it, in place of plain JSON.
fn hal(wants_hal: bool, mut response: Response) -> Response {
    if wants_hal
        && response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static("application/json"))
    {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/hal+json"),
        );
    }
    response
}

/// What comes after the synchronous steps.
enum Step {
    /// They answered (401, 403, an injected error).
    Answer(Response),
    /// A fault rule delays the call.
    Delay(std::time::Duration, Request),
    /// The router took the request: its answer, to come.
    Route(RouterFuture),
}

type RouterFuture =
    <<DefaultBodyLimit as Layer<Router>>::Service as tower::Service<Request>>::Future;

/// Step 5 for the handler's future: a panic becomes a PingOne-shaped 500.
async fn guarded(routed: RouterFuture) -> Response {
    match AssertUnwindSafe(routed).catch_unwind().await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => ApiError::Unexpected.into_response(),
    }
}

/// The log line of an answer, at `info` (`error` for a 5xx), in the request's span.
fn log_answer(span: &tracing::Span, status: StatusCode, started: Instant) {
    let latency = started.elapsed().as_millis();
    let status = status.as_u16();
    if status >= 500 {
        tracing::error!(parent: span, latency = %format_args!("{latency} ms"), status, "finished processing request");
    } else {
        tracing::info!(parent: span, latency = %format_args!("{latency} ms"), status, "finished processing request");
    }
}

/// Whether the client asks for `application/hal+json` and not for plain JSON (the Go SDK
/// refuses to decode `hal+json`, so it gets JSON whenever it accepts it).
fn wants_hal(headers: &HeaderMap) -> bool {
    let accepts = |media_type: &str| {
        headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| value.contains(media_type))
    };
    accepts("application/hal+json") && !accepts("application/json")
}

/// The header PingOne sends on every response.
pub static CORRELATION_ID: HeaderName = HeaderName::from_static("correlation-id");

/// The correlation id of the request being handled.
#[derive(Clone, Copy, Debug)]
pub struct CorrelationId(pub Uuid);

impl CorrelationId {
    /// A fresh random (version 4) id, from a small fast generator per thread (SplitMix64),
    /// seeded from the operating system: this runs on every request (`Uuid::new_v4` asks the
    /// kernel each time, and a cryptographic generator is needless here: ids are not secrets).
    pub fn generate() -> Self {
        thread_local! {
            // Seeded from the operating system on first use.
            static RNG: std::cell::Cell<Option<SplitMix64>> = const { std::cell::Cell::new(None) };
        }
        let [high, low] = RNG.with(|cell| {
            let mut rng = cell
                .get()
                .unwrap_or_else(|| SplitMix64::new(rand::random::<u64>()));
            let bits = [rng.next_u64(), rng.next_u64()];
            cell.set(Some(rng));
            bits
        });
        let bytes = (u128::from(high) << 64 | u128::from(low)).to_be_bytes();
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    fn header_value(self) -> HeaderValue {
        let mut buffer = Uuid::encode_buffer();
        HeaderValue::from_str(self.0.hyphenated().encode_lower(&mut buffer))
            .expect("a hyphenated UUID is a valid header value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<Uuid> =
            (0..10_000).map(|_| CorrelationId::generate().0).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.get_version_num(), 4, "{id}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
        // Another thread has a generator of its own, seeded apart.
        let other = std::thread::spawn(|| CorrelationId::generate().0)
            .join()
            .unwrap();
        assert!(!ids.contains(&other));
    }
}
