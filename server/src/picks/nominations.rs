//! Nominations: a citizen's, from a program (JSON) or the round's page (a form), and staff moderating them.

use super::Caller;
use crate::http::extract::{Id, Staff};
use crate::http::json::ApiJson;
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use backend::staff::audit::Actor;
use domain::picks::{CandidateFields, NominationDecision};
use domain::AppError;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

/// Nominates a food while the round takes nominations (moderated before it becomes a candidate). The voter
/// cookie (issued by the round's page or `GET …/voter`) identifies the nominator, who sees the outcome on the
/// round's page; without it 403 `voter_required`.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/nominations", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    request_body = CandidateFields,
    responses(
        (status = 201, description = "`{id, status: \"pending\"}`"),
        (status = 400, description = "invalid field (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 403, description = "no device voter (`voter_required`, field `voter`)", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "not taking nominations, or this voter's nominations are used up", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn post_nomination(
    State(shared): State<Shared>,
    Id(id): Id,
    caller: Caller,
    ApiJson(f): ApiJson<CandidateFields>,
) -> Result<Reply, AppError> {
    let n = backend::picks::nominate(&shared.app, id, caller.requester(), &f).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": n, "status": "pending" })))
}

/// The round page's nomination form.
pub async fn nominate(
    State(shared): State<Shared>,
    Id(id): Id,
    caller: Caller,
    Form(f): Form<CandidateFields>,
) -> Result<Reply, AppError> {
    let n = backend::picks::nominate(&shared.app, id, caller.requester(), &f).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": n, "status": "pending" }))
        .see(format!("/picks/{id}?nominated=1")))
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    candidate_id: String,
    #[serde(default)]
    reason: String,
}

/// Staff approve, merge or reject a nomination.
pub async fn decide(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<DecideForm>,
) -> Result<Reply, AppError> {
    let d = NominationDecision::parse(&f.decision, &f.candidate_id, &f.reason)?;
    backend::picks::nominations::decide(&shared.app.store, &Actor::staff(&user), id, &d).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id })).see("/staff/rounds?decided=1#nominations"))
}
