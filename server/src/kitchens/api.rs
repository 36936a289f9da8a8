//! The signed batch a vendor's platform sends.

use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use backend::kitchens::ingest::{self, Refused};
use backend::kitchens::keys::{KEY_HEADER, SIGNATURE_HEADER};
use domain::kitchens::{KitchenReceipt, KitchenRowError};
use domain::{AppError, ErrCode, Lang};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

/// A refused batch: the first refusal as the usual error (its `field` is `list[row].field`), and every refused
/// row.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KitchenBatchRefused {
    pub error: crate::http::json::ErrorDetail,
    /// Every refused row; absent when the batch as a whole was refused (an unknown market, invalid JSON).
    #[schema(required = false)]
    pub rows: Vec<KitchenRowError>,
}

/// The answer of a batch refused for its rows: the status of the first row's error (400 for a missing or invalid
/// field, 404 for a business not in the registry or not in this vendor's programme, 409 for a kitchen of another
/// vendor or an event id sent with other content), the error naming `list[row].field`, and every row.
pub fn rows_refused(rows: Vec<KitchenRowError>) -> Response {
    let first = rows.first().cloned();
    let err = match &first {
        Some(r) => AppError::field(r.code, &format!("{}[{}].{}", r.section, r.row, r.field)),
        None => AppError::new(ErrCode::InvalidValue),
    };
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut body = err.body(Lang::Zh);
    body["rows"] = serde_json::to_value(&rows).unwrap_or_default();
    let mut res = (status, Json(body)).into_response();
    res.extensions_mut().insert(err);
    res.extensions_mut().insert(crate::http::json::KeepBody);
    res
}

/// Receives a vendor's batch of kitchen status (camera connected, uptime per day, live view and consent) and AI
/// flags, signed with the vendor's key: `X-Kitchen-Key: <key id>` and
/// `X-Kitchen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (`t` within five minutes of
/// ours). All or nothing: any refused row refuses the batch, every refused row is listed, nothing is stored. A
/// `batch_id` is used once per vendor: the same id with the same bytes is answered with the first receipt
/// (`replayed: true`); with other bytes it is 409. Flags arrive pending review and change nothing public.
#[utoipa::path(post, path = "/api/v1/kitchens/batches", tag = "kitchens",
    params(("x-kitchen-key" = String, Header, description = "the key id staff issued to the vendor"),
        ("x-kitchen-signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`")),
    request_body = domain::kitchens::KitchenBatch,
    responses(
        (status = 200, description = "stored (or, `replayed: true`, stored before)", body = KitchenReceipt),
        (status = 400, description = "invalid JSON, or refused rows (each named)", body = KitchenBatchRefused),
        (status = 401, description = "no key, an unknown or revoked key, a missing, stale or wrong signature", body = crate::http::json::ErrorBody),
        (status = 404, description = "a row naming a business not in the registry (or, for a flag, not in the vendor's programme)", body = KitchenBatchRefused),
        (status = 409, description = "the batch id was used with other content, a kitchen of another vendor, or an event id sent with other content", body = KitchenBatchRefused),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn batch(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match ingest::receive(&shared.app, header(KEY_HEADER), header(SIGNATURE_HEADER), &body).await {
        Ok(receipt) => (StatusCode::OK, Json(receipt)).into_response(),
        Err(Refused::Error(e)) => e.into_response(),
        Err(Refused::Rows(rows)) => rows_refused(rows),
    }
}
