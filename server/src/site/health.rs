use crate::http::Shared;
use axum::extract::State;
use axum::Json;
use domain::{AppError, ErrCode};
use serde_json::json;

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "alive")))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, description = "ready"),
    (status = 503, description = "database unreachable, or the search index still being built at start", body = crate::http::json::ErrorBody)
))]
pub async fn readyz(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, AppError> {
    // Load balancers poll this, and it is not rate limited: one real check per second at most.
    shared.app.store.ready().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        AppError::new(ErrCode::Unavailable)
    })?;
    // Search and 附近 are answered from the in-memory index, built at start (0.5 s for 44,000 businesses, ~15 s
    // for a million): until then the instance would make every search wait, so it is not ready for traffic.
    if !shared.app.credit.index().is_built() {
        return Err(AppError::new(ErrCode::Unavailable));
    }
    Ok(Json(json!({ "status": "ready" })))
}
