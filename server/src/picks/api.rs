//! The 你点我检 API: rounds, one round with its candidates (and counts when visible, results when published),
//! ballots, nominations, SMS codes. Each handler parses, calls one service (`backend::picks`), renders.

use super::device;
use crate::http::client_ip::ClientIp;
use crate::http::json::ApiJson;
use crate::http::Shared;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::picks::{parse_phone, BallotBody, BallotReceipt, CandidateFields, RoundDetail, RoundSummary};
use backend::picks::voter::voter_cookie;
use backend::picks::Requester;
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
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<BallotBody>, AppError>,
) -> Response {
    let (id, ApiJson(body)) = match round_id(&id).and_then(|id| body.map(|b| (id, b))) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let cookie = super::voter_cookie(&headers);
    let who = Requester { ip, voter_cookie: cookie.as_deref() };
    match backend::picks::cast(&shared.app, id, who, &body, false).await {
        Ok(receipt) => Json(receipt).into_response(),
        Err(e) => e.into_response(),
    }
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
        (status = 400, description = "invalid id", body = crate::http::json::ErrorBody),
        (status = 404, body = crate::http::json::ErrorBody),
        (status = 409, description = "the round takes neither nominations nor device ballots now (`phase_closed`)", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many new voters from this network in this round this hour", body = crate::http::json::ErrorBody)
    ))]
pub async fn voter(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let id = round_id(&id)?;
        if device(&shared, &headers).is_some() {
            return Ok(None);
        }
        backend::picks::voter::issue_device(&shared.app, id, &backend::abuse::network_key(ip)).await.map(Some)
    }
    .await;
    let mut res = match result {
        Ok(token) => {
            let mut res = Json(VoterIssued { issued: token.is_some() }).into_response();
            if let Some(v) = token.and_then(|t| HeaderValue::from_str(&voter_cookie(&shared.app.config, &t)).ok()) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => e.into_response(),
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

/// The answer of `GET /api/v1/rounds/{id}/voter`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct VoterIssued {
    /// True when this answer sets a new `portal_voter` cookie; false when the request already had one.
    pub issued: bool,
}

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
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<CandidateFields>, AppError>,
) -> Response {
    let result = match round_id(&id).and_then(|id| body.map(|b| (id, b))) {
        Ok((id, ApiJson(f))) => {
            let cookie = super::voter_cookie(&headers);
            backend::picks::nominate(&shared.app, id, Requester { ip, voter_cookie: cookie.as_deref() }, &f).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => (StatusCode::CREATED, Json(serde_json::json!({ "id": n, "status": "pending" }))).into_response(),
        Err(e) => e.into_response(),
    }
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
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    body: Result<ApiJson<CodeRequest>, AppError>,
) -> Response {
    let result = async {
        let id = round_id(&id)?;
        let ApiJson(req) = body?;
        let phone = parse_phone(&req.phone)?;
        let network = backend::abuse::network_key(ip);
        backend::picks::sms::request_code(&shared.app, id, &phone, Some(&network)).await
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
    paths(list, get_one, voter, post_ballot, post_nomination, post_code),
    components(schemas(RoundSummary, RoundDetail, BallotBody, BallotReceipt, CandidateFields, CodeRequest, VoterIssued,
        domain::picks::Phase, domain::picks::Schedule, domain::picks::VoterCheck, domain::picks::CandidateView,
        domain::picks::IntegrityReport, domain::picks::Refusal, domain::picks::RefusalReason)),
    tags((name = "picks", description = "你点我检: rounds, candidates, ballots and nominations"))
)]
pub struct PicksApi;
