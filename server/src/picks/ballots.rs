//! Ballots, from a program (JSON) or from the round's page (a form that works without JavaScript), and the
//! one-time SMS codes that verify phone voters. Both adapters call `backend::picks::cast`, the whole use case.

use super::Caller;
use crate::http::extract::Id;
use crate::http::json::ApiJson;
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::{Form, State};
use domain::picks::{parse_phone, BallotBody, BallotReceipt, BALLOT_FIELD, HONEYPOT_FIELD};
use domain::{AppError, ErrCode};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

/// Casts or replaces this voter's ballot: `{"candidate_ids": [..]}` (and `phone` + `code` in rounds verified by
/// SMS). In rounds verified by device the voter is the `portal_voter` cookie, issued by the round's page or by
/// `GET /api/v1/rounds/{id}/voter` (keep cookies); without it the ballot is refused 403 `voter_required`.
/// Answered after the ballot is durably stored.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/ballot", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    request_body = BallotBody,
    responses(
        (status = 200, description = "stored; `replaced` when it replaced this voter's earlier ballot", body = BallotReceipt),
        (status = 400, description = "zero, too many, duplicate or foreign picks (`candidate_ids`), bad phone or code", body = crate::http::json::ErrorBody),
        (status = 403, description = "no device voter in a round verified by device (`voter_required`, field `voter`): get one from `GET …/voter` or the round's page", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "the round is not voting (`phase_closed`)", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited (per address and per voter)", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_ballot(
    State(shared): State<Shared>,
    Id(id): Id,
    caller: Caller,
    ApiJson(body): ApiJson<BallotBody>,
) -> Result<Reply, AppError> {
    let receipt = backend::picks::cast(&shared.app, id, caller.requester(), &body, false).await?;
    Ok(Reply::json(StatusCode::OK, receipt))
}

/// The ballot form: `candidate_ids` once per ticked box, `phone` and `code` in SMS rounds, and the honeypot.
fn ballot_form(body: &[u8]) -> Result<(BallotBody, bool), AppError> {
    let mut ballot = BallotBody::default();
    let mut honeypot = false;
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            BALLOT_FIELD => ballot
                .candidate_ids
                .push(v.trim().parse().map_err(|_| AppError::field(ErrCode::InvalidValue, BALLOT_FIELD))?),
            "phone" => ballot.phone = Some(v.into_owned()),
            "code" => ballot.code = Some(v.into_owned()),
            HONEYPOT_FIELD => honeypot |= !v.trim().is_empty(),
            _ => {}
        }
        if ballot.candidate_ids.len() > 100 {
            return Err(AppError::field(ErrCode::TooMany, BALLOT_FIELD));
        }
    }
    Ok((ballot, honeypot))
}

/// The round page's ballot form: back to the round, saying the ballot counted (or what to fix).
pub async fn ballot(State(shared): State<Shared>, Id(id): Id, caller: Caller, body: Bytes) -> Result<Reply, AppError> {
    let (ballot, honeypot) = ballot_form(&body)?;
    let receipt: BallotReceipt = backend::picks::cast(&shared.app, id, caller.requester(), &ballot, honeypot).await?;
    let next = format!("/picks/{id}?voted={}", if receipt.replaced { "replaced" } else { "1" });
    Ok(Reply::json(StatusCode::OK, receipt).see(next))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeRequest {
    #[serde(default)]
    pub phone: String,
}

/// Sends a one-time code by SMS for voting in a round verified by phone (valid 10 minutes, single use, five
/// attempts). At most one a minute and five a day per phone, a bound per network (IPv4 /24, IPv6 /64) per
/// minute and per day, and a city-wide daily budget (`PORTAL_SMS_DAILY_BUDGET`): beyond it 503
/// `sms_budget_exhausted` with `Retry-After` until midnight China time.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/code", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    request_body = CodeRequest,
    responses(
        (status = 202, description = "code sent"),
        (status = 400, description = "invalid phone, or the round does not verify phones", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "the round is not voting", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, description = "a code was sent to this phone less than a minute ago, five today, or this network's bound is spent (`Retry-After`)", body = crate::http::json::ErrorBody),
        (status = 503, description = "the SMS gateway is unavailable, or the city's daily SMS budget is spent (`sms_budget_exhausted`, `Retry-After` until midnight China time)", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_code(
    State(shared): State<Shared>,
    Id(id): Id,
    caller: Caller,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Reply, AppError> {
    send_code(&shared, id, &caller, &req.phone).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "sent": true })))
}

/// The round page's code form.
pub async fn code(
    State(shared): State<Shared>,
    Id(id): Id,
    caller: Caller,
    Form(f): Form<CodeRequest>,
) -> Result<Reply, AppError> {
    send_code(&shared, id, &caller, &f.phone).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "sent": true })).see(format!("/picks/{id}?code_sent=1")))
}

async fn send_code(shared: &Shared, id: i64, caller: &Caller, phone: &str) -> Result<(), AppError> {
    let network = backend::abuse::network_key(caller.requester().ip);
    backend::picks::sms::request_code(&shared.app, id, &parse_phone(phone)?, Some(&network)).await
}
