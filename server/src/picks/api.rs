//! The 你点我检 API: rounds, one round with its candidates (and counts when visible, results when published),
//! ballots, nominations, SMS codes. The shared steps of a ballot live here; the form posts reuse them.

use super::{admit_voter, device, device_hash, phone_hash};
use crate::http::client_ip::{network, ClientIp};
use crate::http::json::ApiJson;
use crate::http::Shared;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::picks::{parse_phone, BallotBody, BallotReceipt, CandidateFields, RefusalReason, RoundDetail, RoundSummary, VoterCheck};
use domain::{AppError, ErrCode};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;

/// Every round, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "picks",
    responses((status = 200, body = Vec<RoundSummary>), (status = 429, body = crate::http::json::ErrorBody)))]
pub async fn list(State(shared): State<Shared>) -> Response {
    match backend::picks::list(&shared.app.store, false).await {
        Ok(rounds) => Json(rounds).into_response(),
        Err(e) => e.into_response(),
    }
}

/// One round: its candidates (with votes when the round shows counts, or once voting has closed), its
/// sampling results once published, and its integrity report once voting has closed.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, body = RoundDetail),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 400, description = "invalid id", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody)
    ))]
pub async fn get_one(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let result = async { backend::picks::detail(&shared.app.store, round_id(&id)?, false).await }.await;
    match result {
        Ok(d) => Json(d).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A round id from the path: a positive integer, else 400 naming `id`.
pub fn round_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "id"))
}

/// Casts the ballot of this request's voter: checks the round and the picks, the honeypot, the voter (device
/// cookie, or phone and one-time code), the voter's quota; then the group-commit writer. Returns the receipt
/// and the voter cookie to set, if a new one was made. Every refusal is counted for the integrity report.
pub async fn cast(
    shared: &Shared,
    headers: &HeaderMap,
    id: i64,
    body: &BallotBody,
    honeypot: bool,
) -> (Result<BallotReceipt, AppError>, Option<HeaderValue>) {
    let writer = &shared.app.ballots;
    let mut set_cookie = None;
    let result = async {
        let (rules, picks) = writer.check(id, &body.candidate_ids).await?;
        if honeypot {
            writer.refuse(id, RefusalReason::Honeypot).await;
            return Err(AppError::field(ErrCode::InvalidValue, "website"));
        }
        let hash = match rules.voter_check {
            VoterCheck::Device => {
                let (device_id, cookie) = device(shared, headers);
                set_cookie = cookie;
                device_hash(shared, id, &device_id)
            }
            VoterCheck::Sms => {
                let phone = parse_phone(body.phone.as_deref().unwrap_or(""))?;
                let code = body.code.as_deref().unwrap_or("");
                if let Err(e) = backend::picks::sms::verify_code(&shared.app, id, &phone, code).await {
                    writer.refuse(id, RefusalReason::BadCode).await;
                    return Err(e);
                }
                phone_hash(shared, id, &phone)
            }
        };
        if let Err(e) = admit_voter(&hash) {
            writer.refuse(id, RefusalReason::RateLimited).await;
            return Err(e);
        }
        writer.cast(id, &hash, &picks).await
    }
    .await;
    (result, set_cookie)
}

/// Casts or replaces this voter's ballot: `{"candidate_ids": [..]}` (and `phone` + `code` in rounds verified by
/// SMS). The voter is the `portal_voter` cookie (set on the first ballot: keep cookies). Answered after the
/// ballot is durably stored.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/ballot", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    request_body = BallotBody,
    responses(
        (status = 200, description = "stored; `replaced` when it replaced this voter's earlier ballot", body = BallotReceipt),
        (status = 400, description = "zero, too many, duplicate or foreign picks (`candidate_ids`), bad phone or code", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "the round is not voting (`phase_closed`)", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited (per address and per voter)", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_ballot(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<BallotBody>, AppError>,
) -> Response {
    let (id, ApiJson(body)) = match round_id(&id).and_then(|id| body.map(|b| (id, b))) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let (result, cookie) = cast(&shared, &headers, id, &body, false).await;
    let mut res = match result {
        Ok(receipt) => Json(receipt).into_response(),
        Err(e) => e.into_response(),
    };
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Nominates a food while the round takes nominations (moderated before it becomes a candidate). The voter
/// cookie identifies the nominator, who sees the outcome on the round's page.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/nominations", tag = "picks",
    params(("id" = i64, Path, minimum = 1)),
    request_body = CandidateFields,
    responses(
        (status = 201, description = "`{id, status: \"pending\"}`"),
        (status = 400, description = "invalid field (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "not taking nominations, or this voter's nominations are used up", body = crate::http::json::ErrorBody),
        (status = 413, body = crate::http::json::ErrorBody),
        (status = 415, body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn post_nomination(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<CandidateFields>, AppError>,
) -> Response {
    let (result, cookie) = match round_id(&id).and_then(|id| body.map(|b| (id, b))) {
        Ok((id, ApiJson(f))) => nominate(&shared, &headers, id, &f, &network(ip)).await,
        Err(e) => (Err(e), None),
    };
    let mut res = match result {
        Ok(n) => (StatusCode::CREATED, Json(serde_json::json!({ "id": n, "status": "pending" }))).into_response(),
        Err(e) => e.into_response(),
    };
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Files a nomination for this request's device voter.
pub async fn nominate(
    shared: &Shared,
    headers: &HeaderMap,
    id: i64,
    f: &CandidateFields,
    network: &str,
) -> (Result<i64, AppError>, Option<HeaderValue>) {
    if f.is_bot() {
        return (Err(AppError::field(ErrCode::InvalidValue, "website")), None);
    }
    let c = match f.parse() {
        Ok(c) => c,
        Err(e) => return (Err(e), None),
    };
    let (device_id, cookie) = device(shared, headers);
    let hash = device_hash(shared, id, &device_id);
    (backend::picks::nominations::submit_public(&shared.app, id, &hash, network, &c).await, cookie)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeRequest {
    #[serde(default)]
    pub phone: String,
}

/// Sends a one-time code by SMS for voting in a round verified by phone (valid 10 minutes, single use; at
/// most one a minute per phone).
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
        (status = 429, body = crate::http::json::ErrorBody),
        (status = 503, description = "the SMS gateway is unavailable", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_code(State(shared): State<Shared>, Path(id): Path<String>, body: Result<ApiJson<CodeRequest>, AppError>) -> Response {
    let result = async {
        let id = round_id(&id)?;
        let ApiJson(req) = body?;
        let phone = parse_phone(&req.phone)?;
        backend::picks::sms::request_code(&shared.app, id, &phone).await
    }
    .await;
    match result {
        Ok(()) => (StatusCode::ACCEPTED, Json(serde_json::json!({ "sent": true }))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, get_one, post_ballot, post_nomination, post_code),
    components(schemas(RoundSummary, RoundDetail, BallotBody, BallotReceipt, CandidateFields, CodeRequest,
        domain::picks::Phase, domain::picks::Schedule, domain::picks::VoterCheck, domain::picks::CandidateView,
        domain::picks::IntegrityReport, domain::picks::Refusal, domain::picks::RefusalReason)),
    tags((name = "picks", description = "你点我检: rounds, candidates, ballots and nominations"))
)]
pub struct PicksApi;
