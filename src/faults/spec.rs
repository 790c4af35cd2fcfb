//! A fault rule as written in `POST /__admin/faults`:
//!
//! ```json
//! {"route": "createMFAPushCredential", "environmentId": "…",
//!  "error": {"status": 429, "code": "REQUEST_LIMITED", "retryAfter": 2},
//!  "probability": 0.5, "seed": 42, "times": 3}
//! ```
//!
//! `route` is an operation id (or its short alias), a served path template, or `*`; `method`
//! narrows a template or `*`. The action is `error` or `delayMs`, exactly one.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Action, Call};
use crate::domain::{FieldError, FieldErrorCode};
use crate::domain::{Problems, child, present};
use crate::error::InjectedError;
use crate::operations::{self, OPERATIONS, Operation};

/// The longest delay a rule may ask for: 5 minutes.
pub const MAX_DELAY_MS: i64 = 300_000;

/// Which calls a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteMatch {
    /// Every PingOne call.
    Any,
    /// One operation (its method included).
    Operation(Operation),
    /// Every method on one path template (unless `method` narrows it).
    Template(&'static str),
}

/// A valid rule, as added.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    /// Only calls with this method.
    pub method: Option<String>,
    /// Only calls of this route.
    pub route: RouteMatch,
    /// Only calls about this environment.
    pub environment_id: Option<Uuid>,
    /// What to do.
    pub action: Action,
    /// The chance, from 0 to 1, that a matching call is affected.
    pub probability: f64,
    /// The generator's seed (random unless given, and always listed so a run can be replayed).
    pub seed: u64,
    /// How many calls to affect at most (unlimited when absent).
    pub times: Option<u64>,
}

/// The members of a rule (`openapi::admin::FaultRuleRequest` describes them).
pub(super) const FIELDS: [&str; 8] = [
    "method",
    "route",
    "environmentId",
    "error",
    "delayMs",
    "probability",
    "seed",
    "times",
];

impl RuleSpec {
    /// Parses a rule, reporting every problem.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::new();
        problems.unknown_keys(body, &FIELDS, "", "a fault rule");
        let route = parse_route(&mut problems, body);
        let method = problems
            .string(present(body, "method"), "method", "")
            .map(str::to_ascii_uppercase);
        if let (Some(RouteMatch::Operation(operation)), Some(method)) = (route, &method)
            && method != operation.method
        {
            problems.invalid(
                "method",
                format!(
                    "{} is a {} operation; leave method out or set it to {}.",
                    operation.id, operation.method, operation.method
                ),
            );
        }
        let environment_id = problems.uuid(present(body, "environmentId"), "environmentId", "");
        let action = parse_action(&mut problems, body);
        let probability = match present(body, "probability") {
            None => Some(1.0),
            Some(value) => {
                let probability = value.as_f64().filter(|p| (0.0..=1.0).contains(p));
                if probability.is_none() {
                    problems.invalid("probability", "Must be a number from 0 to 1.");
                }
                probability
            }
        };
        let seed = match present(body, "seed") {
            None => Some(Uuid::new_v4().as_u64_pair().0),
            Some(value) => {
                let seed = value.as_u64();
                if seed.is_none() {
                    problems.invalid("seed", "Must be an integer from 0 to 18446744073709551615.");
                }
                seed
            }
        };
        let times = problems
            .integer(present(body, "times"), "times", "", 1..=i64::MAX)
            .map(|times| times as u64);
        // Any problem recorded above makes `finish` fail, whatever is built here.
        let spec = match (route, action, probability, seed) {
            (Some(route), Some(action), Some(probability), Some(seed)) => Some(Self {
                method: method.filter(|_| !matches!(route, RouteMatch::Operation(_))),
                route,
                environment_id,
                action,
                probability,
                seed,
                times,
            }),
            _ => None,
        };
        problems.finish(spec)
    }

    /// Whether the rule is about `call`.
    pub fn matches(&self, call: Call<'_>) -> bool {
        let route = match self.route {
            RouteMatch::Any => true,
            RouteMatch::Operation(operation) => {
                operation.path == call.template && operation.method == call.method
            }
            RouteMatch::Template(template) => template == call.template,
        };
        route
            && self.method.as_deref().is_none_or(|m| m == call.method)
            && self
                .environment_id
                .is_none_or(|id| call.environment_id == Some(id))
    }

    /// The rule as listed (without id and counters).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        let (route, method) = match self.route {
            RouteMatch::Any => ("*", self.method.as_deref()),
            RouteMatch::Operation(operation) => (operation.id, Some(operation.method)),
            RouteMatch::Template(template) => (template, self.method.as_deref()),
        };
        if let Some(method) = method {
            object.insert("method".into(), json!(method));
        }
        object.insert("route".into(), json!(route));
        if let Some(id) = self.environment_id {
            object.insert("environmentId".into(), json!(id));
        }
        match &self.action {
            Action::Error(error) => {
                let mut body = json!({"status": error.status.as_u16(), "code": error.code});
                if let Some(seconds) = error.retry_after {
                    body["retryAfter"] = json!(seconds);
                }
                object.insert("error".into(), body);
            }
            Action::Delay(delay) => {
                object.insert("delayMs".into(), json!(delay.as_millis() as u64));
            }
        }
        object.insert("probability".into(), json!(self.probability));
        object.insert("seed".into(), json!(self.seed));
        if let Some(times) = self.times {
            object.insert("times".into(), json!(times));
        }
        Value::Object(object)
    }
}

fn parse_route(problems: &mut Problems, body: &Map<String, Value>) -> Option<RouteMatch> {
    let name = problems.required(body, "route", "");
    let name = problems.string(name, "route", "")?;
    if name == "*" {
        return Some(RouteMatch::Any);
    }
    if let Some(operation) = operations::by_name(name) {
        return Some(RouteMatch::Operation(operation));
    }
    if let Some(operation) = OPERATIONS.iter().find(|operation| operation.path == name) {
        return Some(RouteMatch::Template(operation.path));
    }
    let ids: Vec<&str> = OPERATIONS.iter().map(|operation| operation.id).collect();
    problems.invalid(
        "route",
        format!(
            "Must be *, an operation ({}) or a path template such as {}.",
            ids.join(", "),
            operations::ITEM
        ),
    );
    None
}

fn parse_action(problems: &mut Problems, body: &Map<String, Value>) -> Option<Action> {
    match (present(body, "error"), present(body, "delayMs")) {
        (Some(_), Some(_)) | (None, None) => {
            problems.push(
                FieldErrorCode::RequiredValue,
                "error",
                "Give exactly one action: error or delayMs.",
            );
            None
        }
        (None, Some(delay)) => problems
            .integer(Some(delay), "delayMs", "", 1..=MAX_DELAY_MS)
            .map(|ms| Action::Delay(Duration::from_millis(ms as u64))),
        (Some(error), None) => parse_error(problems, error).map(Action::Error),
    }
}

/// The members of a rule's `error`.
pub(super) const ERROR_FIELDS: [&str; 3] = ["status", "code", "retryAfter"];

fn parse_error(problems: &mut Problems, error: &Value) -> Option<InjectedError> {
    let path = "error";
    let object = problems.object(error, path)?;
    problems.unknown_keys(object, &ERROR_FIELDS, path, "an error");
    let status = problems.required(object, "status", path);
    let status = problems
        .integer(status, "status", path, 400..=599)
        .and_then(|status| StatusCode::from_u16(status as u16).ok());
    let code = match present(object, "code") {
        None => status.map(default_code),
        Some(code) => problems.string(Some(code), "code", path).map(str::to_owned),
    };
    let retry_after = problems
        .integer(
            present(object, "retryAfter"),
            "retryAfter",
            path,
            0..=86_400,
        )
        .map(|seconds| seconds as u64);
    if retry_after.is_some()
        && status.is_some_and(|status| {
            status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE
        })
    {
        problems.invalid(
            child(path, "retryAfter"),
            "Retry-After is only sent with 429 or 503.",
        );
    }
    Some(InjectedError {
        status: status?,
        code: code?,
        retry_after,
    })
}

/// PingOne's `code` for a status, when the rule names none.
fn default_code(status: StatusCode) -> String {
    match status.as_u16() {
        401 | 403 => "ACCESS_FAILED",
        404 => "NOT_FOUND",
        429 => "REQUEST_LIMITED",
        500..=599 => "UNEXPECTED_ERROR",
        _ => "INVALID_REQUEST",
    }
    .to_owned()
}
