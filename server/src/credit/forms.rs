//! Form posts of the credit section: a business's reply from its public page; staff editing businesses and
//! events, importing CSV, and moderating replies. 303 on success; 303 back with `?error=…&field=…` on failure
//! for browsers; status + JSON for programs. Each parses its input with the `domain` type the page's form takes
//! its field names from, and calls one service; caches follow the services' change announcements.

use crate::http::client_ip::{network, ClientIp};
use crate::http::forms::answer;
use crate::http::Shared;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use backend::credit::Upserted;
use backend::staff::audit::Actor;
use domain::credit::{BusinessFields, CreditCode, EventFields, ReplyFields};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use http::{HeaderMap, StatusCode};
use serde_json::json;
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
        backend::credit::replies::submit(&shared.app, &code, &f.parse()?, Some(&network(ip))).await
    }
    .await;
    let next = |_: &i64| format!("{back}?replied=1#reply");
    answer(&headers, &back, result, next, |id| (StatusCode::CREATED, json!({ "id": id, "status": "pending" })))
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
    let next = |_: &()| "/staff/replies?saved=1".to_owned();
    answer(&headers, "/staff/replies", result, next, |()| (StatusCode::OK, json!({ "id": id })))
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
    let next = |(code, _): &(CreditCode, Upserted)| format!("/credit/{code}");
    answer(&headers, "/staff/businesses", result, next, |(code, outcome)| {
        let status = if outcome == Upserted::Created { StatusCode::CREATED } else { StatusCode::OK };
        (status, json!({ "credit_code": code.as_str(), "outcome": outcome.as_str() }))
    })
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
    let next = |code: &CreditCode| format!("/credit/{code}");
    answer(&headers, "/staff/businesses", result, next, |code| (StatusCode::CREATED, json!({ "credit_code": code.as_str() })))
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
    let next = |id: &i64| format!("/staff/imports/{id}");
    answer(&headers, "/staff/businesses", started, next, |id| (StatusCode::ACCEPTED, json!({ "job_id": id, "status": "running" })))
}
