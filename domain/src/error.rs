//! The one error type at the edge. Every failure becomes an [`AppError`]: an error code (which fixes the HTTP
//! status and the localised message), the field at fault when there is one, and for 429 the wait. Internal
//! errors carry no detail to the client: their cause is logged where they are made.

use crate::i18n::{Lang, T};
use serde::{Deserialize, Serialize};

/// Machine-readable error codes, serialised in snake_case in the JSON error body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrCode {
    NotFound,
    InvalidJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Forbidden,
    CsrfRejected,
    InvalidCredentials,
    LoginThrottled,
    Required,
    TooLong,
    TooShort,
    TooMany,
    InvalidValue,
    InvalidCreditCode,
    InvalidLicenceNo,
    PerPageTooLarge,
    Conflict,
    PhaseClosed,
    /// A request after its statutory window (an objection past 15 working days, a repair before the event's
    /// minimum publicity ended).
    WindowClosed,
    SmsNotConfigured,
    InvalidCode,
    /// An idempotency key reused with different content (or by another client): nothing is revealed.
    IdempotencyConflict,
    /// Every photo decoder of this instance is busy: try again shortly (503 with `Retry-After`).
    PhotosBusy,
    MethodNotAllowed,
    Timeout,
    Unavailable,
    Internal,
    /// A ballot or nomination without a device voter: load the round's page (or `GET …/voter`) first.
    VoterRequired,
    /// The city's daily budget of SMS codes is spent; codes resume at midnight China time.
    SmsBudgetExhausted,
}

impl ErrCode {
    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        use ErrCode::*;
        match self {
            InvalidJson | Required | TooLong | TooShort | TooMany | InvalidValue | InvalidCreditCode
            | InvalidLicenceNo | PerPageTooLarge | SmsNotConfigured | InvalidCode => 400,
            Unauthorized | InvalidCredentials => 401,
            Forbidden | CsrfRejected | VoterRequired => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            Timeout => 408,
            Conflict | PhaseClosed | WindowClosed | IdempotencyConflict => 409,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            RateLimited | LoginThrottled => 429,
            Internal => 500,
            Unavailable | PhotosBusy | SmsBudgetExhausted => 503,
        }
    }

    /// The user-facing text of this code.
    pub fn text(self) -> T {
        use ErrCode::*;
        match self {
            NotFound => T::ErrNotFound,
            InvalidJson => T::ErrInvalidJson,
            UnsupportedMediaType => T::ErrUnsupportedMediaType,
            PayloadTooLarge => T::ErrPayloadTooLarge,
            RateLimited => T::ErrRateLimited,
            Unauthorized => T::ErrUnauthorized,
            Forbidden => T::ErrForbidden,
            CsrfRejected => T::ErrCsrf,
            InvalidCredentials => T::ErrInvalidCredentials,
            LoginThrottled => T::ErrLoginThrottled,
            Required => T::ErrRequired,
            TooLong => T::ErrTooLong,
            TooShort => T::ErrTooShort,
            TooMany => T::ErrTooMany,
            InvalidValue => T::ErrInvalidValue,
            InvalidCreditCode => T::ErrInvalidCreditCode,
            InvalidLicenceNo => T::ErrInvalidLicenceNo,
            PerPageTooLarge => T::ErrPerPage,
            Conflict => T::ErrConflict,
            PhaseClosed => T::ErrPhaseClosed,
            WindowClosed => T::ErrWindowClosed,
            SmsNotConfigured => T::ErrSmsNotConfigured,
            InvalidCode => T::ErrInvalidCode,
            IdempotencyConflict => T::ErrIdempotencyConflict,
            PhotosBusy => T::ErrPhotosBusy,
            MethodNotAllowed => T::ErrMethodNotAllowed,
            Timeout => T::ErrTimeout,
            Unavailable => T::ErrUnavailable,
            Internal => T::ErrInternal,
            VoterRequired => T::ErrVoterRequired,
            SmsBudgetExhausted => T::ErrSmsBudgetExhausted,
        }
    }

    /// The snake_case name used in the JSON body.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "internal".to_owned())
    }
}

/// An error as clients see it. Cheap to clone, serialisable so it crosses from server functions to the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}{}", field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default())]
pub struct AppError {
    pub code: ErrCode,
    pub field: Option<String>,
    /// Whole seconds to wait, for 429 answers (at least 1).
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrCode) -> Self {
        AppError { code, field: None, retry_after: None }
    }

    /// A validation failure of one field.
    pub fn field(code: ErrCode, field: &str) -> Self {
        AppError { code, field: Some(field.to_owned()), retry_after: None }
    }

    pub fn not_found() -> Self {
        Self::new(ErrCode::NotFound)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        AppError { code: ErrCode::RateLimited, field: None, retry_after: Some(retry_after_secs.max(1)) }
    }

    /// An internal failure. The cause is logged here (server side) and never shown.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        {
            let at = std::panic::Location::caller();
            tracing::error!(%cause, location = %at, "internal error");
        }
        #[cfg(not(feature = "ssr"))]
        let _ = cause.to_string();
        Self::new(ErrCode::Internal)
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> &'static str {
        self.code.text().get(lang)
    }

    /// The JSON error body of the public contract:
    /// `{"error": {"code": "…", "message": "…", "field": "…"}}` (`field` only when one field is at fault).
    pub fn body(&self, lang: Lang) -> serde_json::Value {
        let mut inner = serde_json::json!({
            "code": self.code,
            "message": self.message(lang),
        });
        if let Some(field) = &self.field {
            inner["field"] = serde_json::Value::String(field.clone());
        }
        if let Some(secs) = self.retry_after {
            inner["retry_after"] = serde_json::Value::from(secs);
        }
        serde_json::json!({ "error": inner })
    }
}

impl From<ErrCode> for AppError {
    fn from(code: ErrCode) -> Self {
        AppError::new(code)
    }
}

/// Lets server functions return `Result<T, AppError>`: the same type reaches the UI.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(_) | E::Deserialization(_) => AppError::new(ErrCode::InvalidValue),
            E::MissingArg(arg) => AppError::field(ErrCode::Required, &arg),
            E::Request(_) | E::Response(_) => AppError::new(ErrCode::Unavailable),
            other => AppError::internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use axum::response::{IntoResponse, Response};

    impl IntoResponse for AppError {
        /// Answers with the JSON body in Chinese and keeps the error in the response extensions, so the
        /// language middleware can re-render the message in the request's language.
        fn into_response(self) -> Response {
            let status = http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = (status, axum::Json(self.body(Lang::Zh))).into_response();
            if let Some(secs) = self.retry_after {
                res.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
            }
            res.extensions_mut().insert(self);
            res
        }
    }

    impl From<sqlx::Error> for AppError {
        /// Unique violations become 409 naming the field (by constraint or column name); anything else is ours.
        #[track_caller]
        fn from(e: sqlx::Error) -> Self {
            match &e {
                sqlx::Error::RowNotFound => AppError::not_found(),
                // Every connection busy for the whole acquire timeout: an overload, not our bug. Ask the
                // client to come back shortly rather than answering 500.
                sqlx::Error::PoolTimedOut => {
                    tracing::warn!("database pool exhausted");
                    AppError { code: ErrCode::Unavailable, field: None, retry_after: Some(2) }
                }
                // Out of disk (SQLite SQLITE_FULL, PostgreSQL 53100 disk_full / 53200 out_of_memory): the write was
                // rolled back whole; tell the client to come back rather than blaming it or hiding it as a bug.
                sqlx::Error::Database(db)
                    if matches!(db.code().as_deref(), Some("13" | "53100" | "53200"))
                        || db.message().contains("database or disk is full") =>
                {
                    tracing::error!(error = %db.message(), "storage full");
                    AppError { code: ErrCode::Unavailable, field: None, retry_after: Some(60) }
                }
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    let field = unique_field(db.constraint().unwrap_or(""), db.message());
                    AppError { code: ErrCode::Conflict, field, retry_after: None }
                }
                _ => AppError::internal(e),
            }
        }
    }

    /// Derives the field at fault from a PostgreSQL constraint name (`staff_username_key`) or an SQLite
    /// message (`UNIQUE constraint failed: staff.username`).
    pub(crate) fn unique_field(constraint: &str, message: &str) -> Option<String> {
        if let Some(cols) = message.strip_prefix("UNIQUE constraint failed: ") {
            let first = cols.split(',').next().unwrap_or("").trim();
            return first.rsplit('.').next().map(str::to_owned);
        }
        let c = constraint.strip_suffix("_key").unwrap_or(constraint);
        // table_column: drop the table part up to the first underscore-separated known prefix.
        c.split_once('_').map(|(_, col)| col.to_owned())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn unique_field_from_both_backends() {
            assert_eq!(unique_field("", "UNIQUE constraint failed: staff.username"), Some("username".into()));
            assert_eq!(unique_field("staff_username_key", "duplicate key"), Some("username".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_contract_shape() {
        let e = AppError::field(ErrCode::InvalidValue, "credit_code");
        let body = e.body(Lang::En);
        assert_eq!(body["error"]["code"], "invalid_value");
        assert_eq!(body["error"]["field"], "credit_code");
        assert_eq!(body["error"]["message"], "This value is not valid.");
        assert_eq!(e.status(), 400);
        let zh = AppError::not_found().body(Lang::Zh);
        assert_eq!(zh["error"]["message"], "找不到请求的资源。");
        assert!(zh["error"].get("field").is_none());
    }

    #[test]
    fn statuses_follow_http_meaning() {
        assert_eq!(ErrCode::PayloadTooLarge.status(), 413);
        assert_eq!(ErrCode::UnsupportedMediaType.status(), 415);
        assert_eq!(ErrCode::Conflict.status(), 409);
        assert_eq!(ErrCode::LoginThrottled.status(), 429);
        assert_eq!(ErrCode::CsrfRejected.status(), 403);
        assert_eq!(ErrCode::Internal.status(), 500);
        assert_eq!(ErrCode::InvalidCredentials.as_str(), "invalid_credentials");
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        assert_eq!(AppError::rate_limited(0).retry_after, Some(1));
        assert_eq!(AppError::rate_limited(7).body(Lang::Zh)["error"]["retry_after"], 7);
    }
}
