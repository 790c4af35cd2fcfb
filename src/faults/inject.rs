//! The middleware that applies fault rules to PingOne calls.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Action, Call};
use crate::error::ApiError;
use crate::extract::environment_in_path;
use crate::server::AppState;

/// Runs after routing (it is a route layer, so the matched path template is known) and after
/// authentication. The rule is chosen under the rules' lock; any delay happens after it is
/// released, and no store lock is held here either.
pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let action = {
        let Some(template) = request.extensions().get::<MatchedPath>() else {
            return next.run(request).await;
        };
        state.faults().decide(Call {
            method: request.method().as_str(),
            template: template.as_str(),
            environment_id: environment_in_path(request.uri().path()),
        })
    };
    match action {
        None => next.run(request).await,
        Some(Action::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Action::Error(error)) => ApiError::Injected(error).into_response(),
    }
}
