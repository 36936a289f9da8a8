//! The language switch (everyone) and the campaign figures form (moderators).

use crate::http::client_ip::ClientIp;
use crate::http::forms::{cookie, fail, safe_next, wants_html};
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use backend::staff::audit::Actor;
use domain::figures::{parse_percent_bp, CampaignFigures, FiguresFields};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode, Lang};
use http::header::{HeaderMap, SET_COOKIE};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the interface language and remembers it for a year.
pub async fn set_lang(State(shared): State<Shared>, headers: HeaderMap, Form(f): Form<LangForm>) -> Response {
    let Some(lang) = Lang::parse(&f.lang) else {
        return fail(&headers, "/", AppError::field(ErrCode::InvalidValue, "lang"));
    };
    let mut res = Redirect::to(safe_next(&f.next)).into_response();
    res.headers_mut().insert(SET_COOKIE, cookie(&shared, "lang", lang.code(), 365 * 24 * 3600, false));
    res
}

#[derive(Deserialize)]
pub struct DisplayForm {
    #[serde(default)]
    large: String,
    #[serde(default)]
    next: String,
}

/// Turns large-text mode (适老化) on or off and remembers it for a year.
pub async fn set_display(State(shared): State<Shared>, headers: HeaderMap, Form(f): Form<DisplayForm>) -> Response {
    let on = match f.large.as_str() {
        "1" => "1",
        "0" => "0",
        _ => return fail(&headers, "/", AppError::field(ErrCode::InvalidValue, "large")),
    };
    let mut res = Redirect::to(safe_next(&f.next)).into_response();
    res.headers_mut().insert(SET_COOKIE, cookie(&shared, "large_text", on, 365 * 24 * 3600, false));
    res
}

fn count(field: &str, v: &str) -> Result<i64, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    v.parse::<i64>().map_err(|_| AppError::field(ErrCode::InvalidValue, field))
}

fn parse_figures(f: &FiguresFields) -> Result<CampaignFigures, AppError> {
    Ok(CampaignFigures {
        businesses: count(FiguresFields::businesses, &f.businesses)?,
        pass_rate_bp: parse_percent_bp(&f.pass_rate)?,
        batches_sampled: count(FiguresFields::batches_sampled, &f.batches_sampled)?,
        cases_investigated: count(FiguresFields::cases_investigated, &f.cases_investigated)?,
        volunteers: count(FiguresFields::volunteers, &f.volunteers)?,
        updated_at: 0,
    })
}

/// Staff (moderator or admin) update the campaign figures.
pub async fn update_figures(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<FiguresFields>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let figures = parse_figures(&f)?;
        backend::site::figures::update(&shared.app.store, &Actor::staff(&user), &figures, Some(&ip.to_string())).await
    }
    .await;
    match result {
        Ok(_) if wants_html(&headers) => Redirect::to("/staff?saved=1").into_response(),
        Ok(updated) => axum::Json(updated).into_response(),
        Err(e) => fail(&headers, "/staff", e),
    }
}
