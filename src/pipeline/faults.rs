//! Step 9: fault rules, on PingOne operations only. The rules' lock is taken only when there
//! are rules, and released before any delay.

use axum::extract::Request;
use axum::response::IntoResponse;

use super::{Gateway, Verdict};
use crate::call::Call;
use crate::error::ApiError;
use crate::faults::Action;

pub(super) fn step(gateway: &Gateway, request: &mut Request, call: &Call) -> Verdict {
    let faults = gateway.state.faults();
    if faults.is_empty() {
        return Verdict::Pass;
    }
    let action = call.operation.and_then(|operation| {
        faults.decide(crate::faults::Call {
            method: request.method().as_str(),
            template: operation.path,
            environment_id: call.environment_id,
        })
    });
    match action {
        None => Verdict::Pass,
        Some(Action::Delay(delay)) => Verdict::Delay(delay),
        Some(Action::Error(error)) => Verdict::Answer(ApiError::Injected(error).into_response()),
    }
}
