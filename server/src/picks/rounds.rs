//! Rounds: every round and one round (API), the device voter a program asks for, and staff creating and editing
//! rounds and their candidates (forms).

use super::Caller;
use crate::http::extract::{Id, Staff};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::Json;
use backend::picks::voter::{device_of, voter_cookie};
use backend::staff::audit::Actor;
use domain::picks::{CandidateFields, RoundDetail, RoundFields, RoundSummary};
use domain::AppError;
use http::{HeaderValue, StatusCode};
use serde_json::json;

/// Every round, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "picks",
    responses((status = 200, body = Vec<RoundSummary>), (status = 429, body = crate::http::json::ErrorBody)))]
pub async fn list(State(shared): State<Shared>) -> Result<Json<Vec<RoundSummary>>, AppError> {
    Ok(Json(backend::picks::list(&shared.app.store, false).await?))
}

/// One round: its candidates (with votes when the round shows counts, or once voting has closed), its
/// sampling results once published, and its integrity report once voting has closed.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, body = RoundDetail),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 404, body = crate::http::json::ErrorBody)
    ))]
pub async fn get_one(State(shared): State<Shared>, Id(id): Id) -> Result<Json<RoundDetail>, AppError> {
    Ok(Json(backend::picks::detail(&shared.app, id, false).await?))
}

/// Issues this client a device voter for the round (the `portal_voter` cookie, a year, `HttpOnly`), as the
/// round's page does: ballots and nominations in rounds verified by device need it and never issue one.
/// `{"issued": false}` when the request already carries a valid one (nothing is set). At most
/// `PORTAL_NEW_DEVICES_PER_NETWORK_HOUR` (default 100) new voters per network (IPv4 /24, IPv6 /64) per round per
/// hour, across all instances: 429 with `Retry-After` beyond. Answered `Cache-Control: private, no-store`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/voter", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "`{\"issued\": true}` with `Set-Cookie: portal_voter=…`, or `{\"issued\": false}` when the request already holds a voter", body = VoterIssued),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "the round takes neither nominations nor device ballots now (`phase_closed`)", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many new voters from this network in this round this hour", body = crate::http::json::ErrorBody)
    ))]
pub async fn voter(State(shared): State<Shared>, Id(id): Id, caller: Caller) -> Result<Reply, AppError> {
    let who = caller.requester();
    if device_of(shared.app.config.secret_key.expose(), who.voter_cookie).is_some() {
        return Ok(Reply::json(StatusCode::OK, VoterIssued { issued: false }));
    }
    let token = backend::picks::voter::issue_device(&shared.app, id, &backend::abuse::network_key(who.ip)).await?;
    let cookie = HeaderValue::from_str(&voter_cookie(&shared.app.config, &token)).map_err(AppError::internal)?;
    Ok(Reply::json(StatusCode::OK, VoterIssued { issued: true }).cookie(cookie))
}

/// The answer of `GET /api/v1/rounds/{id}/voter`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct VoterIssued {
    /// True when this answer sets a new `portal_voter` cookie; false when the request already had one.
    pub issued: bool,
}

pub async fn create_round(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<RoundFields>,
) -> Result<Reply, AppError> {
    let id = backend::picks::create_round(&shared.app, &Actor::staff(&user), &f.parse()?).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see(format!("/staff/rounds/{id}?saved=1")))
}

pub async fn update_round(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<RoundFields>,
) -> Result<Reply, AppError> {
    backend::picks::update_round(&shared.app, &Actor::staff(&user), id, &f.parse()?).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id })).see(format!("/staff/rounds/{id}?saved=1")))
}

pub async fn add_candidate(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(round): Id,
    Form(f): Form<CandidateFields>,
) -> Result<Reply, AppError> {
    let c = backend::picks::add_candidate(&shared.app.store, &Actor::staff(&user), round, &f.parse()?).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": c })).see(format!("/staff/rounds/{round}?saved=1")))
}
