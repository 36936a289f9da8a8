//! 异议 · 信用修复 · 申请复查: a business files a request or waives its objection window (API and form posts);
//! staff decide requests (form post). Each handler parses with the `domain` type and calls one service.

use crate::http::client_ip::{network, ClientIp};
use crate::http::extract::{Code, Id, Staff};
use crate::http::json::ApiJson;
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::Extension;
use backend::staff::audit::Actor;
use domain::credit::{DecisionFields, ObjectionFields, SmsCodeFields, WaiverFields};
use domain::AppError;
use serde_json::json;

/// Files an objection to a recorded event, a credit-repair application or a re-inspection request.
#[utoipa::path(post, path = "/api/v1/businesses/{credit_code}/objections", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code", pattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    request_body = ObjectionFields,
    responses(
        (status = 201, description = "`{id, status: \"open\", due_at}`: registered; decided by `due_at`"),
        (status = 400, description = "invalid JSON or field, or a licence number that is not this business's (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business", body = crate::http::json::ErrorBody),
        (status = 409, description = "`window_closed` (outside the request's window), or a request already open for the event (`event_id`), or too many open requests (`kind`, `contact`)", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many requests from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_objection(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    ApiJson(fields): ApiJson<ObjectionFields>,
) -> Result<Reply, AppError> {
    file(&shared, ip, &code, &fields).await
}

/// The business waives its objection window: a pending (lower) grade is published at once.
#[utoipa::path(post, path = "/api/v1/businesses/{credit_code}/waiver", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code", pattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    request_body = WaiverFields,
    responses(
        (status = 200, description = "`{published}`: whether a pending grade was published"),
        (status = 400, description = "invalid JSON or licence number (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many requests from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_waiver(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    ApiJson(fields): ApiJson<WaiverFields>,
) -> Result<Reply, AppError> {
    waive(&shared, ip, &code, &fields).await
}

/// Sends a one-time code to the contact's mobile number, to verify it before filing (only where an SMS gateway is
/// configured).
#[utoipa::path(post, path = "/api/v1/businesses/{credit_code}/objections/code", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code", pattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    request_body = SmsCodeFields,
    responses(
        (status = 202, description = "`{sent: true}`: a code valid ten minutes is on its way"),
        (status = 400, description = "invalid JSON, licence number or phone (named in `field`), or `sms_not_configured`", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "a code was sent to this phone less than a minute ago, too many from this network, or rate limited", body = crate::http::json::ErrorBody),
        (status = 503, description = "the SMS gateway failed or the day's SMS budget is spent", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_code(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    ApiJson(fields): ApiJson<SmsCodeFields>,
) -> Result<Reply, AppError> {
    let (licence, phone) = fields.parse()?;
    backend::credit::objections::request_code(&shared.app, &code, &licence, &phone, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "sent": true })))
}

/// The objection form's "send code" button (`formaction`): the licence and phone of the same form.
pub async fn form_code(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    Form(f): Form<ObjectionFields>,
) -> Result<Reply, AppError> {
    let (licence, phone) = SmsCodeFields { licence_no: f.licence_no, phone: f.phone }.parse()?;
    backend::credit::objections::request_code(&shared.app, &code, &licence, &phone, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "sent": true })).see(format!("/credit/{code}?code_sent=1#objections")))
}

async fn file(
    shared: &Shared,
    ip: std::net::IpAddr,
    code: &domain::credit::CreditCode,
    f: &ObjectionFields,
) -> Result<Reply, AppError> {
    let filed = backend::credit::objections::file(&shared.app, code, &f.parse()?, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": filed.id, "status": "open", "due_at": filed.due_at }))
        .see(format!("/credit/{code}?objected=1#objections")))
}

async fn waive(
    shared: &Shared,
    ip: std::net::IpAddr,
    code: &domain::credit::CreditCode,
    f: &WaiverFields,
) -> Result<Reply, AppError> {
    let published = backend::credit::objections::waive(&shared.app, code, &f.parse()?, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "published": published })).see(format!("/credit/{code}?waived=1")))
}

/// The form on the business page (no JavaScript needed).
pub async fn form_objection(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    Form(f): Form<ObjectionFields>,
) -> Result<Reply, AppError> {
    file(&shared, ip, &code, &f).await
}

pub async fn form_waiver(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Code(code): Code,
    Form(f): Form<WaiverFields>,
) -> Result<Reply, AppError> {
    waive(&shared, ip, &code, &f).await
}

/// Staff decide a request: `decision` = `upheld` | `rejected`, with `reasons`.
pub async fn decide(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<DecisionFields>,
) -> Result<Reply, AppError> {
    let (upheld, reasons) = f.parse()?;
    backend::credit::objections::decide(&shared.app.store, &Actor::staff(&user), id, upheld, &reasons).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id })).see("/staff/objections?saved=1"))
}

/// This part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_objection, post_waiver, post_code),
    components(schemas(ObjectionFields, WaiverFields, SmsCodeFields, domain::credit::ObjectionView)),
    tags((name = "credit", description = "The business registry and credit grades"))
)]
pub struct ObjectionsApi;
