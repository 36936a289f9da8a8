//! 关注 by SMS (API and form posts) and the gateway's replies. Each handler parses with the `domain` type and
//! calls one service of `backend::follow::sms`.

use crate::http::client_ip::{network, ClientIp};
use crate::http::json::ApiJson;
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use backend::follow::sms as service;
use domain::follow::sms::{ConfirmFields, FollowSmsFields, Subject};
use domain::{AppError, ErrCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Follows a subject by SMS: a six-digit code goes to the phone; the subscription starts once it is confirmed.
#[utoipa::path(post, path = "/api/v1/follow/sms", tag = "follow",
    request_body = FollowSmsFields,
    responses(
        (status = 202, description = "`{confirm, expires_in}`: a code is on its way; confirm with the token and the code"),
        (status = 400, description = "invalid JSON, subject, phone or mode (named in `field`), `sms_not_configured`, or `too_many` subscriptions for this phone", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business or round (`subject`)", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "a code for this subscription less than a minute ago, this phone's codes for the day, too many from this network, or rate limited", body = crate::http::json::ErrorBody),
        (status = 503, description = "the SMS gateway failed or the day's SMS budget is spent", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_follow(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    ApiJson(f): ApiJson<FollowSmsFields>,
) -> Result<Reply, AppError> {
    subscribe(&shared, ip, &headers, &f).await
}

async fn subscribe(
    shared: &Shared,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    f: &FollowSmsFields,
) -> Result<Reply, AppError> {
    let (subject, phone, mode) = f.parse()?;
    let lang = app::lang::request_lang(headers);
    let r = service::subscribe(&shared.app, &subject, &phone, mode, lang, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::ACCEPTED, json!({ "confirm": r.confirm, "expires_in": r.expires_in }))
        .see(format!("/follow/confirm/{}", r.confirm)))
}

/// Confirms a subscription with the code sent to the phone.
#[utoipa::path(post, path = "/api/v1/follow/sms/confirm", tag = "follow",
    request_body = ConfirmFields,
    responses(
        (status = 200, description = "`{subject, mode, unsubscribe}`: alerts start; `unsubscribe` is the path that stops them"),
        (status = 400, description = "invalid JSON, or `invalid_code` (wrong, expired, used, or five wrong tries) naming `code`", body = crate::http::json::ErrorBody),
        (status = 404, description = "the token names no subscription (`token`)", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_confirm(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    ApiJson(f): ApiJson<ConfirmFields>,
) -> Result<Reply, AppError> {
    let (token, code) = f.parse()?;
    let c = service::confirm(&shared.app, &token, &code, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "subject": c.subject, "mode": c.mode, "unsubscribe": c.unsubscribe })))
}

/// The unsubscribe token of a message's link.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StopFields {
    /// The token at the end of a message's `/u/…` link.
    #[schema(max_length = 64)]
    #[serde(default)]
    pub token: String,
}

/// Stops a subscription: one step, no code; again is the same.
#[utoipa::path(post, path = "/api/v1/follow/sms/unsubscribe", tag = "follow",
    request_body = StopFields,
    responses(
        (status = 200, description = "`{unsubscribed: true}`"),
        (status = 400, description = "invalid JSON", body = crate::http::json::ErrorBody),
        (status = 404, description = "the token names no subscription (`token`)", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_unsubscribe(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    ApiJson(f): ApiJson<StopFields>,
) -> Result<Reply, AppError> {
    service::unsubscribe(&shared.app, f.token.trim(), Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "unsubscribed": true })))
}

/// The follow page's SMS form: the subject is the page's.
pub async fn form_follow(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Path(subject): Path<String>,
    Form(f): Form<FollowSmsFields>,
) -> Result<Reply, AppError> {
    subscribe(&shared, ip, &headers, &FollowSmsFields { subject, ..f }).await
}

/// The confirmation page's form: the token is the page's.
pub async fn form_confirm(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(token): Path<String>,
    Form(f): Form<ConfirmFields>,
) -> Result<Reply, AppError> {
    let (token, code) = ConfirmFields { token, ..f }.parse()?;
    let c = service::confirm(&shared.app, &token, &code, Some(&network(ip))).await?;
    let subject = Subject::parse(&c.subject)?;
    Ok(Reply::json(StatusCode::OK, json!({ "subject": c.subject, "unsubscribe": c.unsubscribe }))
        .see(format!("/follow/{}?followed=1", domain::follow::paths::encode(&subject.param()))))
}

/// The unsubscribe page's one button.
pub async fn form_unsubscribe(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(token): Path<String>,
) -> Result<Reply, AppError> {
    service::unsubscribe(&shared.app, &token, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "unsubscribed": true })).see(format!("/u/{token}?done=1")))
}

/// A reply from a subscriber, posted by the SMS gateway as `{phone, text}`, signed like the webhook
/// (`X-Portal-Signature`, key `inbound`) with `PORTAL_SMS_INBOUND_SECRET`. A stop word cancels every subscription
/// of that phone. 404 when no secret is configured, 401 on a bad signature; the phone is never logged.
pub async fn inbound(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Result<Reply, AppError> {
    let Some(secret) = shared.app.config.sms_inbound_secret.as_ref() else { return Err(AppError::not_found()) };
    let signed = headers.get("x-portal-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !backend::sealed::verify_signature(secret.expose().as_bytes(), signed, "inbound", &body, backend::clock::now()) {
        return Err(AppError::new(ErrCode::Unauthorized));
    }
    #[derive(Deserialize)]
    struct Reply_ {
        phone: String,
        #[serde(default)]
        text: String,
    }
    let r: Reply_ = serde_json::from_slice(&body).map_err(|_| AppError::new(ErrCode::InvalidJson))?;
    let stopped = service::reply(&shared.app, &r.phone, &r.text).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "stopped": stopped })))
}

/// This part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_follow, post_confirm, post_unsubscribe),
    components(schemas(FollowSmsFields, ConfirmFields, StopFields)),
    tags((name = "follow", description = "关注: Atom feeds and SMS alerts per followed subject, no account needed"))
)]
pub struct FollowApi;
