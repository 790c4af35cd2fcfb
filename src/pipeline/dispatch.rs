//! Step 10: push-credential calls (`GET` one or all, `POST`, `PUT`, `DELETE`) answered with
//! the same [`Command`] their routes apply, without routing them: routing was a fifth of the
//! work of a read. Ids that name nothing (404), methods a path does not take (405), `HEAD`, and
//! a body that could not be read go on to the router, which answers them as PingOne does.

use axum::extract::Request;
use axum::http::Method;
use axum::response::IntoResponse;
use futures_util::FutureExt;

use super::{Gateway, Verdict};
use crate::call::Call;
use crate::extract::JsonObject;
use crate::links::Links;
use crate::operations;
use crate::routes::Command;

pub(super) fn step(gateway: &Gateway, request: &mut Request, call: &Call) -> Verdict {
    // With a database the answer waits for it: the router's handlers give it.
    if gateway.state.database().is_some() {
        return Verdict::Pass;
    }
    let Some(operation) = call.operation.filter(|_| call.is_push_credential()) else {
        return Verdict::Pass;
    };
    let (Some(app), id) = (call.app(), call.credential_id) else {
        return Verdict::Pass;
    };
    // An item whose id names nothing: the router answers 404.
    if operation.path == operations::ITEM && id.is_none() {
        return Verdict::Pass;
    }
    let state = &gateway.state;
    let links = Links::of_request(
        state,
        request.headers(),
        request.uri(),
        request.extensions(),
    );
    let command = match (request.method(), id) {
        (&Method::GET, Some(id)) => Command::ReadOne(app, id),
        (&Method::GET, None) => Command::ReadAll(app),
        (&Method::DELETE, Some(id)) => Command::Delete(app, id),
        (&Method::POST, None) | (&Method::PUT, Some(_)) => {
            let body = match JsonObject::take_parsed(request) {
                None => return Verdict::Pass,
                Some(Err(refused)) => return Verdict::Answer(refused.into_response()),
                Some(Ok(JsonObject(body))) => body,
            };
            let command = match id {
                None => Command::Create(app, &body),
                Some(id) => Command::Replace(app, id, &body),
            };
            return Verdict::Answer(at_once(command.apply(state, &links)));
        }
        _ => return Verdict::Pass,
    };
    Verdict::Answer(at_once(command.apply(state, &links)))
}

/// The answer of a command on the memory store, which never waits.
fn at_once(answer: impl Future<Output = axum::response::Response>) -> axum::response::Response {
    answer
        .now_or_never()
        .expect("the memory store answers at the first poll")
}
