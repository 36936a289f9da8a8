//! Staff: adding a market, issuing and revoking its keys (admins), uploading its CSV files (moderators).

use super::api::rows_refused;
use crate::http::client_ip::ClientIp;
use crate::http::extract::{Id, Staff};
use crate::http::multipart::{Caps, Upload};
use crate::http::reply::{Back, Reply};
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use backend::markets::ingest::{self, UploadKind};
use backend::markets::keys;
use backend::staff::audit::Actor;
use domain::markets::MarketFields;
use domain::{AppError, ErrCode};
use http::StatusCode;
use serde_json::json;

pub async fn create(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<MarketFields>,
) -> Result<Reply, AppError> {
    let id = backend::markets::create_market(&shared.app.store, &Actor::staff(&user), &f.parse()?).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see(format!("/staff/markets/{id}")))
}

/// Issues a key: a program gets it in the answer; a browser is sent to the market's page, which shows it once.
pub async fn issue_key(State(shared): State<Shared>, Staff(user): Staff, Id(id): Id) -> Result<Reply, AppError> {
    let key = keys::issue(&shared.app, &Actor::staff(&user), id).await?;
    let shown = keys::keep_shown(&shared.app, &key).await?;
    Ok(Reply::json(StatusCode::CREATED, &key).see(format!("/staff/markets/{id}?key={shown}")))
}

#[derive(serde::Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    key_id: String,
}

pub async fn revoke_key(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<RevokeForm>,
) -> Result<Reply, AppError> {
    if f.key_id.trim().is_empty() {
        return Err(AppError::field(ErrCode::Required, "key_id"));
    }
    keys::revoke(&shared.app.store, &Actor::staff(&user), id, f.key_id.trim()).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "revoked": f.key_id.trim() })).see(format!("/staff/markets/{id}")))
}

/// Largest CSV: a market's week.
pub const UPLOAD_BYTES: usize = 4 * 1024 * 1024;
/// The upload: `kind` (`stalls`, `rapid_tests`, `certificates`) and one CSV as `file`.
pub const UPLOAD: Caps = Caps {
    texts: &["kind"],
    text_bytes: 32,
    file: "file",
    files: 1,
    file_bytes: UPLOAD_BYTES,
    total: UPLOAD_BYTES + 32,
};

#[derive(serde::Deserialize)]
struct UploadFields {
    #[serde(default)]
    kind: String,
}

/// A CSV upload, applied whole or refused whole. A program gets the receipt (201) or the refused rows; a browser
/// goes to the market's page either way, where the upload is listed with its errors by line.
pub async fn upload(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Extension(ClientIp(_ip)): Extension<ClientIp>,
    upload: Upload,
) -> Result<Response, AppError> {
    let mut parts = upload.read(&UPLOAD).await?;
    let f: UploadFields = parts.fields()?;
    let kind = UploadKind::parse(&f.kind).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "kind"))?;
    let data = parts.file().unwrap_or_default();
    let (upload, outcome) = ingest::upload(&shared.app, &Actor::staff(&user), id, kind, &data).await?;
    let page = format!("/staff/markets/{id}?upload={upload}");
    Ok(match outcome {
        Ok(receipt) => Reply::json(StatusCode::CREATED, receipt).see(format!("{page}#upload-{upload}")).into_response(),
        Err(rows) => {
            let mut res = rows_refused(rows);
            res.extensions_mut().insert(Back { url: page, anchor: Some("uploads") });
            res
        }
    })
}

/// Opens a case from a failing rapid test (moderators); a browser goes to the case queue.
pub async fn open_case(State(shared): State<Shared>, Staff(user): Staff, Id(id): Id) -> Result<Reply, AppError> {
    let no = backend::markets::open_case(&shared.app, &Actor::staff(&user), id).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "tracking_no": no })).see("/staff/cases"))
}
