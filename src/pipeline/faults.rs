//! Step 9: fault rules, on PingOne operations only. The rules' lock is taken only when there
//! are rules, and released before any delay.

use axum::extract::Request;
use axum::response::IntoResponse;

use super::{Gateway, Verdict};
use crate::call::Call;
use crate::database::FaultDecision;
use crate::error::ApiError;
use crate::faults::Action;

pub(super) fn step(gateway: &Gateway, request: &mut Request, call: &Call) -> Verdict {
    // With a database, step 7b had it decide.
    if let Some(decision) = request.extensions_mut().remove::<FaultDecision>() {
        return match decision {
            FaultDecision::Pass => Verdict::Pass,
            FaultDecision::Act(action) => verdict(action),
        };
    }
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
    action.map_or(Verdict::Pass, verdict)
}

fn verdict(action: Action) -> Verdict {
    match action {
        Action::Delay(delay) => Verdict::Delay(delay),
        Action::Error(error) => Verdict::Answer(ApiError::Injected(error).into_response()),
    }
}
