//! Live statistics: `GET /api/v1/stats`. (The page is declared in `app::stats`.)

use crate::http::routes::Routes;
use crate::http::Shared;
use axum::extract::State;
use axum::Json;
use domain::route::Facts;
use domain::stats::{DistrictStats, Stats};
use domain::AppError;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/stats", Facts::API.cached(30), get)
}

/// The campaign's live statistics, counted from the data, and each district's 消费环境指数 (index =
/// 0.5 × mean grade score + 0.3 × sampling pass rate + 0.2 × (100 − 10 × substantiated cases per 1,000
/// businesses, floored at 0)), districts ranked best first.
#[utoipa::path(get, path = "/api/v1/stats", tag = "campaign",
    responses((status = 200, body = Stats), (status = 429, body = crate::http::json::ErrorBody)))]
pub async fn get(State(shared): State<Shared>) -> Result<Json<Stats>, AppError> {
    Ok(Json(backend::stats::cached(&shared.app).await?))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get), components(schemas(Stats, DistrictStats)))]
pub struct StatsApi;
