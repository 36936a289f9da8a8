//! Form posts of 你点我检, working without JavaScript: the ballot (one `candidate_ids` per ticked box), a
//! nomination, an SMS code request; staff creating and editing rounds, adding candidates, moderating
//! nominations. 303 on success; back to the form with `?error=…&field=…` on failure; JSON for programs.

use super::api::round_id;
use crate::http::client_ip::ClientIp;
use crate::http::forms::{answer, digits};
use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use backend::picks::Requester;
use backend::staff::audit::Actor;
use domain::picks::{parse_phone, BallotBody, CandidateFields, NominationDecision, RoundFields, BALLOT_FIELD, HONEYPOT_FIELD};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

/// The ballot form: `candidate_ids` once per ticked box, `phone` and `code` in SMS rounds, and the honeypot.
fn ballot_form(body: &[u8]) -> Result<(BallotBody, bool), AppError> {
    let mut ballot = BallotBody::default();
    let mut honeypot = false;
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            BALLOT_FIELD => ballot.candidate_ids.push(
                v.trim().parse().map_err(|_| AppError::field(ErrCode::InvalidValue, BALLOT_FIELD))?,
            ),
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

pub async fn ballot(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("/picks/{}", digits(&id));
    let result = match round_id(&id).and_then(|id| ballot_form(&body).map(|b| (id, b))) {
        Ok((id, (ballot, honeypot))) => {
            let cookie = super::voter_cookie(&headers);
            let who = Requester { ip, voter_cookie: cookie.as_deref() };
            backend::picks::cast(&shared.app, id, who, &ballot, honeypot).await
        }
        Err(e) => Err(e),
    };
    let next = |r: &domain::picks::BallotReceipt| format!("{back}?voted={}", if r.replaced { "replaced" } else { "1" });
    answer(&headers, &back, result, next, |r| (StatusCode::OK, json!(r)))
}

pub async fn nominate(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CandidateFields>,
) -> Response {
    let back = format!("/picks/{}", digits(&id));
    let result = match round_id(&id) {
        Ok(id) => {
            let cookie = super::voter_cookie(&headers);
            backend::picks::nominate(&shared.app, id, Requester { ip, voter_cookie: cookie.as_deref() }, &f).await
        }
        Err(e) => Err(e),
    };
    let next = |_: &i64| format!("{back}?nominated=1");
    answer(&headers, &back, result, next, |n| (StatusCode::CREATED, json!({ "id": n, "status": "pending" })))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    phone: String,
}

pub async fn code(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let back = format!("/picks/{}", digits(&id));
    let result = async {
        let id = round_id(&id)?;
        let network = backend::abuse::network_key(ip);
        backend::picks::sms::request_code(&shared.app, id, &parse_phone(&f.phone)?, Some(&network)).await
    }
    .await;
    answer(&headers, &back, result, |()| format!("{back}?code_sent=1"), |()| (StatusCode::ACCEPTED, json!({ "sent": true })))
}

pub async fn create_round(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<RoundFields>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        backend::picks::create_round(&shared.app, &Actor::staff(&user), &f.parse()?).await
    }
    .await;
    let next = |id: &i64| format!("/staff/rounds/{id}?saved=1");
    answer(&headers, "/staff/rounds", result, next, |id| (StatusCode::CREATED, json!({ "id": id })))
}

pub async fn update_round(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<RoundFields>,
) -> Response {
    let back = format!("/staff/rounds/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        let id = round_id(&id)?;
        backend::picks::update_round(&shared.app, &Actor::staff(&user), id, &f.parse()?).await?;
        Ok(id)
    }
    .await;
    answer(&headers, &back, result, |_| format!("{back}?saved=1"), |id| (StatusCode::OK, json!({ "id": id })))
}

pub async fn add_candidate(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CandidateFields>,
) -> Response {
    let back = format!("/staff/rounds/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        let round = round_id(&id)?;
        backend::picks::add_candidate(&shared.app.store, &Actor::staff(&user), round, &f.parse()?).await
    }
    .await;
    answer(&headers, &back, result, |_| format!("{back}?saved=1"), |c| (StatusCode::CREATED, json!({ "id": c })))
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

pub async fn decide_nomination(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<DecideForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let d = NominationDecision::parse(&f.decision, &f.candidate_id, &f.reason)?;
        backend::picks::nominations::decide(&shared.app.store, &Actor::staff(&user), id, &d).await
    }
    .await;
    let next = |_: &()| "/staff/rounds?decided=1#nominations".to_owned();
    answer(&headers, "/staff/rounds", result, next, |()| (StatusCode::OK, json!({ "id": id }))).into_response()
}
