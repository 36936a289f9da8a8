//! Form posts of the credit section: a business's reply from its public page; staff editing businesses and
//! events, importing CSV, and moderating replies. 303 on success; 303 back with `?error=…&field=…` on failure
//! for browsers; status + JSON for programs. Each parses its input with the `domain` type the page's form takes
//! its field names from, and calls one service; caches follow the services' change announcements.

use super::IMPORT_MAX_BYTES;
use crate::http::client_ip::{network, ClientIp};
use crate::http::extract::{Code, Id, Staff};
use crate::http::multipart::{Caps, Upload};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::Extension;
use backend::credit::Upserted;
use backend::staff::audit::Actor;
use domain::credit::{BusinessFields, EventFields, ReplyFields};
use domain::{AppError, ErrCode};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

/// A business answers its record or asks for credit repair (public, moderated).
pub async fn submit_reply(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    Form(f): Form<ReplyFields>,
) -> Result<Reply, AppError> {
    let id = backend::credit::replies::submit(&shared.app, &code, &f.parse()?, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id, "status": "pending" }))
        .see(format!("/credit/{code}?replied=1#reply")))
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide_reply(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<DecideForm>,
) -> Result<Reply, AppError> {
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field(ErrCode::InvalidValue, "decision")),
    };
    backend::credit::replies::decide(&shared.app.store, &Actor::staff(&user), id, approve, &f.note).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id })).see("/staff/replies?saved=1"))
}

/// Staff create or edit a business.
pub async fn save_business(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<BusinessFields>,
) -> Result<Reply, AppError> {
    let b = f.parse()?;
    let outcome = backend::credit::save_business(&shared.app.store, &Actor::staff(&user), &b).await?;
    let status = if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK };
    let code = b.credit_code;
    Ok(Reply::json(status, json!({ "credit_code": code.as_str(), "outcome": outcome.as_str() }))
        .see(format!("/credit/{code}")))
}

/// Staff record an event (inspection finding, sampling failure, penalty, substantiated report, commendation).
pub async fn add_event(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<EventFields>,
) -> Result<Reply, AppError> {
    let e = f.parse()?;
    backend::credit::add_event(&shared.app.store, &Actor::staff(&user), &e).await?;
    let code = e.credit_code;
    Ok(Reply::json(StatusCode::CREATED, json!({ "credit_code": code.as_str() })).see(format!("/credit/{code}")))
}

/// The registry upload: one CSV as `file`, nothing else read.
pub const IMPORT: Caps =
    Caps { texts: &[], text_bytes: 0, file: "file", files: 1, file_bytes: IMPORT_MAX_BYTES, total: IMPORT_MAX_BYTES };

/// Staff upload a registry CSV from the console. The import runs as a background job (safe from the request
/// timeout); browsers go to its status page, programs get its id.
pub async fn import_upload(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    upload: Upload,
) -> Result<Reply, AppError> {
    let data = upload.read(&IMPORT).await?.file().unwrap_or_default();
    let id =
        backend::credit::import::start(&shared.app.store, &Actor::staff(&user), data, Some(&ip.to_string())).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "job_id": id, "status": "running" }))
        .see(format!("/staff/imports/{id}")))
}
