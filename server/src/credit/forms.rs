//! Form posts of the credit section: a business's reply from its public page; staff editing businesses and
//! events, importing CSV, and moderating replies. 303 on success; 303 back with `?error=…&field=…` on failure
//! for browsers; status + JSON for programs. Each parses its input with the `domain` type the page's form takes
//! its field names from, and calls one service; caches follow the services' change announcements.

use crate::http::client_ip::{network, ClientIp};
use crate::http::forms::{fail, wants_html};
use crate::http::Shared;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use backend::credit::Upserted;
use backend::staff::audit::Actor;
use domain::credit::{BusinessFields, CreditCode, EventFields, ReplyFields};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use http::HeaderMap;
use serde::Deserialize;

/// A business answers its record or asks for credit repair (public, moderated).
pub async fn submit_reply(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ReplyFields>,
) -> Response {
    let back = format!("/credit/{}", code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>());
    let result = async {
        let code = CreditCode::parse(&code)?;
        backend::credit::replies::submit(&shared.app.store, &code, &f.parse()?, Some(&network(ip))).await
    }
    .await;
    match result {
        Ok(_) if wants_html(&headers) => Redirect::to(&format!("{back}?replied=1#reply")).into_response(),
        Ok(id) => (http::StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id, "status": "pending" })))
            .into_response(),
        Err(e) => fail(&headers, &back, e),
    }
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
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<DecideForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let approve = match f.decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(AppError::field(ErrCode::InvalidValue, "decision")),
        };
        backend::credit::replies::decide(&shared.app.store, &Actor::staff(&user), id, approve, &f.note).await
    }
    .await;
    match result {
        Ok(()) if wants_html(&headers) => Redirect::to("/staff/replies?saved=1").into_response(),
        Ok(()) => axum::Json(serde_json::json!({ "id": id })).into_response(),
        Err(e) => fail(&headers, "/staff/replies", e),
    }
}

/// Staff create or edit a business.
pub async fn save_business(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<BusinessFields>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let b = f.parse()?;
        let outcome = backend::credit::save_business(&shared.app.store, &Actor::staff(&user), &b).await?;
        Ok::<_, AppError>((b.credit_code, outcome))
    }
    .await;
    match result {
        Ok((code, _)) if wants_html(&headers) => Redirect::to(&format!("/credit/{code}")).into_response(),
        Ok((code, outcome)) => {
            let status = if outcome == Upserted::Created { http::StatusCode::CREATED } else { http::StatusCode::OK };
            (status, axum::Json(serde_json::json!({ "credit_code": code.as_str(), "outcome": outcome.as_str() })))
                .into_response()
        }
        Err(e) => fail(&headers, "/staff/businesses", e),
    }
}

/// Staff record an event (inspection finding, sampling failure, penalty, substantiated report, commendation).
pub async fn add_event(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<EventFields>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let e = f.parse()?;
        backend::credit::add_event(&shared.app.store, &Actor::staff(&user), &e).await?;
        Ok::<_, AppError>(e.credit_code)
    }
    .await;
    match result {
        Ok(code) if wants_html(&headers) => Redirect::to(&format!("/credit/{code}")).into_response(),
        Ok(code) => {
            (http::StatusCode::CREATED, axum::Json(serde_json::json!({ "credit_code": code.as_str() }))).into_response()
        }
        Err(e) => fail(&headers, "/staff/businesses", e),
    }
}

/// Staff upload a registry CSV from the console. The import runs as a background job (safe from the request
/// timeout); browsers go to its status page, programs get its id.
pub async fn import_upload(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = user.role.require(Role::Moderator) {
        return e.into_response();
    }
    let mut data = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => data = Some(b),
                Err(_) => return AppError::new(ErrCode::PayloadTooLarge).into_response(),
            },
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => return AppError::field(ErrCode::InvalidValue, "file").into_response(),
        }
    }
    let data = data.map(|d| d.to_vec()).unwrap_or_default();
    let started =
        backend::credit::import::start(&shared.app.store, &Actor::staff(&user), data, Some(&ip.to_string())).await;
    match started {
        Ok(id) if wants_html(&headers) => Redirect::to(&format!("/staff/imports/{id}")).into_response(),
        Ok(id) => (http::StatusCode::ACCEPTED, axum::Json(serde_json::json!({ "job_id": id, "status": "running" })))
            .into_response(),
        Err(e) => fail(&headers, "/staff/businesses", e),
    }
}
