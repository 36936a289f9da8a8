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
    (status = 503, description = "database unreachable", body = crate::http::json::ErrorBody)
))]
pub async fn readyz(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, AppError> {
    // Load balancers poll this, and it is not rate limited: one real check per second at most.
    static LAST_OK: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    let fresh = LAST_OK.lock().ok().and_then(|g| *g).is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1));
    if !fresh {
        shared.app.store.ping().await.map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            AppError::new(ErrCode::Unavailable)
        })?;
        if let Ok(mut g) = LAST_OK.lock() {
            *g = Some(std::time::Instant::now());
        }
    }
    Ok(Json(json!({ "status": "ready" })))
}
