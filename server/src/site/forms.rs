//! The language switch (everyone) and the campaign figures form (moderators).

use crate::http::client_ip::ClientIp;
use crate::http::extract::Staff;
use crate::http::forms::{cookie, safe_next};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::Extension;
use backend::staff::audit::Actor;
use domain::figures::{parse_percent_bp, CampaignFigures, FiguresFields};
use domain::{AppError, ErrCode, Lang};
use http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the interface language and remembers it for a year.
pub async fn set_lang(State(shared): State<Shared>, Form(f): Form<LangForm>) -> Result<Reply, AppError> {
    let lang = Lang::parse(&f.lang).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "lang"))?;
    Ok(Reply::redirect(safe_next(&f.next)).cookie(cookie(&shared, "lang", lang.code(), 365 * 24 * 3600, false)))
}

#[derive(Deserialize)]
pub struct DisplayForm {
    #[serde(default)]
    large: String,
    #[serde(default)]
    next: String,
}

/// Turns large-text mode (适老化) on or off and remembers it for a year.
pub async fn set_display(State(shared): State<Shared>, Form(f): Form<DisplayForm>) -> Result<Reply, AppError> {
    let on = match f.large.as_str() {
        "1" => "1",
        "0" => "0",
        _ => return Err(AppError::field(ErrCode::InvalidValue, "large")),
    };
    Ok(Reply::redirect(safe_next(&f.next)).cookie(cookie(&shared, "large_text", on, 365 * 24 * 3600, false)))
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
    Staff(user): Staff,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<FiguresFields>,
) -> Result<Reply, AppError> {
    let figures = parse_figures(&f)?;
    let updated =
        backend::site::figures::update(&shared.app.store, &Actor::staff(&user), &figures, Some(&ip.to_string()))
            .await?;
    Ok(Reply::json(StatusCode::OK, updated).see("/staff?saved=1"))
}
