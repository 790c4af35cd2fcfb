use serde_json::{Value, json};

use super::*;
use crate::operations::{COLLECTION, ITEM};

fn spec(body: Value) -> RuleSpec {
    RuleSpec::parse(body.as_object().unwrap()).expect("a valid rule")
}

fn problems(body: Value) -> Vec<(&'static str, String)> {
    RuleSpec::parse(body.as_object().unwrap())
        .expect_err("the rule should be refused")
        .into_iter()
        .map(|error| (error.code.as_str(), error.target))
        .collect()
}

fn call(method: &'static str, template: &'static str) -> Call<'static> {
    Call {
        method,
        template,
        environment_id: None,
    }
}

/// A named body and the `(code, target)` pairs it must be refused with.
type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[test]
fn invalid_rules_are_refused_with_every_problem() {
    let cases: Vec<Case> = vec![
        (
            "empty",
            json!({}),
            vec![("REQUIRED_VALUE", "route"), ("REQUIRED_VALUE", "error")],
        ),
        (
            "unknown route and field",
            json!({"route": "createUser", "delayMs": 5, "colour": "red"}),
            vec![("INVALID_VALUE", "colour"), ("INVALID_VALUE", "route")],
        ),
        (
            "two actions",
            json!({"route": "*", "delayMs": 5, "error": {"status": 500}}),
            vec![("REQUIRED_VALUE", "error")],
        ),
        (
            "status out of range",
            json!({"route": "*", "error": {"status": 302}}),
            vec![("INVALID_VALUE", "error.status")],
        ),
        (
            "status missing",
            json!({"route": "*", "error": {"code": "X"}}),
            vec![("REQUIRED_VALUE", "error.status")],
        ),
        (
            "retry-after on a 400",
            json!({"route": "*", "error": {"status": 400, "retryAfter": 1}}),
            vec![("INVALID_VALUE", "error.retryAfter")],
        ),
        (
            "method contradicts operation",
            json!({"route": "createMFAPushCredential", "method": "GET", "delayMs": 1}),
            vec![("INVALID_VALUE", "method")],
        ),
        (
            "bad numbers",
            json!({"route": "*", "delayMs": 0, "probability": 1.5, "seed": -1, "times": 0,
                   "environmentId": "E"}),
            vec![
                ("INVALID_VALUE", "environmentId"),
                ("INVALID_VALUE", "delayMs"),
                ("INVALID_VALUE", "probability"),
                ("INVALID_VALUE", "seed"),
                ("INVALID_VALUE", "times"),
            ],
        ),
        (
            "delay too long",
            json!({"route": "*", "delayMs": 300_001}),
            vec![("INVALID_VALUE", "delayMs")],
        ),
        (
            "error not an object",
            json!({"route": "*", "error": 429}),
            vec![("INVALID_VALUE", "error")],
        ),
    ];
    for (name, body, expected) in cases {
        let expected: Vec<(&str, String)> = expected
            .into_iter()
            .map(|(code, target)| (code, target.to_owned()))
            .collect();
        assert_eq!(problems(body), expected, "case: {name}");
    }
}

#[test]
fn routes_are_operation_ids_aliases_templates_or_a_star() {
    let by_id = spec(json!({"route": "createMFAPushCredential", "delayMs": 1}));
    let by_alias = spec(json!({"route": "createPushCredential", "delayMs": 1}));
    assert_eq!(by_id.route, by_alias.route);
    assert!(by_id.matches(call("POST", COLLECTION)));
    assert!(!by_id.matches(call("GET", COLLECTION)));
    let template = spec(json!({"route": ITEM, "method": "put", "delayMs": 1}));
    assert!(template.matches(call("PUT", ITEM)));
    assert!(!template.matches(call("DELETE", ITEM)));
    let any = spec(json!({"route": "*", "delayMs": 1}));
    assert!(any.matches(call("DELETE", ITEM)) && any.matches(call("GET", COLLECTION)));
}

#[test]
fn an_error_rule_defaults_its_code_from_the_status() {
    for (status, code) in [
        (429, "REQUEST_LIMITED"),
        (503, "UNEXPECTED_ERROR"),
        (404, "NOT_FOUND"),
        (403, "ACCESS_FAILED"),
        (400, "INVALID_REQUEST"),
    ] {
        let rule = spec(json!({"route": "*", "error": {"status": status}}));
        let Action::Error(error) = rule.action else {
            panic!("an error action")
        };
        assert_eq!(error.code, code, "{status}");
    }
}

#[test]
fn a_rule_with_times_fires_exactly_that_often() {
    let faults = Faults::new();
    faults.add(spec(
        json!({"route": "*", "error": {"status": 503}, "times": 3}),
    ));
    let fired = (0..10)
        .filter(|_| faults.decide(call("GET", ITEM)).is_some())
        .count();
    assert_eq!(fired, 3);
    assert_eq!(faults.list()[0]["hits"], 3);
    assert_eq!(faults.list()[0]["remaining"], 0);
}

#[test]
fn the_same_seed_gives_the_same_outcomes() {
    let outcomes = |seed: u64| {
        let faults = Faults::new();
        faults.add(spec(
            json!({"route": "*", "error": {"status": 500}, "probability": 0.5, "seed": seed}),
        ));
        (0..64)
            .map(|_| faults.decide(call("GET", ITEM)).is_some())
            .collect::<Vec<bool>>()
    };
    assert_eq!(outcomes(42), outcomes(42));
    assert_ne!(outcomes(42), outcomes(43));
    let fired = outcomes(7).iter().filter(|fired| **fired).count();
    assert!((16..=48).contains(&fired), "{fired} of 64 at p=0.5");
}

#[test]
fn rules_apply_only_to_their_environment_and_in_order() {
    let faults = Faults::new();
    let environment = Uuid::new_v4();
    faults.add(spec(
        json!({"route": "*", "environmentId": environment, "error": {"status": 404}}),
    ));
    faults.add(spec(json!({"route": "*", "delayMs": 10})));
    let elsewhere = faults.decide(call("GET", ITEM));
    assert_eq!(elsewhere, Some(Action::Delay(Duration::from_millis(10))));
    let here = faults.decide(Call {
        environment_id: Some(environment),
        ..call("GET", ITEM)
    });
    assert!(matches!(here, Some(Action::Error(_))));
    let id: Uuid = faults.list()[0]["id"].as_str().unwrap().parse().unwrap();
    assert!(faults.remove(id) && !faults.remove(id));
    faults.clear();
    assert!(faults.list().is_empty() && faults.decide(call("GET", ITEM)).is_none());
}

#[test]
fn a_listed_rule_shows_its_seed_even_when_none_was_given() {
    let faults = Faults::new();
    let listed = faults.add(spec(
        json!({"route": "readOnePushCredential", "delayMs": 5}),
    ));
    assert!(listed["seed"].is_u64(), "{listed}");
    assert_eq!(listed["route"], "readOneMFAPushCredential");
    assert_eq!(listed["method"], "GET");
    assert_eq!(listed["hits"], 0);
}

#[test]
fn the_fault_rule_schema_names_exactly_what_the_parser_accepts() {
    use crate::openapi::admin::{FaultRuleRequest, InjectedErrorRequest, property_names};
    let mut accepted = super::spec::FIELDS.map(str::to_owned).to_vec();
    accepted.sort();
    assert_eq!(property_names::<FaultRuleRequest>(), accepted);
    let mut accepted = super::spec::ERROR_FIELDS.map(str::to_owned).to_vec();
    accepted.sort();
    assert_eq!(property_names::<InjectedErrorRequest>(), accepted);
}
