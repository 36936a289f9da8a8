//! The markets API: every market, one market, one stall, a certificate's trace (public reads, cached 30 s), the
//! signed batch a market system sends, and a stall's QR code.

use crate::credit::badges::{absolute_url, qr_svg};
use crate::http::extract::Id;
use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use backend::markets::ingest::{self, Refused};
use backend::markets::keys::{KEY_HEADER, SIGNATURE_HEADER};
use domain::markets::{BatchReceipt, BatchRowError, MarketDetail, MarketSummary, StallCode, StallDetail, TraceView};
use domain::{AppError, ErrCode, Lang};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

/// Every market with today's rapid tests (China day): `tests_today` batches, `passed_today` passed.
#[utoipa::path(get, path = "/api/v1/markets", tag = "markets",
    responses((status = 200, body = Vec<MarketSummary>), (status = 429, body = crate::http::json::ErrorBody)))]
pub async fn list(State(shared): State<Shared>) -> Result<Json<Vec<MarketSummary>>, AppError> {
    Ok(Json(backend::markets::list(&shared.app.store).await?))
}

/// One market: today's figures, its stalls by operator grade, failing rapid tests of the last 30 days.
#[utoipa::path(get, path = "/api/v1/markets/{id}", tag = "markets",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, body = MarketDetail),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn get_one(State(shared): State<Shared>, Id(id): Id) -> Result<Json<MarketDetail>, AppError> {
    Ok(Json(backend::markets::detail(&shared.app.store, id).await?))
}

/// One stall by its code (as printed under its QR code): the operator and grade, today's rapid tests, the
/// certificates of goods on sale.
#[utoipa::path(get, path = "/api/v1/stalls/{code}", tag = "markets",
    params(("code" = String, Path, description = "7 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ", pattern = "^[2-9A-HJKMNP-Za-hjkmnp-z]{7}$")),
    responses(
        (status = 200, body = StallDetail),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 400, description = "not a stall code (`field: stall`)", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn stall(State(shared): State<Shared>, Path(code): Path<String>) -> Result<Json<StallDetail>, AppError> {
    let code = StallCode::parse(&code)?;
    Ok(Json(backend::markets::stall_detail(&shared.app.store, &code).await?))
}

/// A certificate traced: the producer and origin of its goods and every stall holding the same number.
#[utoipa::path(get, path = "/api/v1/certificates/{cert_no}/trace", tag = "markets",
    params(("cert_no" = String, Path, max_length = 40)),
    responses(
        (status = 200, body = TraceView),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn trace(State(shared): State<Shared>, Path(cert_no): Path<String>) -> Result<Json<TraceView>, AppError> {
    if cert_no.chars().count() > 40 {
        return Err(AppError::not_found());
    }
    Ok(Json(backend::markets::trace(&shared.app.store, &cert_no).await?))
}

/// A refused batch: the first refusal as the usual error (its `field` is `list[row].field`), and every refused
/// row.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchRefused {
    pub error: crate::http::json::ErrorDetail,
    /// Every refused row; absent when the batch as a whole was refused (an unknown market, invalid JSON).
    #[schema(required = false)]
    pub rows: Vec<BatchRowError>,
}

/// The answer of a batch refused for its rows: the status of the first row's error (400 for a missing or invalid
/// field, 404 for an unknown stall or operator, 409 for a recorded test sent with other content), the error
/// naming `list[row].field`, and every row. It keeps its body in every language (the row messages are Chinese).
pub fn rows_refused(rows: Vec<BatchRowError>) -> Response {
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

/// Receives a market system's batch of stalls, rapid tests and certificates, signed with the market's key:
/// `X-Market-Key: <key id>` and `X-Market-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
/// (`t` within five minutes of ours). All or nothing: any refused row refuses the batch, every refused row is
/// listed, and nothing is stored. A `batch_id` is used once per market: the same id with the same bytes is
/// answered with the first receipt (`replayed: true`) and writes nothing; with other bytes it is 409.
#[utoipa::path(post, path = "/api/v1/markets/{id}/batches", tag = "markets",
    params(("id" = i64, Path, minimum = 1),
        ("x-market-key" = String, Header, description = "the key id staff issued to this market"),
        ("x-market-signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`")),
    request_body = domain::markets::BatchBody,
    responses(
        (status = 200, description = "stored (or, `replayed: true`, stored before)", body = BatchReceipt),
        (status = 400, description = "invalid JSON, or refused rows (each named)", body = BatchRefused),
        (status = 401, description = "no key, an unknown or revoked key, a missing, stale or wrong signature", body = crate::http::json::ErrorBody),
        (status = 403, description = "the key of another market", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such market, or a row naming an unknown stall or operator", body = BatchRefused),
        (status = 409, description = "the batch id was used with other content, or a recorded test sent with other content", body = BatchRefused),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn batch(State(shared): State<Shared>, Id(id): Id, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match ingest::receive(&shared.app, id, header(KEY_HEADER), header(SIGNATURE_HEADER), &body).await {
        Ok(receipt) => (StatusCode::OK, Json(receipt)).into_response(),
        Err(Refused::Error(e)) => e.into_response(),
        Err(Refused::Rows(rows)) => rows_refused(rows),
    }
}

/// `/m/{code}/qr.svg`: printed on the stall's card, opens the stall's page.
pub async fn qr(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let code = StallCode::parse(&code).map_err(|_| AppError::not_found())?;
    qr_svg(&absolute_url(&shared, &headers, &format!("/m/{code}")), 160)
}
