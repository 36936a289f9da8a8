//! The complaints API: `POST /api/v1/complaints` (multipart) and `GET /api/v1/complaints/{tracking_no}` with the
//! access code in `X-Access-Code`.

use crate::http::client_ip::ClientIp;
use crate::http::Shared;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::cases::{CaseFields, CaseReceipt, CaseTrack, MAX_PHOTOS};
use domain::{AppError, ErrCode};
use http::{HeaderMap, StatusCode};
use std::collections::HashMap;

/// A case as uploaded: its fields and its photos' bytes, not yet looked at (the service checks the text first).
pub async fn read_case(mut multipart: Multipart) -> Result<(CaseFields, Vec<bytes::Bytes>), AppError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut raw: Vec<bytes::Bytes> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // A body over the route's limit surfaces here.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::field(ErrCode::PayloadTooLarge, "photos")),
            Err(_) => return Err(AppError::field(ErrCode::InvalidValue, "photos")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let file_name = field.file_name().filter(|n| !n.is_empty()).map(str::to_owned);
            let bytes = field.bytes().await.map_err(|_| AppError::field(ErrCode::PayloadTooLarge, "photos"))?;
            // A form's empty file input sends one empty part with no file name: no photo. An empty file is refused.
            if bytes.is_empty() && file_name.is_none() {
                continue;
            }
            raw.push(bytes);
            if raw.len() > MAX_PHOTOS {
                return Err(AppError::field(ErrCode::TooMany, "photos"));
            }
        } else if CaseFields::FIELDS.contains(&name.as_str()) {
            let text = field.text().await.map_err(|_| AppError::field(ErrCode::InvalidValue, &name))?;
            if text.len() > 64 * 1024 {
                return Err(AppError::field(ErrCode::TooLong, &name));
            }
            fields.insert(name, text);
        }
    }
    let f: CaseFields = serde_json::from_value(serde_json::json!(fields)).map_err(AppError::internal)?;
    Ok((f, raw))
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
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let result = async {
        let network = backend::abuse::network_key(ip);
        let multipart = multipart.map_err(|_| AppError::new(ErrCode::UnsupportedMediaType))?;
        backend::cases::submit(&shared.app, &network, declared_len(&headers), read_case(multipart)).await.map_err(|(e, _)| e)
    }
    .await;
    match result {
        Ok(r) => (StatusCode::CREATED, Json(r)).into_response(),
        Err(e) => e.into_response(),
    }
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
pub async fn track(State(shared): State<Shared>, Path(no): Path<String>, headers: HeaderMap) -> Response {
    let code = headers.get("x-access-code").and_then(|v| v.to_str().ok()).unwrap_or("");
    match backend::cases::track(&shared.app, &no, code).await {
        Ok(t) => Json(t).into_response(),
        Err(e) => e.into_response(),
    }
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(file, track),
    components(schemas(CaseFields, CaseReceipt, CaseTrack, domain::cases::TimelineEntry, domain::cases::RewardView,
        domain::cases::CaseKind, domain::cases::CaseState, domain::cases::RejectReason, domain::cases::RewardLevel,
        domain::cases::RewardStatus)),
    tags((name = "cases", description = "投诉 / 举报: filing and tracking complaints and reports"))
)]
pub struct CasesApi;
