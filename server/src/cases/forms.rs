//! Form posts of 投诉 / 举报 that work without JavaScript. A failed report keeps what was typed (sealed in a
//! short-lived draft: the URL carries only its id) and names the field; a filed report goes to its receipt page
//! (also a sealed draft, so the access code never appears in a URL or a log). Tracking takes the number and
//! code by POST and keeps them in an `HttpOnly` cookie for the track page. Staff forms: quick entry, moves
//! through the state machine, assignment, rewards, the holiday calendar; evidence photos for staff.

use super::api::{declared_len, read_case};
use crate::http::client_ip::ClientIp;
use crate::http::forms::{answer, cookie, digits, fail, wants_html};
use crate::http::Shared;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use backend::cases::drafts;
use backend::cases::handle::{self, Transition};
use backend::staff::audit::Actor;
use domain::cases::{CaseFields, CaseState, RejectReason, RewardLevel, RewardStatus};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use http::{header, HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

/// The cookie the track page reads: `tracking_no:access_code`, for half an hour, sent to `/track` only.
pub const TRACK_COOKIE: &str = "portal_track";

pub async fn report(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let network = backend::abuse::network_key(ip);
    let result = match multipart {
        Ok(m) => backend::cases::submit(&shared.app, &network, declared_len(&headers), read_case(m)).await,
        Err(_) => Err((AppError::new(ErrCode::UnsupportedMediaType), None)),
    };
    match result {
        Ok(receipt) if wants_html(&headers) => match drafts::save(&shared.app, "receipt", &receipt).await {
            Ok(id) => Redirect::to(&format!("/report/receipt/{id}")).into_response(),
            Err(e) => e.into_response(),
        },
        Ok(receipt) => (StatusCode::CREATED, axum::Json(receipt)).into_response(),
        Err((e, typed)) => {
            // Keep what was typed (never the photos) for the page to fill in again.
            let back = match typed {
                Some(f) if wants_html(&headers) => match drafts::save_typed(&shared.app, &network, &f).await {
                    Ok(id) => format!("/report?draft={id}"),
                    Err(_) => "/report".to_owned(),
                },
                _ => "/report".to_owned(),
            };
            fail_keeping_query(&headers, &back, e)
        }
    }
}

/// [`fail`] for a `back` that may already carry a query.
fn fail_keeping_query(headers: &HeaderMap, back: &str, e: AppError) -> Response {
    if !wants_html(headers) || !back.contains('?') {
        return fail(headers, back, e);
    }
    let mut url = format!("{back}&error={}", e.code.as_str());
    if let Some(f) = &e.field {
        url.push_str("&field=");
        url.push_str(f);
    }
    url.push_str("#report-form");
    Redirect::to(&url).into_response()
}

#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    tracking_no: String,
    #[serde(default)]
    access_code: String,
}

pub async fn track(State(shared): State<Shared>, headers: HeaderMap, Form(f): Form<TrackForm>) -> Response {
    let no = f.tracking_no.trim().to_ascii_uppercase();
    let code = f.access_code.trim().to_ascii_uppercase();
    match backend::cases::track(&shared.app, &no, &code).await {
        Ok(_) if wants_html(&headers) => {
            let mut res = Redirect::to("/track?found=1").into_response();
            let value = format!("{no}:{code}");
            let mut c = cookie(&shared, TRACK_COOKIE, &value, 1800, true).to_str().unwrap_or_default().to_owned();
            c = c.replace("Path=/;", "Path=/track;");
            if let Ok(v) = http::HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(t) => axum::Json(t).into_response(),
        Err(e) => fail(&headers, "/track", e),
    }
}

/// Staff type in a hotline, counter, complaint-box or volunteer case (no photos: someone on the phone).
pub async fn quick_entry(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<CaseFields>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let c = f.parse(backend::clock::now())?;
        if c.channel == domain::cases::Channel::Web {
            return Err(AppError::field(ErrCode::InvalidValue, "channel"));
        }
        let receipt = backend::cases::file(&shared.app, &c, &[], Some(&Actor::staff(&user))).await?;
        // The receipt is read out to the caller once: kept as a sealed draft, shown on the console.
        let draft = drafts::save(&shared.app, "receipt", &receipt).await?;
        Ok((receipt, draft))
    }
    .await;
    let next = |(_, draft): &(domain::cases::CaseReceipt, String)| format!("/report/receipt/{draft}");
    answer(&headers, "/staff/cases", result, next, |(r, _)| (StatusCode::CREATED, json!(r)))
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

fn case_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(AppError::not_found)
}

pub async fn transition(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<TransitionForm>,
) -> Response {
    let back = format!("/staff/cases/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        let id = case_id(&id)?;
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
        handle::transition(&shared.app, &Actor::staff(&user), id, &tr).await
    }
    .await;
    answer(&headers, &back, result, |()| format!("{back}?saved=1"), |()| (StatusCode::OK, json!({ "ok": true })))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assigned_to: String,
}

pub async fn assign(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<AssignForm>,
) -> Response {
    let back = format!("/staff/cases/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        handle::assign(&shared.app.store, &Actor::staff(&user), case_id(&id)?, &f.assigned_to).await
    }
    .await;
    answer(&headers, &back, result, |()| format!("{back}?saved=1"), |()| (StatusCode::OK, json!({ "ok": true })))
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
    Extension(user): Extension<StaffUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<RewardForm>,
) -> Response {
    let back = format!("/staff/cases/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        let to = RewardStatus::parse(&f.to).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "to"))?;
        let level = match f.reward_level.trim() {
            "" => None,
            l => Some(RewardLevel::parse(l).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "reward_level"))?),
        };
        let base = match f.base_amount.trim() {
            "" => None,
            b => Some(b.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "base_amount"))?),
        };
        handle::reward(&shared.app.store, &Actor::staff(&user), case_id(&id)?, to, level, base).await
    }
    .await;
    answer(&headers, &back, result, |()| format!("{back}?saved=1"), |()| (StatusCode::OK, json!({ "ok": true })))
}

/// The reporter's contact, revealed by a post (audited in the moderator's name, with the address): a link cannot
/// make a reveal, and the contact never appears in a URL. A program gets it in the answer; a browser is sent back
/// to the case page, which shows it once from a sealed one-minute flag bound to this moderator and this case (the
/// flag's id in a cookie for that page only).
pub async fn reveal(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let page = format!("/staff/cases/{}", digits(&id));
    let result = async {
        user.role.require(Role::Moderator)?;
        let id = case_id(&id)?;
        let contact = handle::reveal(&shared.app, &Actor::staff(&user), id, Some(&ip.to_string())).await?;
        let flag = match (&contact, wants_html(&headers)) {
            (Some(c), true) => Some(handle::keep_revealed(&shared.app, user.id, id, c).await?),
            _ => None,
        };
        Ok((contact, flag))
    }
    .await;
    match result {
        Ok((_, flag)) if wants_html(&headers) => {
            let mut res = Redirect::to(&format!("{page}#contact")).into_response();
            if let Some(flag) = flag {
                let c = cookie(&shared, handle::REVEAL_COOKIE, &flag, handle::REVEAL_SECS, true).to_str().unwrap_or_default().replace("Path=/;", &format!("Path={page};"));
                if let Ok(v) = http::HeaderValue::from_str(&c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Ok((contact, _)) => axum::Json(json!(contact)).into_response(),
        Err(e) => fail(&headers, &page, e),
    }
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
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<CalendarForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let day = domain::clock::parse_date(&f.day).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "day"))?;
        backend::cases::calendar::set_day(&shared.app.store, &Actor::staff(&user), domain::cases::day_of(day), &f.kind, &f.name).await
    }
    .await;
    answer(&headers, "/staff/cases", result, |()| "/staff/cases?saved=1#calendar".to_owned(), |()| (StatusCode::OK, json!({ "ok": true })))
}

/// The copy of an evidence photo ever shown (re-encoded, no metadata), for staff.
pub async fn photo(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(_)): Extension<ClientIp>,
    Path((id, photo)): Path<(String, String)>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let photo = photo.trim_end_matches(".jpg");
        handle::photo(&shared.app.store, case_id(&id)?, case_id(photo)?).await?.ok_or_else(AppError::not_found)
    }
    .await;
    match result {
        Ok(jpeg) => ([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response(),
        Err(e) => e.into_response(),
    }
}
