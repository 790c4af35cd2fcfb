//! `GET /openapi.json` describes exactly the routes served.

use std::collections::BTreeSet;

use pingone_push_mock::Config;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, apns_body, create_with_secret, hms_body, spawn_app, spawn_app_with};

/// Every route the server serves. Adding a route means adding it here, and the test then
/// checks it is documented (and that nothing else is).
const SERVED: [(&str, &str); 35] = [
    ("GET", "/v1/environments"),
    ("POST", "/v1/environments"),
    ("GET", "/v1/environments/{environmentId}"),
    ("PUT", "/v1/environments/{environmentId}"),
    ("DELETE", "/v1/environments/{environmentId}"),
    ("GET", "/v1/environments/{environmentId}/applications"),
    ("POST", "/v1/environments/{environmentId}/applications"),
    (
        "GET",
        "/v1/environments/{environmentId}/applications/{applicationId}",
    ),
    (
        "PUT",
        "/v1/environments/{environmentId}/applications/{applicationId}",
    ),
    (
        "DELETE",
        "/v1/environments/{environmentId}/applications/{applicationId}",
    ),
    (
        "GET",
        "/v1/environments/{environmentId}/applications/{applicationId}/secret",
    ),
    (
        "POST",
        "/v1/environments/{environmentId}/applications/{applicationId}/secret",
    ),
    ("POST", "/{environmentId}/as/token"),
    ("GET", "/{environmentId}/as/jwks"),
    (
        "GET",
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials",
    ),
    (
        "POST",
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials",
    ),
    (
        "GET",
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}",
    ),
    (
        "PUT",
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}",
    ),
    (
        "DELETE",
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}",
    ),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/openapi.json"),
    ("POST", "/__admin/reset"),
    ("GET", "/__admin/state"),
    ("PUT", "/__admin/state"),
    ("GET", "/__admin/requests"),
    ("DELETE", "/__admin/requests"),
    ("GET", "/__admin/faults"),
    ("POST", "/__admin/faults"),
    ("DELETE", "/__admin/faults"),
    ("DELETE", "/__admin/faults/{faultId}"),
    ("GET", "/__admin/clock"),
    ("PUT", "/__admin/clock"),
    ("DELETE", "/__admin/clock"),
    ("GET", "/__admin/tls/ca.pem"),
];

fn served() -> BTreeSet<(String, String)> {
    SERVED
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect()
}

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

#[tokio::test]
async fn the_document_lists_every_served_route_and_no_other() {
    let app = spawn_app().await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(documented(&document), served());
}

#[tokio::test]
async fn without_admin_the_document_has_no_admin_route() {
    let app = spawn_app_with(Config {
        no_admin: true,
        ..Config::default()
    })
    .await;
    let expected: BTreeSet<(String, String)> = served()
        .into_iter()
        .filter(|(_, path)| !path.starts_with("/__admin"))
        .collect();
    assert_eq!(documented(&document(&app).await), expected);
}

/// A concrete URL for a documented operation, using things that exist: the secret of an
/// application is the worker's.
fn concrete(path: &str, credential: &str, fault: &str, worker: &str) -> String {
    let application = if path.ends_with("/secret") {
        worker
    } else {
        crate::helpers::APP_ID
    };
    path.replace("{environmentId}", crate::helpers::ENV_ID)
        .replace("{applicationId}", application)
        .replace("{pushCredentialId}", credential)
        .replace("{faultId}", fault)
}

fn environment_body() -> Value {
    json!({"name": "Test", "region": "NA", "type": "SANDBOX",
           "license": {"id": "11111111-2222-4333-8444-555555555555"}})
}

fn application_body(ty: &str) -> Value {
    let (grant, method) = match ty {
        "WORKER" => ("CLIENT_CREDENTIALS", "CLIENT_SECRET_BASIC"),
        _ => ("AUTHORIZATION_CODE", "NONE"),
    };
    json!({"name": "App", "enabled": true, "protocol": "OPENID_CONNECT", "type": ty,
           "grantTypes": [grant], "tokenEndpointAuthMethod": method})
}

/// A worker application in `ENV_ID`: its id and client secret.
async fn worker(app: &TestApp) -> (String, String) {
    create_with_secret(app, &application_body("WORKER")).await
}

#[tokio::test]
async fn every_documented_operation_is_served_and_other_methods_are_not() {
    // With HTTPS, so that the local CA's certificate is there to serve.
    let app = spawn_app_with(pingone_push_mock::Config {
        tls_listen: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        ..Default::default()
    })
    .await;
    let document = document(&app).await;
    for (method, path) in documented(&document) {
        // Fresh things to act on, as an operation may delete them.
        let credential = app.create_ok(&hms_body()).await;
        let fault = app
            .add_fault(&json!({"route": "*", "environmentId": uuid::Uuid::new_v4(), "delayMs": 1}))
            .await;
        let (worker, secret) = worker(&app).await;
        let url = format!(
            "{}{}",
            app.address,
            concrete(&path, &credential, fault["id"].as_str().unwrap(), &worker)
        );
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = if path.ends_with("/clock") {
            json!({"offsetMs": 0})
        } else if path.ends_with("/faults") {
            json!({"route": "*", "environmentId": uuid::Uuid::new_v4(), "delayMs": 1})
        } else if path.ends_with("/state") {
            app.exported_state(true).await
        } else if path.ends_with("/environments") || path.ends_with("{environmentId}") {
            environment_body()
        } else if path.ends_with("/applications") || path.ends_with("{applicationId}") {
            application_body("NATIVE_APP")
        } else if method == Method::POST {
            apns_body() // the application already has its HMS credential
        } else {
            hms_body()
        };
        let request = if path.ends_with("/as/token") {
            app.client
                .post(&url)
                .basic_auth(&worker, Some(&secret))
                .form(&[("grant_type", "client_credentials")])
        } else {
            app.request(method.clone(), &url).json(&body)
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        assert!(
            status < 300,
            "{method} {path} answered {status}: {}",
            response.text().await.unwrap()
        );
        app.admin(Method::POST, "reset", None).await;
    }
    for path in document["paths"].as_object().unwrap().keys() {
        let documented_methods = documented(&document);
        for method in ["GET", "PUT", "POST", "DELETE", "PATCH"] {
            if documented_methods.contains(&(method.to_owned(), path.clone())) {
                continue;
            }
            let url = format!(
                "{}{}",
                app.address,
                concrete(
                    path,
                    &uuid::Uuid::new_v4().to_string(),
                    &uuid::Uuid::new_v4().to_string(),
                    &uuid::Uuid::new_v4().to_string(),
                )
            );
            let response = app
                .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                405,
                "{method} {path} is served but not documented"
            );
        }
    }
}

#[tokio::test]
async fn each_push_credential_type_is_its_own_schema_told_apart_by_type() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let request = &schemas["PushCredentialRequest"];
    assert_eq!(request["discriminator"]["propertyName"], "type");
    let mapping = request["discriminator"]["mapping"].as_object().unwrap();
    let types: Vec<&str> = mapping.keys().map(String::as_str).collect();
    assert_eq!(types, ["APNS", "FCM_HTTP_V1", "HMS"]);
    assert_eq!(request["oneOf"].as_array().unwrap().len(), 3);
    for (ty, reference) in mapping {
        let name = reference.as_str().unwrap().rsplit('/').next().unwrap();
        let schema = &schemas[name];
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| field.as_str().unwrap())
            .collect();
        assert!(required.contains(&"type"), "{name}: {schema}");
        let type_schema = &schema["properties"]["type"];
        let type_schema = match type_schema["$ref"].as_str() {
            Some(reference) => &schemas[reference.rsplit('/').next().unwrap()],
            None => type_schema,
        };
        assert_eq!(type_schema["enum"], json!([ty]), "{name}");
    }
    let create = &document["paths"]["/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials"]
        ["post"];
    assert_eq!(create["operationId"], "createMFAPushCredential");
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PushCredentialRequest"
    );
}

#[tokio::test]
async fn the_token_endpoint_takes_a_form_and_every_referenced_schema_exists() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let token = &document["paths"]["/{environmentId}/as/token"]["post"];
    assert_eq!(token["operationId"], "createToken");
    let form = &token["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert_eq!(
        form["schema"]["$ref"], "#/components/schemas/TokenRequest",
        "{token}"
    );
    let secret =
        &document["paths"]["/v1/environments/{environmentId}/applications/{applicationId}/secret"];
    assert_eq!(secret["post"]["operationId"], "updateApplicationSecret");
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
}

/// The alternatives of a documented string: its `enum`, or the `^(A|B)$` of its `pattern`.
fn alternatives(schemas: &Value, schema: &Value) -> Vec<String> {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => &schemas[reference.rsplit('/').next().unwrap()],
        None => schema,
    };
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|value| value.as_str().unwrap().to_owned())
            .collect();
    }
    let pattern = schema["pattern"].as_str().expect("an enum or a pattern");
    pattern
        .trim_start_matches("^(")
        .trim_start_matches('^')
        .trim_end_matches(")$")
        .trim_end_matches('$')
        .split('|')
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_application_the_document_allows_is_accepted_on_create_and_replace() {
    // Arrange: the documented values, read from the document itself.
    let app = spawn_app().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let request = &schemas["ApplicationRequest"]["properties"];
    let types = alternatives(schemas, &request["type"]);
    let grants = alternatives(schemas, &request["grantTypes"]["items"]);
    let methods = alternatives(schemas, &request["tokenEndpointAuthMethod"]);
    assert_eq!(types.len(), 6, "{types:?}");
    assert_eq!(grants.len(), 7, "{grants:?}");
    assert_eq!(methods.len(), 5, "{methods:?}");
    let mobile = schemas["MobileSettings"]["properties"].as_object().unwrap();
    let applications = format!(
        "{}/v1/environments/{}/applications",
        app.address,
        crate::helpers::ENV_ID
    );
    // Act and assert: any type with any non-empty list of grant types and any method, with
    // mobile settings given, null or absent: no type restricts the others.
    for (i, ty) in types.iter().enumerate() {
        let bodies = grants
            .iter()
            .map(|grant| vec![grant.clone()])
            .chain([
                grants.clone(),
                [grants[i].clone(), grants[i].clone()].into(),
            ])
            .enumerate()
            .map(|(j, grant_types)| {
                let settings: serde_json::Map<String, Value> = mobile
                    .keys()
                    .map(|field| {
                        let value = if j % 2 == 0 {
                            json!("com.example.app")
                        } else {
                            Value::Null
                        };
                        (field.clone(), value)
                    })
                    .collect();
                json!({"name": "App", "enabled": j % 2 == 0, "protocol": "OPENID_CONNECT",
                       "type": ty, "grantTypes": grant_types,
                       "tokenEndpointAuthMethod": methods[j % methods.len()],
                       "mobile": if j % 3 == 2 { Value::Null } else { Value::Object(settings) }})
            });
        for body in bodies {
            let created = app.send_json(Method::POST, &applications, &body).await;
            assert_eq!(
                created.status(),
                201,
                "{body}: {}",
                created.text().await.unwrap()
            );
            let created: Value = created.json().await.unwrap();
            let item = format!("{applications}/{}", created["id"].as_str().unwrap());
            let replaced = app.send_json(Method::PUT, &item, &body).await;
            assert_eq!(
                replaced.status(),
                200,
                "{body}: {}",
                replaced.text().await.unwrap()
            );
        }
    }
}

#[tokio::test]
async fn values_outside_the_documented_ones_are_rejected() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let request = &schemas["ApplicationRequest"]["properties"];
    let grants = alternatives(schemas, &request["grantTypes"]["items"]);
    let applications = format!(
        "{}/v1/environments/{}/applications",
        app.address,
        crate::helpers::ENV_ID
    );
    for (field, value) in [
        ("grantTypes", json!(["PASSWORD"])),
        ("grantTypes", json!([""])),
        ("grantTypes", json!([grants[0].to_lowercase()])),
        ("mobile", json!({"bundleId": 1})),
    ] {
        let mut body = application_body("NATIVE_APP");
        body[field] = value;
        let response = app.send_json(Method::POST, &applications, &body).await;
        assert_eq!(response.status(), 400, "{body}");
    }
}

/// Formats JSON Schema and OpenAPI define; any other is ours and needs a generator.
const STANDARD_FORMATS: [&str; 10] = [
    "uuid",
    "int32",
    "int64",
    "float",
    "double",
    "date-time",
    "uri",
    "email",
    "password",
    "binary",
];

#[tokio::test]
async fn secret_strings_name_their_content_by_format_and_the_fuzzer_can_generate_each() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let token = &schemas["ApnsPushCredentialRequest"]["properties"]["token"];
    assert_eq!(token["format"], "pkcs8-pem", "{token}");
    let account =
        &schemas["FcmHttpV1PushCredentialRequest"]["properties"]["googleServiceAccountCredentials"];
    assert_eq!(
        account["format"], "google-service-account-json",
        "{account}"
    );
    assert_eq!(account["contentMediaType"], "application/json", "{account}");
    // scripts/fuzz.sh generates strings of every format of ours with scripts/fuzz_hooks.py.
    let hooks = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fuzz_hooks.py"),
    )
    .unwrap();
    let text = document.to_string();
    let formats: BTreeSet<&str> = text
        .split("\"format\":\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .filter(|format| !STANDARD_FORMATS.contains(format))
        .collect();
    assert_eq!(
        formats,
        BTreeSet::from(["google-service-account-json", "pkcs8-pem"])
    );
    for format in formats {
        assert!(
            hooks.contains(&format!("schemathesis.openapi.format(\"{format}\"")),
            "no strategy for format {format} in scripts/fuzz_hooks.py"
        );
    }
}

#[tokio::test]
async fn each_create_links_to_what_can_be_done_with_its_answer() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let operations: Vec<(String, Value)> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| {
            (
                operation["operationId"].as_str().unwrap().to_owned(),
                operation["parameters"].clone(),
            )
        })
        .collect();
    for (create, expected) in [
        ("createEnvironment", 5),
        ("createApplication", 7),
        ("createMFAPushCredential", 3),
    ] {
        let (path, item) = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, item)| item["post"]["operationId"] == create)
            .unwrap();
        let links = item["post"]["responses"]["201"]["links"]
            .as_object()
            .unwrap();
        assert_eq!(links.len(), expected, "{path}: {links:?}");
        for (name, link) in links {
            // Spelled as OpenAPI spells it (utoipa writes `operation_id`).
            let target = link["operationId"].as_str().expect("operationId");
            let (_, parameters) = operations
                .iter()
                .find(|(id, _)| id == target)
                .unwrap_or_else(|| panic!("{create} links to {target}, which does not exist"));
            let required: BTreeSet<&str> = parameters
                .as_array()
                .unwrap()
                .iter()
                .filter(|parameter| parameter["in"] == "path")
                .map(|parameter| parameter["name"].as_str().unwrap())
                .collect();
            let given: BTreeSet<&str> = link["parameters"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(given, required, "{create} -> {name}");
        }
    }
    assert!(!document.to_string().contains("operation_id"));
}

#[tokio::test]
async fn following_the_read_link_of_each_create_reaches_what_it_made() {
    // The expressions of the link, evaluated on a real answer, name the resource just made.
    let app = spawn_app().await;
    let document = document(&app).await;
    let applications = "/v1/environments/{environmentId}/applications";
    let credentials =
        "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials";
    let concrete = |template: &str| {
        template
            .replace("{environmentId}", crate::helpers::ENV_ID)
            .replace("{applicationId}", crate::helpers::APP_ID)
    };
    for (collection, item, body) in [
        ("/v1/environments", "{environmentId}", environment_body()),
        (
            applications,
            "{applicationId}",
            application_body("NATIVE_APP"),
        ),
        (credentials, "{pushCredentialId}", hms_body()),
    ] {
        let url = format!("{}{}", app.address, concrete(collection));
        let created = app.send_json(Method::POST, &url, &body).await;
        assert_eq!(created.status(), 201, "{collection}");
        let created: Value = created.json().await.unwrap();
        let link = &document["paths"][collection]["post"]["responses"]["201"]["links"]["read"];
        let mut path = format!("{collection}/{item}");
        for (name, expression) in link["parameters"].as_object().unwrap() {
            let pointer = expression
                .as_str()
                .unwrap()
                .strip_prefix("$response.body#")
                .unwrap();
            let value = created.pointer(pointer).unwrap().as_str().unwrap();
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let response = app.get(&format!("{}{path}", app.address)).await;
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn admin_bodies_have_closed_schemas_and_a_member_outside_them_is_refused() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let bodies = [
        (
            "post",
            "faults",
            json!({"route": "*", "error": {"status": 503}}),
        ),
        ("put", "clock", json!({"offsetMs": 1000})),
        ("put", "state", json!({"environments": []})),
    ];
    for (method, path, valid) in bodies {
        let operation = &document["paths"][format!("/__admin/{path}")][method];
        let reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: {operation}"));
        let name = reference.trim_start_matches("#/components/schemas/");
        let schema = &document["components"]["schemas"][name];
        assert_eq!(schema["additionalProperties"], false, "{name}: {schema}");
        let properties = schema["properties"].as_object().unwrap();
        for member in valid.as_object().unwrap().keys() {
            assert!(properties.contains_key(member), "{name} lacks {member}");
        }
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut invalid = valid.clone();
        invalid["notInTheSchema"] = json!(1);
        let refused = app.admin(method.clone(), path, Some(&invalid)).await;
        assert_eq!(refused.status(), 400, "{path}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["details"][0]["target"], "notInTheSchema", "{body}");
        let accepted = app.admin(method, path, Some(&valid)).await;
        assert!(
            accepted.status().is_success(),
            "{path}: {}",
            accepted.status()
        );
    }
}
