//! The API's JSON at the edge: the error body every failure has (for the OpenAPI document), and `ApiJson<T>`,
//! axum's JSON extractor with that error body. Malformed JSON is a 400 `invalid_json`, a missing or
//! mistyped field a 400 naming it, a wrong content type a 415, an oversized body a 413.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use domain::{AppError, ErrCode};
use serde::de::DeserializeOwned;
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

pub struct ApiJson<T>(pub T);

/// On an error response whose body carries more than the error (a batch's refused rows): the language layer
/// leaves the body as it is rather than re-rendering the error alone.
#[derive(Clone, Copy, Debug)]
pub struct KeepBody;

/// The field at fault in axum's data-error text: the serde path before ": " (`kind: invalid type…`), or the name
/// in backticks of "missing field `body`".
fn field_of(message: &str) -> Option<String> {
    let detail = message.split_once("target type: ").map(|(_, d)| d).unwrap_or(message);
    if !detail.starts_with("missing field") {
        if let Some((path, _)) = detail.split_once(": ") {
            let last = path.rsplit('.').next().unwrap_or(path);
            if !last.is_empty() && last.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Some(last.to_owned());
            }
        }
    }
    let start = detail.find('`')? + 1;
    let end = start + detail[start..].find('`')?;
    Some(detail[start..end].to_owned())
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::new(ErrCode::UnsupportedMediaType)),
            Err(JsonRejection::JsonDataError(e)) => {
                let msg = e.body_text();
                Err(match field_of(&msg) {
                    Some(f) if msg.contains("missing field") => AppError::field(ErrCode::Required, &f),
                    Some(f) => AppError::field(ErrCode::InvalidValue, &f),
                    None => AppError::new(ErrCode::InvalidJson),
                })
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::new(ErrCode::InvalidJson)),
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::new(ErrCode::PayloadTooLarge)),
            Err(_) => Err(AppError::new(ErrCode::InvalidJson)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn field_names_from_serde_messages() {
        assert_eq!(super::field_of("missing field `body` at line 1 column 2").as_deref(), Some("body"));
        assert_eq!(super::field_of("no backticks"), None);
        let axum_text = "Failed to deserialize the JSON body into the target type: kind: invalid type: integer `3`";
        assert_eq!(super::field_of(axum_text).as_deref(), Some("kind"));
        let missing = "Failed to deserialize the JSON body into the target type: missing field `contact` at line 1";
        assert_eq!(super::field_of(missing).as_deref(), Some("contact"));
    }
}
