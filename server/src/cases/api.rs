//! The complaints API: `POST /api/v1/complaints` (multipart) and `GET /api/v1/complaints/{tracking_no}` with the
//! access code in `X-Access-Code`.

use crate::http::client_ip::ClientIp;
use crate::http::json::ApiJson;
use crate::http::multipart::{Caps, Upload};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use domain::cases::{CaseFields, CaseReceipt, CaseTrack, RatingFields, RatingState, MAX_PHOTOS, MAX_PHOTO_BYTES};
use domain::AppError;
use http::{HeaderMap, StatusCode};

/// A case upload: its text fields, and up to five photos as `photos`. A photo's own size (8 MB) is checked by the
/// service after the text, so a form that fails on a photo keeps what was typed; the reader bounds the whole.
pub const CASE: Caps = Caps {
    texts: CaseFields::FIELDS,
    text_bytes: 64 * 1024,
    file: "photos",
    files: MAX_PHOTOS,
    file_bytes: MAX_PHOTOS * MAX_PHOTO_BYTES,
    total: MAX_PHOTOS * MAX_PHOTO_BYTES + 448 * 1024,
};

/// A case as uploaded: its fields and its photos' bytes, not yet looked at (the service checks the text first).
pub async fn read_case(upload: Upload) -> Result<(CaseFields, Vec<bytes::Bytes>), AppError> {
    let parts = upload.read(&CASE).await?;
    Ok((parts.fields()?, parts.files))
}

/// The declared length of a request's body, if any.
pub fn declared_len(headers: &HeaderMap) -> Option<u64> {
    headers.get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

/// Files a 投诉 or 举报 (multipart: `kind` = 投诉|举报, `business_name` or `credit_code`, `category`, `description`,
/// `occurred_at`, `place`, `reporter_name`, `reporter_phone` — both or neither —, `idempotency_key`, up to five
/// `photos` (JPEG, PNG or WebP, 8 MB each, at most 40 Mpx and 160 MB of decoded pixels)). Answers the tracking
/// number and the access code, shown once. Sending the same request again with the same `idempotency_key`
/// answers the same receipt; the key with other content answers 409. Bounded per network (IPv4 /24, IPv6 /64):
/// cases per minute and per day, photo megabytes per day (see `/api`).
#[utoipa::path(post, path = "/api/v1/complaints", tag = "cases",
    request_body(content_type = "multipart/form-data", content = CaseFields),
    responses(
        (status = 201, body = CaseReceipt),
        (status = 400, description = "invalid field (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 404, description = "unknown `credit_code`", body = crate::http::json::ErrorBody),
        (status = 413, description = "a photo or the whole upload too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "a photo that is not JPEG, PNG or WebP", body = crate::http::json::ErrorBody),
        (status = 409, description = "`idempotency_conflict`: the key was used for other content", body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited: per address, or the network's cases or photo bytes for the minute or the day", body = crate::http::json::ErrorBody),
        (status = 503, description = "`photos_busy`: every photo decoder is busy; retry after `Retry-After`", body = crate::http::json::ErrorBody)
    ))]
pub async fn file(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    upload: Upload,
) -> Result<Reply, AppError> {
    let network = backend::abuse::network_key(ip);
    let receipt = backend::cases::submit(&shared.app, &network, declared_len(&headers), read_case(upload))
        .await
        .map_err(|(e, _)| e)?;
    Ok(Reply::json(StatusCode::CREATED, receipt))
}

/// A case's public timeline, the deadline of its current stage and, for a 举报, its reward. The access code
/// travels in `X-Access-Code`; an unknown number and a wrong code both answer 404.
#[utoipa::path(get, path = "/api/v1/complaints/{tracking_no}", tag = "cases",
    params(
        ("tracking_no" = String, Path, max_length = 40),
        ("X-Access-Code" = String, Header, description = "the access code from the receipt", max_length = 40)
    ),
    responses(
        (status = 200, body = CaseTrack),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 404, description = "unknown number or wrong code", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn track(
    State(shared): State<Shared>,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> Result<Json<CaseTrack>, AppError> {
    let code = headers.get("x-access-code").and_then(|v| v.to_str().ok()).unwrap_or("");
    Ok(Json(backend::cases::track(&shared.app, &no, code).await?))
}

/// Rates the decided case: once per decision, within 30 days of it, in four levels (`very_satisfied`,
/// `satisfied`, `basic`, `dissatisfied`) with an optional `comment`. `reopen: true` with `dissatisfied` and a
/// reason in `comment` hands the case back for handling, once per case; its second decision is rated again.
/// The access code travels in `X-Access-Code`; an unknown number and a wrong code both answer 404. Bounded per
/// network (IPv4 /24, IPv6 /64) per minute and per day (`PORTAL_BOUND_RATINGS`), wrong codes included.
#[utoipa::path(post, path = "/api/v1/complaints/{tracking_no}/rating", tag = "cases",
    params(
        ("tracking_no" = String, Path, max_length = 40),
        ("X-Access-Code" = String, Header, description = "the access code from the receipt", max_length = 40)
    ),
    request_body = RatingFields,
    responses(
        (status = 200, description = "stored; the case's rating state after it", body = RatingState),
        (status = 400, description = "unknown `level`, `comment` too long or missing for a reopening, `reopen` without `dissatisfied`", body = crate::http::json::ErrorBody),
        (status = 404, description = "unknown number or wrong code", body = crate::http::json::ErrorBody),
        (status = 409, description = "field `level`: the case is not decided, this decision was rated already, or its 30 days are over (`phase_closed`); field `reopen`: the case was reopened once already", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn rate(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(no): Path<String>,
    headers: HeaderMap,
    ApiJson(fields): ApiJson<RatingFields>,
) -> Result<Reply, AppError> {
    let code = headers.get("x-access-code").and_then(|v| v.to_str().ok()).unwrap_or("");
    let network = backend::abuse::network_key(ip);
    let state = backend::cases::satisfaction::rate(&shared.app, &network, &no, code, &fields).await?;
    Ok(Reply::json(StatusCode::OK, state))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(file, track, rate),
    components(schemas(CaseFields, CaseReceipt, CaseTrack, domain::cases::TimelineEntry, domain::cases::RewardView,
        RatingFields, RatingState, domain::cases::RatingView,
        domain::cases::CaseKind, domain::cases::CaseState, domain::cases::RejectReason, domain::cases::RewardLevel,
        domain::cases::RewardStatus)),
    tags((name = "cases", description = "投诉 / 举报: filing and tracking complaints and reports"))
)]
pub struct CasesApi;
