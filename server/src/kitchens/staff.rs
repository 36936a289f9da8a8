//! Staff: adding a vendor and issuing its keys (admins), uploading a vendor's status CSV and reviewing AI flags
//! (moderators). A browser goes back to `/staff/kitchens` either way.

use super::api::rows_refused;
use crate::http::extract::{Id, Staff};
use crate::http::multipart::{Caps, Upload};
use crate::http::reply::{Back, Reply};
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use backend::kitchens::{self, ingest, keys};
use backend::staff::audit::Actor;
use domain::kitchens::{ReviewFields, VendorFields};
use domain::AppError;
use http::StatusCode;
use serde_json::json;

pub async fn create_vendor(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<VendorFields>,
) -> Result<Reply, AppError> {
    let id = kitchens::create_vendor(&shared.app.store, &Actor::staff(&user), &f.parse()?).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see("/staff/kitchens"))
}

/// Issues a key: a program gets it in the answer; a browser is sent to the console, which shows it once.
pub async fn issue_key(State(shared): State<Shared>, Staff(user): Staff, Id(id): Id) -> Result<Reply, AppError> {
    let key = keys::issue(&shared.app, &Actor::staff(&user), id).await?;
    let shown = keys::keep_shown(&shared.app, &key).await?;
    Ok(Reply::json(StatusCode::CREATED, &key).see(format!("/staff/kitchens?key={shown}")))
}

/// Largest CSV: a vendor's month.
pub const UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// The upload: one CSV as `file`.
pub const UPLOAD: Caps =
    Caps { texts: &[], text_bytes: 0, file: "file", files: 1, file_bytes: UPLOAD_BYTES, total: UPLOAD_BYTES };

/// A status CSV upload, applied whole or refused whole. A program gets the receipt (201) or the refused rows; a
/// browser goes to the console either way, where the upload is listed with its errors by line.
pub async fn upload(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    upload: Upload,
) -> Result<Response, AppError> {
    let mut parts = upload.read(&UPLOAD).await?;
    let data = parts.file().unwrap_or_default();
    let (upload, outcome) = ingest::upload(&shared.app, &Actor::staff(&user), id, &data).await?;
    let page = format!("/staff/kitchens?upload={upload}");
    Ok(match outcome {
        Ok(receipt) => Reply::json(StatusCode::CREATED, receipt).see(format!("{page}#upload-{upload}")).into_response(),
        Err(rows) => {
            let mut res = rows_refused(rows);
            res.extensions_mut().insert(Back { url: page, anchor: Some("uploads") });
            res
        }
    })
}

/// Confirms a flag (属实) with the action taken, optionally recording a credit event.
pub async fn confirm(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<ReviewFields>,
) -> Result<Reply, AppError> {
    kitchens::confirm(&shared.app.store, &Actor::staff(&user), id, &f.parse()?).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id, "status": "属实" })).see("/staff/kitchens#pending"))
}

/// Dismisses a flag (不属实): never public.
pub async fn dismiss(State(shared): State<Shared>, Staff(user): Staff, Id(id): Id) -> Result<Reply, AppError> {
    kitchens::dismiss(&shared.app.store, &Actor::staff(&user), id).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id, "status": "不属实" })).see("/staff/kitchens#pending"))
}
