//! Handlers for plain HTML form posts. They work without JavaScript: success redirects (303), failure
//! redirects back with `?error=code&field=name` so the page shows the message next to the field. Clients that
//! do not ask for HTML (programs, tests) get the status and JSON error body instead.

use crate::http::client_ip::ClientIp;
use crate::http::staff_gate::session_cookie;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use backend::audit::Actor;
use domain::figures::{parse_percent_bp, CampaignFigures};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode, Lang};
use http::header::{HeaderMap, HeaderValue, ACCEPT, SET_COOKIE};
use serde::Deserialize;

pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// A failed form post: back to the form with the error for HTML clients, the error itself for others.
pub(crate) fn fail(headers: &HeaderMap, back: &str, err: AppError) -> Response {
    if wants_html(headers) {
        let mut url = format!("{back}?error={}", err.code.as_str());
        if let Some(f) = &err.field {
            url.push_str("&field=");
            url.push_str(f);
        }
        Redirect::to(&url).into_response()
    } else {
        err.into_response()
    }
}

/// Only our own paths: `/x…`, never `//host` or `/\host`, which browsers treat as another site.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && !next.chars().any(|c| c.is_control());
    if ok {
        next
    } else {
        "/"
    }
}

fn cookie(shared: &Shared, name: &str, value: &str, max_age: i64, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if shared.app.config.cookie_secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

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
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip = ip.to_string();
    match backend::auth::login(&shared.app, &f.username, &f.password, Some(&ip)).await {
        Ok(outcome) => {
            let mut res = if wants_html(&headers) {
                Redirect::to("/staff").into_response()
            } else {
                axum::Json(serde_json::json!({ "username": outcome.user.username, "role": outcome.user.role }))
                    .into_response()
            };
            res.headers_mut().insert(
                SET_COOKIE,
                cookie(&shared, backend::auth::SESSION_COOKIE, &outcome.token, backend::auth::SESSION_SECS, true),
            );
            res
        }
        Err(e) => fail(&headers, "/staff/login", e),
    }
}

pub async fn logout(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = session_cookie(&headers) {
        if let Err(e) = backend::auth::logout(&shared.app, &token, Some(&ip.to_string())).await {
            return e.into_response();
        }
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(SET_COOKIE, cookie(&shared, backend::auth::SESSION_COOKIE, "", 0, true));
    res
}

#[derive(Deserialize)]
pub struct FiguresForm {
    #[serde(default)]
    businesses: String,
    #[serde(default)]
    pass_rate: String,
    #[serde(default)]
    batches_sampled: String,
    #[serde(default)]
    cases_investigated: String,
    #[serde(default)]
    volunteers: String,
}

fn count(field: &str, v: &str) -> Result<i64, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    v.parse::<i64>().map_err(|_| AppError::field(ErrCode::InvalidValue, field))
}

fn parse_figures(f: &FiguresForm) -> Result<CampaignFigures, AppError> {
    Ok(CampaignFigures {
        businesses: count("businesses", &f.businesses)?,
        pass_rate_bp: parse_percent_bp(&f.pass_rate)?,
        batches_sampled: count("batches_sampled", &f.batches_sampled)?,
        cases_investigated: count("cases_investigated", &f.cases_investigated)?,
        volunteers: count("volunteers", &f.volunteers)?,
        updated_at: 0,
    })
}

/// Staff (moderator or admin) update the campaign figures.
pub async fn update_figures(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    Form(f): Form<FiguresForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let figures = parse_figures(&f)?;
        backend::figures::update(&shared.app.store, &Actor::staff(&user), &figures, Some(&ip.to_string())).await
    }
    .await;
    match result {
        Ok(updated) => {
            shared.invalidate();
            if wants_html(&headers) {
                Redirect::to("/staff?saved=1").into_response()
            } else {
                axum::Json(updated).into_response()
            }
        }
        Err(e) => fail(&headers, "/staff", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_our_own_paths() {
        assert_eq!(safe_next("/credit?q=米粉"), "/credit?q=米粉");
        assert_eq!(safe_next("//evil.test/x"), "/");
        assert_eq!(safe_next("/\\evil.test"), "/");
        assert_eq!(safe_next("https://evil.test"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/a\r\nSet-Cookie: x=1"), "/");
    }
}
