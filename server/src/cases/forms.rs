//! Form posts of 投诉 / 举报 that work without JavaScript. A failed report keeps what was typed (sealed in a
//! short-lived draft: the URL carries only its id) and names the field; a filed report goes to its receipt page
//! (also a sealed draft, so the access code never appears in a URL or a log). Tracking takes the number and
//! code by POST and keeps them in an `HttpOnly` cookie for the track page. Staff forms: quick entry, moves
//! through the state machine, assignment, rewards, the holiday calendar; evidence photos for staff.

use super::api::{declared_len, read_case};
use crate::http::client_ip::ClientIp;
use crate::http::extract::{self, Id, Staff};
use crate::http::forms::cookie;
use crate::http::multipart::Upload;
use crate::http::reply::{Back, Browser, Failed, Reply};
use crate::http::Shared;
use axum::extract::{Form, Path, State};
use axum::response::IntoResponse;
use axum::Extension;
use backend::cases::drafts;
use backend::cases::handle::{self, Transition};
use backend::staff::audit::Actor;
use domain::cases::{CaseFields, CaseState, RatingFields, RejectReason, RewardLevel, RewardStatus};
use domain::{AppError, ErrCode};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

/// The cookie the track page reads: `tracking_no:access_code`, for half an hour, sent to `/track` only.
pub const TRACK_COOKIE: &str = "portal_track";

/// A cookie for one page only (`path`), `HttpOnly`.
fn page_cookie(shared: &Shared, name: &str, value: &str, max_age: i64, path: &str) -> Option<HeaderValue> {
    let c = cookie(shared, name, value, max_age, true);
    HeaderValue::from_str(&c.to_str().unwrap_or_default().replace("Path=/;", &format!("Path={path};"))).ok()
}

/// A report from the form. A browser's receipt is kept as a sealed draft and shown once (the access code never
/// travels in a URL); a browser's failed report keeps what was typed (never the photos), for the page to fill in
/// again.
pub async fn report(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Browser(browser): Browser,
    headers: HeaderMap,
    upload: Upload,
) -> Result<Reply, Failed> {
    let network = backend::abuse::network_key(ip);
    match backend::cases::submit(&shared.app, &network, declared_len(&headers), read_case(upload)).await {
        Ok(receipt) if browser => {
            let id = drafts::save(&shared.app, "receipt", &receipt).await?;
            Ok(Reply::json(StatusCode::CREATED, receipt).see(format!("/report/receipt/{id}")))
        }
        Ok(receipt) => Ok(Reply::json(StatusCode::CREATED, receipt)),
        Err((error, typed)) => {
            let back = match typed {
                Some(f) if browser => drafts::save_typed(&shared.app, &network, &f)
                    .await
                    .ok()
                    .map(|id| Back { url: format!("/report?draft={id}"), anchor: Some("report-form") }),
                _ => None,
            };
            Err(Failed { error, back })
        }
    }
}

#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    tracking_no: String,
    #[serde(default)]
    access_code: String,
}

/// Tracking without JavaScript: a browser keeps the number and code in a cookie for the track page.
pub async fn track(
    State(shared): State<Shared>,
    Browser(browser): Browser,
    Form(f): Form<TrackForm>,
) -> Result<Reply, AppError> {
    let no = f.tracking_no.trim().to_ascii_uppercase();
    let code = f.access_code.trim().to_ascii_uppercase();
    let t = backend::cases::track(&shared.app, &no, &code).await?;
    let mut reply = Reply::json(StatusCode::OK, t).see("/track?found=1");
    if browser {
        if let Some(c) = page_cookie(&shared, TRACK_COOKIE, &format!("{no}:{code}"), 1800, "/track") {
            reply = reply.cookie(c);
        }
    }
    Ok(reply)
}

/// The track page's rating form: the number and code come from the track cookie (never from the form), so only
/// the browser that looked the case up can rate it. Back to the track page, saying it was stored (or what to
/// fix, next to the field).
pub async fn rate(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<RatingFields>,
) -> Result<Reply, AppError> {
    let cookie = app::ssr::cookie(&headers, TRACK_COOKIE);
    let Some((no, code)) = cookie.as_deref().and_then(|c| c.split_once(':')) else {
        return Err(AppError::not_found());
    };
    let network = backend::abuse::network_key(ip);
    let state = backend::cases::satisfaction::rate(&shared.app, &network, no, code, &f).await?;
    Ok(Reply::json(StatusCode::OK, state).see("/track?rated=1#rating"))
}

/// Staff record the rating a reporter gave on the phone (回访) for a case that did not come in on the web.
pub async fn callback(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<RatingFields>,
) -> Result<Reply, AppError> {
    let state = backend::cases::satisfaction::record_callback(&shared.app, &Actor::staff(&user), id, &f).await?;
    Ok(Reply::json(StatusCode::OK, state).see(format!("/staff/cases/{id}?saved=1")))
}

/// Staff type in a hotline, counter, complaint-box or volunteer case (no photos: someone on the phone).
pub async fn quick_entry(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<CaseFields>,
) -> Result<Reply, AppError> {
    let c = f.parse(backend::clock::now())?;
    if c.channel == domain::cases::Channel::Web {
        return Err(AppError::field(ErrCode::InvalidValue, "channel"));
    }
    let receipt = backend::cases::file(&shared.app, &c, &[], Some(&Actor::staff(&user))).await?;
    // The receipt is read out to the caller once: kept as a sealed draft, shown on the console.
    let draft = drafts::save(&shared.app, "receipt", &receipt).await?;
    Ok(Reply::json(StatusCode::CREATED, receipt).see(format!("/report/receipt/{draft}")))
}

#[derive(Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reject_reason: String,
    #[serde(default)]
    duplicate_of: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    message: String,
}

/// Back to the case's page, saved.
fn saved(id: i64) -> Reply {
    Reply::json(StatusCode::OK, json!({ "ok": true })).see(format!("/staff/cases/{id}?saved=1"))
}

pub async fn transition(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<TransitionForm>,
) -> Result<Reply, AppError> {
    let to = CaseState::parse(&f.to).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "to"))?;
    let reject_reason = match f.reject_reason.trim() {
        "" => None,
        r => Some(RejectReason::parse(r).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "reject_reason"))?),
    };
    let tr = Transition {
        to: Some(to),
        reject_reason,
        duplicate_of: (!f.duplicate_of.trim().is_empty()).then(|| f.duplicate_of.clone()),
        note: f.note.clone(),
        message: f.message.clone(),
        quiet: false,
    };
    handle::transition(&shared.app, &Actor::staff(&user), id, &tr).await?;
    Ok(saved(id))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assigned_to: String,
}

pub async fn assign(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<AssignForm>,
) -> Result<Reply, AppError> {
    handle::assign(&shared.app.store, &Actor::staff(&user), id, &f.assigned_to).await?;
    Ok(saved(id))
}

#[derive(Deserialize)]
pub struct RewardForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reward_level: String,
    #[serde(default)]
    base_amount: String,
}

pub async fn reward(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<RewardForm>,
) -> Result<Reply, AppError> {
    let to = RewardStatus::parse(&f.to).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "to"))?;
    let level = match f.reward_level.trim() {
        "" => None,
        l => Some(RewardLevel::parse(l).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "reward_level"))?),
    };
    let base = match f.base_amount.trim() {
        "" => None,
        b => Some(
            b.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, "base_amount"))?,
        ),
    };
    handle::reward(&shared.app.store, &Actor::staff(&user), id, to, level, base).await?;
    Ok(saved(id))
}

/// The reporter's contact, revealed by a post (audited in the moderator's name, with the address): a link cannot
/// make a reveal, and the contact never appears in a URL. A program gets it in the answer; a browser is sent back
/// to the case page, which shows it once from a sealed one-minute flag bound to this moderator and this case (the
/// flag's id in a cookie for that page only).
pub async fn reveal(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Id(id): Id,
    Browser(browser): Browser,
) -> Result<Reply, AppError> {
    let page = format!("/staff/cases/{id}");
    let contact = handle::reveal(&shared.app, &Actor::staff(&user), id, Some(&ip.to_string())).await?;
    let mut reply = Reply::json(StatusCode::OK, &contact).see(format!("{page}#contact"));
    if let (Some(c), true) = (&contact, browser) {
        let flag = handle::keep_revealed(&shared.app, user.id, id, c).await?;
        if let Some(c) = page_cookie(&shared, handle::REVEAL_COOKIE, &flag, handle::REVEAL_SECS, &page) {
            reply = reply.cookie(c);
        }
    }
    Ok(reply)
}

#[derive(Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

pub async fn calendar(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<CalendarForm>,
) -> Result<Reply, AppError> {
    let day = domain::clock::parse_date(&f.day).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "day"))?;
    backend::cases::calendar::set_day(
        &shared.app.store,
        &Actor::staff(&user),
        domain::cases::day_of(day),
        &f.kind,
        &f.name,
    )
    .await?;
    Ok(Reply::json(StatusCode::OK, json!({ "ok": true })).see("/staff/cases?saved=1#calendar"))
}

/// The copy of an evidence photo ever shown (re-encoded, no metadata), for staff.
pub async fn photo(
    State(shared): State<Shared>,
    Staff(_): Staff,
    Path((id, photo)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let (id, photo) = (extract::id(&id)?, extract::id(photo.trim_end_matches(".jpg"))?);
    let jpeg = handle::photo(&shared.app.store, id, photo).await?.ok_or_else(AppError::not_found)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg))
}
