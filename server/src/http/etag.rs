//! `ETag` / `If-None-Match` for API reads: the tag is a hash of the body, so clients polling unchanged data get
//! a bodiless 304.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

const MAX_TAGGED: usize = 64 * 1024 * 1024;

/// Adds an `ETag` (and a public one-minute cache time) to a successful answer.
pub async fn tag(res: Response) -> Response {
    if res.status() != StatusCode::OK || res.headers().contains_key(header::ETAG) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED).await {
        Ok(b) => b,
        Err(e) => return domain::AppError::internal(format!("buffering API response: {e}")).into_response(),
    };
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Response::from_parts(parts, Body::from(bytes))
}

/// Answers 304 without a body when the client already holds this version.
pub fn not_modified(res: Response, if_none_match: Option<&HeaderValue>) -> Response {
    let Some(tag) = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()) else { return res };
    let matches = if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*"));
    if !matches {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    Response::from_parts(parts, Body::empty())
}
