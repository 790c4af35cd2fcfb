//! Step 7: while the state file loads, everything but the probes and the API description waits.

use crate::call::{Call, OwnPath};
use crate::state::AppState;

/// Waits, if it must, until the state file is loaded.
pub(super) async fn wait(state: &AppState, call: &Call) {
    if !state.is_loaded() && !call.own.is_some_and(OwnPath::answers_while_loading) {
        state.loaded().await;
    }
}
