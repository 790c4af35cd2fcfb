//! The benchmark baseline: a bare axum server on the emulator's push-credential routes that
//! answers every call with a fixed JSON body of the same size and shape as the emulator's, with
//! no store, no middleware and no parsing. `bench/run.sh` measures both side by side.
//!
//! `cargo run --release --example reference_server -- 127.0.0.1:18081`

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const COLLECTION: &str =
    "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials";
const ITEM: &str = "/v1/environments/{environmentId}/applications/{applicationId}/pushCredentials/{pushCredentialId}";
const ENV: &str = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0";
const APP: &str = "5e81bba1-5185-457c-926a-aae0e8939109";
const ID: &str = "174e1e05-5b67-4165-a28f-c69bbead44be";

#[tokio::main]
async fn main() {
    let listen: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_owned())
        .parse()
        .expect("a socket address such as 127.0.0.1:18081");
    let listener = tokio::net::TcpListener::bind(listen).await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    let resource: &'static str = Box::leak(resource(&origin).into_boxed_str());
    let collection: &'static str = Box::leak(collection(&origin, resource).into_boxed_str());

    let router = Router::new()
        .route(
            COLLECTION,
            get(move || async move { json(StatusCode::OK, collection) })
                .post(move |_: Bytes| async move { json(StatusCode::CREATED, resource) }),
        )
        .route(
            ITEM,
            get(move || async move { json(StatusCode::OK, resource) })
                .put(move |_: Bytes| async move { json(StatusCode::OK, resource) })
                .delete(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/readyz",
            get(|| async { json(StatusCode::OK, r#"{"status":"READY"}"#) }),
        );
    axum::serve(listener, router).await.expect("serve");
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An APNS resource exactly as the emulator renders it for `origin`.
fn resource(origin: &str) -> String {
    let app = format!("{origin}/v1/environments/{ENV}/applications/{APP}");
    format!(
        concat!(
            r#"{{"_links":{{"self":{{"href":"{app}/pushCredentials/{id}"}},"#,
            r#""environment":{{"href":"{origin}/v1/environments/{env}"}},"#,
            r#""application":{{"href":"{app}"}}}},"#,
            r#""id":"{id}","environment":{{"id":"{env}"}},"application":{{"id":"{appid}"}},"#,
            r#""createdAt":"2022-01-06T15:44:10.669Z","updatedAt":"2022-01-06T15:44:10.669Z","#,
            r#""type":"APNS"}}"#
        ),
        app = app,
        id = ID,
        origin = origin,
        env = ENV,
        appid = APP,
    )
}

/// A collection of three resources, the size of the list benchmark's answer.
fn collection(origin: &str, resource: &str) -> String {
    format!(
        r#"{{"_links":{{"self":{{"href":"{origin}/v1/environments/{ENV}/applications/{APP}/pushCredentials"}}}},"_embedded":{{"pushCredentials":[{resource},{resource},{resource}]}},"count":3,"size":3}}"#
    )
}
