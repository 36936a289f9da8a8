use crate::http::Shared;
use axum::extract::State;
use axum::Json;
use domain::figures::CampaignFigures;
use domain::AppError;

/// The campaign's headline figures.
#[utoipa::path(get, path = "/api/v1/figures", tag = "campaign", responses(
    (status = 200, body = CampaignFigures),
    (status = 404, description = "not yet published", body = crate::http::json::ErrorBody),
    (status = 429, description = "rate limited", body = crate::http::json::ErrorBody)
))]
pub async fn get_figures(State(shared): State<Shared>) -> Result<Json<CampaignFigures>, AppError> {
    backend::site::figures::get(&shared.app.store).await?.map(Json).ok_or_else(AppError::not_found)
}
