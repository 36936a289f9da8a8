//! 食安志愿者: the sign-up (API and the no-JS form), the phone's SMS confirmation, signing in and out (a signed
//! HttpOnly cookie), the three-tap report's last tap, the public leaderboard, and staff decisions. Each handler
//! parses with the `domain` type and calls one service of `backend::volunteers`. (The pages are declared in
//! `app::volunteers` and `app::staff::volunteers`.)

use crate::http::client_ip::{network, ClientIp};
use crate::http::extract::{Id, Staff};
use crate::http::forms::cookie;
use crate::http::json::ApiJson;
use crate::http::reply::{Back, Failed, Reply};
use crate::http::routes::Routes;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use backend::staff::audit::Actor;
use backend::volunteers as service;
use domain::route::Facts;
use domain::staff::Role;
use domain::volunteers::{Decision, JoinFields, Joined, Leaderboard, QuickReportFields, SignInFields, VerifyFields};
use domain::{AppError, ErrCode};
use serde::Deserialize;
use serde_json::json;

/// How long a sign-up's receipt waits to be shown (once) to the browser that signed up.
const RECEIPT_SECS: i64 = 600;
const RECEIPT: &str = "volunteer-joined";

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/volunteers", Facts::WRITE, post_join)
        .post("/api/v1/volunteers/verify", Facts::WRITE.credential(), post_verify)
        .get("/api/v1/volunteers/leaderboard", Facts::API.cached(30), leaderboard)
        .form("/volunteers/join", Facts::WRITE, "/volunteers/join", form_join)
        .form("/volunteers/verify", Facts::WRITE.credential(), "/volunteers/verify", form_verify)
        .form("/volunteers/login", Facts::WRITE.credential(), "/volunteers/login", form_login)
        .form("/volunteers/logout", Facts::WRITE.credential(), "/volunteers", form_logout)
        .form("/volunteers/report", Facts::WRITE.credential(), "/volunteers/report", form_report)
        .form("/staff/volunteers/{id}/decision", Facts::staff_write(Role::Moderator), "/staff/volunteers", staff_decide)
}

/// Signs up a volunteer: group, district, phone and consent. Where an SMS gateway is configured a six-digit code
/// goes to the phone (`sms_sent`), to confirm with `POST /api/v1/volunteers/verify`. Staff approve sign-ups.
#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers",
    request_body = JoinFields,
    responses(
        (status = 201, body = Joined, description = "the volunteer number and the sign-in code, shown this once"),
        (status = 400, description = "invalid JSON, or a missing or invalid group, district, phone or consent (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 409, description = "this phone has signed up already (`field: phone`)", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many sign-ups from this network, this phone's codes for the day, or rate limited", body = crate::http::json::ErrorBody),
        (status = 503, description = "the SMS gateway failed or the day's SMS budget is spent (nothing kept)", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_join(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    ApiJson(f): ApiJson<JoinFields>,
) -> Result<Reply, AppError> {
    let j = join(&shared, ip, &headers, &f).await?;
    Ok(Reply::json(StatusCode::CREATED, j))
}

async fn join(shared: &Shared, ip: std::net::IpAddr, headers: &HeaderMap, f: &JoinFields) -> Result<Joined, AppError> {
    let input = f.parse()?;
    let lang = app::lang::request_lang(headers);
    service::join(&shared.app, &input, lang, Some(&network(ip))).await
}

/// The sign-up form: the receipt (number and sign-in code) is kept sealed for a few minutes and shown once on
/// the page the browser is sent to.
pub async fn form_join(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<JoinFields>,
) -> Result<Reply, AppError> {
    let j = join(&shared, ip, &headers, &f).await?;
    let id = backend::cases::drafts::save_for(&shared.app, RECEIPT, &j, RECEIPT_SECS).await?;
    Ok(Reply::json(StatusCode::CREATED, &j).see(format!("/volunteers/joined/{id}")))
}

/// Confirms a sign-up's phone with the code sent to it.
#[utoipa::path(post, path = "/api/v1/volunteers/verify", tag = "volunteers",
    request_body = VerifyFields,
    responses(
        (status = 200, description = "`{verified: true}`"),
        (status = 400, description = "invalid JSON, a malformed number, or `invalid_code` (wrong, expired, used, or five wrong tries) naming `code`", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_verify(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    ApiJson(f): ApiJson<VerifyFields>,
) -> Result<Reply, AppError> {
    let (number, code) = f.parse()?;
    service::verify(&shared.app, &number, &code, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "verified": true })))
}

/// The confirmation form: back to it with the number typed, on failure.
pub async fn form_verify(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<VerifyFields>,
) -> Result<Reply, Failed> {
    let back = |e: AppError, f: &VerifyFields| {
        let number: String = f.number.chars().filter(char::is_ascii_alphanumeric).take(16).collect();
        Failed { error: e, back: Some(Back { url: format!("/volunteers/verify?number={number}"), anchor: None }) }
    };
    let (number, code) = f.parse().map_err(|e| back(e, &f))?;
    service::verify(&shared.app, &number, &code, Some(&network(ip))).await.map_err(|e| back(e, &f))?;
    Ok(Reply::json(StatusCode::OK, json!({ "verified": true })).see("/volunteers/verify?done=1"))
}

/// The public leaderboard by group and by district: counts and points, no names, phones or numbers.
#[utoipa::path(get, path = "/api/v1/volunteers/leaderboard", tag = "volunteers",
    responses((status = 200, body = Leaderboard), (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 429, body = crate::http::json::ErrorBody)))]
pub async fn leaderboard(State(shared): State<Shared>) -> Result<Json<Leaderboard>, AppError> {
    Ok(Json(service::leaderboard(&shared.app.store).await?))
}

/// Signs a volunteer in: a signed, HttpOnly, SameSite=Lax cookie, then their own page.
pub async fn form_login(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<SignInFields>,
) -> Result<Reply, AppError> {
    let (number, code) = f.parse()?;
    let token = service::sign_in(&shared.app, &number, &code, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "number": number })).see("/volunteers/me").cookie(cookie(
        &shared,
        service::COOKIE,
        &token,
        domain::volunteers::SESSION_SECS,
        true,
    )))
}

pub async fn form_logout(State(shared): State<Shared>) -> Result<Reply, AppError> {
    Ok(Reply::redirect("/volunteers").cookie(cookie(&shared, service::COOKIE, "", 0, true)))
}

/// The third tap: files the report for the signed-in volunteer (401 naming `volunteer` without a good
/// cookie); a browser goes to the volunteer's page, which shows the case's tracking number.
pub async fn form_report(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<QuickReportFields>,
) -> Result<Reply, Failed> {
    let back_to = |f: &QuickReportFields| match f.target() {
        Ok(t) => format!("/volunteers/report?{}", t.query()),
        Err(_) => "/volunteers/report".to_owned(),
    };
    let fail = |e: AppError| Failed { error: e, back: Some(Back { url: back_to(&f), anchor: None }) };
    let key = shared.app.config.secret_key.expose();
    let id = app::ssr::cookie(&headers, service::COOKIE)
        .and_then(|t| service::session_id(key, &t, backend::clock::now()))
        .ok_or_else(|| fail(AppError::field(ErrCode::Unauthorized, "volunteer")))?;
    let r = f.parse().map_err(fail)?;
    let receipt = service::report(&shared.app, id, &r).await.map_err(fail)?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "tracking_no": receipt.tracking_no }))
        .see(format!("/volunteers/me?filed={}", receipt.tracking_no)))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

/// A moderator approves, rejects or suspends a volunteer (audited).
pub async fn staff_decide(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<DecisionForm>,
) -> Result<Reply, AppError> {
    let d = Decision::parse(&f.decision)?;
    service::decide(&shared.app.store, &Actor::staff(&user), id, d).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "state": d.state() })).see("/staff/volunteers"))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_join, post_verify, leaderboard),
    components(schemas(JoinFields, VerifyFields, Joined, Leaderboard, domain::volunteers::LeaderRow)),
    tags((name = "volunteers", description = "食安志愿者: sign-up, phone confirmation, the public leaderboard"))
)]
pub struct VolunteersApi;
