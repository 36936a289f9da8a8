//! Open311 GeoReport v2 at `/open311/v2/` (#21): discovery, the services (case kinds × categories) and their
//! definitions, a partner's filing (`POST requests.json`, form-encoded, with its key), its own requests, and one
//! request by id. JSON only. Every error, the rate limit's included, is the spec's list
//! `[{"code":400,"description":"…"}]`. Not under `/api/v1`: the spec is this interface's document, not OpenAPI.
//! Handlers parse with `domain::open311` and call one `backend::open311` service.

/// Admins' partner keys: issue and revoke (form posts).
pub mod partners;

use crate::credit::badges::absolute_url;
use crate::http::routes::{OwnErrorBody, Routes};
use crate::http::Shared;
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::Json;
use domain::open311::{
    json_name, refusal, Discovery, ErrorItem, Filed, Post, RequestsQuery, Service, ServiceCode, ServiceDefinition,
    ServiceRequest,
};
use domain::route::Facts;
use domain::staff::Role;
use domain::AppError;
use http::{header, HeaderMap, HeaderValue, StatusCode};

/// Where the interface lives.
pub const BASE: &str = "/open311/v2";

pub fn routes() -> Routes {
    Routes::new()
        .get("/open311/v2/discovery.json", Facts::API.host_bound(), discovery)
        .get("/open311/v2/services.json", Facts::API.cached(60), services)
        .get("/open311/v2/services/{file}", Facts::API.cached(60), definition)
        // Answers depend on the key: never cached for anyone.
        .get("/open311/v2/requests.json", Facts::API.credential(), list)
        .post("/open311/v2/requests.json", Facts::WRITE.credential(), file)
        .get("/open311/v2/requests/{file}", Facts::API.credential(), one)
        .reshape_errors(errors)
        .form("/staff/partners", Facts::staff_write(Role::Admin), "/staff/partners", partners::issue)
        .form("/staff/partners/{id}/revoke", Facts::staff_write(Role::Admin), "/staff/partners", partners::revoke)
}

/// `discovery.json`: the one endpoint, its specification and format.
async fn discovery(State(shared): State<Shared>, headers: HeaderMap) -> Json<Discovery> {
    Json(Discovery::at(absolute_url(&shared, &headers, BASE)))
}

/// `services.json`: every case kind in every category.
async fn services() -> Json<Vec<Service>> {
    Json(ServiceCode::all().map(ServiceCode::service).collect())
}

/// `services/{service_code}.json`: the attributes a filing gives (404 for an unknown code).
async fn definition(Path(file): Path<String>) -> Result<Json<ServiceDefinition>, AppError> {
    let code = json_name(&file).and_then(ServiceCode::parse).ok_or_else(AppError::not_found)?;
    Ok(Json(code.definition()))
}

/// `GET requests.json`: the key's own requests (the key is required).
async fn list(
    State(shared): State<Shared>,
    Query(q): Query<RequestsQuery>,
) -> Result<Json<Vec<ServiceRequest>>, AppError> {
    Ok(Json(backend::open311::requests(&shared.app, &q).await?))
}

/// `POST requests.json` (form-encoded): files a case for the key's partner; answers `[{service_request_id, …}]`.
async fn file(
    State(shared): State<Shared>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Json<Vec<Filed>>, AppError> {
    let filed = backend::open311::file(&shared.app, &Post::from_pairs(pairs)).await?;
    Ok(Json(vec![filed]))
}

/// The key of a read, when it carries one.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct KeyQuery {
    api_key: String,
}

/// `GET requests/{id}.json`: one request, as an array of one (see `backend::open311::request`).
async fn one(
    State(shared): State<Shared>,
    Path(file): Path<String>,
    Query(q): Query<KeyQuery>,
) -> Result<Json<Vec<ServiceRequest>>, AppError> {
    let id = json_name(&file).ok_or_else(AppError::not_found)?;
    Ok(Json(backend::open311::request(&shared.app, &q.api_key, id).await?))
}

/// Any error of these routes as the spec's list: ours through `domain::open311::refusal` (the field in the spec's
/// name), a bare status (a malformed form, a wrong method) with its reason. Headers (`Retry-After`) stay.
fn errors(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let item = match res.extensions().get::<AppError>() {
        Some(e) => refusal(e),
        None => {
            ErrorItem { code: status.as_u16(), description: status.canonical_reason().unwrap_or("error").to_owned() }
        }
    };
    let (mut parts, _) = res.into_parts();
    parts.extensions.remove::<AppError>();
    parts.extensions.insert(OwnErrorBody);
    parts.status = StatusCode::from_u16(item.code).unwrap_or(status);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&[item]).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}
