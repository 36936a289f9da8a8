//! The public REST API under `/api/v1`, described by an OpenAPI document generated from these handlers.

/// `/healthz` and `/readyz`.
pub mod health;
/// `GET /api/v1/figures`.
pub mod figures;
/// The OpenAPI document and its readable page.
pub mod docs;
/// The business registry.
pub mod businesses;
/// ETag / If-None-Match on API reads.
pub mod etag;
/// The JSON extractor with our error body.
pub mod json;

use crate::http::Shared;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// The error body every failure is answered with.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `invalid_value`, `not_found`, `rate_limited`.
    pub code: String,
    /// Human-readable message in the request's language (`lang` cookie or `Accept-Language`; Chinese first).
    pub message: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// Seconds to wait, on 429.
    pub retry_after: Option<u64>,
}

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/figures", get(figures::get_figures))
        .route("/businesses", get(businesses::search))
        .route("/businesses/{credit_code}", get(businesses::get_one))
        .route("/businesses/{credit_code}/replies", axum::routing::post(businesses::post_reply))
        .route("/downloads/businesses.csv", get(businesses::download_csv))
        .route("/downloads/businesses.json", get(businesses::download_json))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(etag::etag))
}

async fn not_found() -> Response {
    AppError::not_found().into_response()
}
