//! The one answer of a write: handlers return `Result<Reply, AppError>` and never ask who is asking. A browser
//! posting a form (it accepts HTML) is sent on with a 303, or back to the form's page with
//! `?error=code&field=name` (the page shows the message next to the field); a program gets the status and JSON
//! body, or the error's. The choice is made once, here, by [`answer_browsers`], which every module route passes:
//! it reads what the handler's answer carries ([`SeeOther`], the `AppError` every error response keeps) and the
//! page a form route declares to go back to (`Routes::form`).

use super::forms::wants_html;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::AppError;
use http::header::SET_COOKIE;
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde::Serialize;
use std::convert::Infallible;

/// What a write answers when it succeeds.
#[must_use]
pub struct Reply {
    status: StatusCode,
    body: Option<serde_json::Value>,
    /// Where a browser goes next (303); `None`: the program's answer for everyone.
    see: Option<String>,
    /// Everyone, program or browser, is sent to `see`.
    everyone: bool,
    cookies: Vec<HeaderValue>,
}

impl Reply {
    /// A program gets `status` and `body` as JSON.
    pub fn json(status: StatusCode, body: impl Serialize) -> Reply {
        let body = serde_json::to_value(body).unwrap_or_else(|e| {
            tracing::error!(error = %e, "reply body not serialisable");
            serde_json::Value::Null
        });
        Reply { status, body: Some(body), see: None, everyone: false, cookies: Vec::new() }
    }

    /// …and a browser is sent on (303) to `next`.
    pub fn see(self, next: impl Into<String>) -> Reply {
        Reply { see: Some(next.into()), ..self }
    }

    /// Everyone is sent to `to` (303), programs too: the language switch, signing out.
    pub fn redirect(to: impl Into<String>) -> Reply {
        Reply { status: StatusCode::SEE_OTHER, body: None, see: Some(to.into()), everyone: true, cookies: Vec::new() }
    }

    /// Sets a cookie, whoever asked.
    pub fn cookie(mut self, cookie: HeaderValue) -> Reply {
        self.cookies.push(cookie);
        self
    }
}

/// Where a browser goes after a successful form post; read by [`answer_browsers`].
#[derive(Clone, Debug)]
pub struct SeeOther(pub String);

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut res = match (&self.see, self.everyone, self.body) {
            (Some(to), true, _) => Redirect::to(to).into_response(),
            (_, _, Some(body)) => (self.status, axum::Json(body)).into_response(),
            (_, _, None) => self.status.into_response(),
        };
        for c in self.cookies {
            res.headers_mut().append(SET_COOKIE, c);
        }
        if let (Some(to), false) = (self.see, self.everyone) {
            res.extensions_mut().insert(SeeOther(to));
        }
        res
    }
}

/// A form's failure that goes back somewhere other than the page its route declares (the report form, back to
/// what was typed), with an anchor to scroll to.
pub struct Failed {
    pub error: AppError,
    pub back: Option<Back>,
}

/// The page a browser is sent back to with the error.
#[derive(Clone, Debug)]
pub struct Back {
    pub url: String,
    pub anchor: Option<&'static str>,
}

impl From<AppError> for Failed {
    fn from(error: AppError) -> Failed {
        Failed { error, back: None }
    }
}

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        let mut res = self.error.into_response();
        if let Some(back) = self.back {
            res.extensions_mut().insert(back);
        }
        res
    }
}

/// Whether the request is a browser's (it accepts HTML), for the few handlers that do more for one (keeping a
/// receipt to show, a cookie for a page).
#[derive(Clone, Copy, Debug)]
pub struct Browser(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Browser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Browser(wants_html(&parts.headers)))
    }
}

/// A form route's page to go back to, with the route's path parameters in braces (`/staff/cases/{id}`).
pub type BackTemplate = Option<&'static str>;

/// Answers a browser as a form expects: a successful [`Reply`] becomes a 303 to its next page (cookies kept);
/// an error of a route that declares a page to go back to (or of a [`Failed`] that names one) becomes a 303
/// there with `?error=code&field=name`. Programs' answers pass untouched. Refusals made before the handler (rate
/// limit, body limit, session) are not seen here: they stay the status and JSON for everyone.
pub async fn answer_browsers(State(back): State<BackTemplate>, req: Request, next: Next) -> Response {
    if !wants_html(req.headers()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let template = match back {
        Some(t) => {
            let params = RawPathParams::from_request_parts(&mut parts, &()).await.ok();
            Some(expand(t, params.iter().flat_map(|p| p.iter())))
        }
        None => None,
    };
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if let Some(SeeOther(to)) = res.extensions_mut().remove::<SeeOther>() {
        let mut redirect = Redirect::to(&to).into_response();
        for c in res.headers().get_all(SET_COOKIE) {
            redirect.headers_mut().append(SET_COOKIE, c.clone());
        }
        return redirect;
    }
    let back = match res.extensions_mut().remove::<Back>() {
        Some(b) => Some(b),
        None => template.map(|url| Back { url, anchor: None }),
    };
    match (back, res.extensions().get::<AppError>()) {
        (Some(back), Some(err)) => Redirect::to(&with_error(&back, err)).into_response(),
        _ => res,
    }
}

/// `back` with the error's code and field in its query, and its anchor.
pub fn with_error(back: &Back, err: &AppError) -> String {
    let mut url = back.url.clone();
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str("error=");
    url.push_str(&err.code.as_str());
    if let Some(f) = &err.field {
        url.push_str("&field=");
        url.push_str(f);
    }
    if let Some(a) = back.anchor {
        url.push('#');
        url.push_str(a);
    }
    url
}

/// A back template with the request's path parameters: an `{id}` keeps only its digits, anything else only its
/// letters and digits, so whatever was typed in the path, the redirect stays on our site and well-formed.
fn expand<'a>(template: &str, params: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut url = template.to_owned();
    for (name, value) in params {
        let clean: String = if name == "id" {
            value.chars().filter(char::is_ascii_digit).collect()
        } else {
            value.chars().filter(char::is_ascii_alphanumeric).collect()
        };
        url = url.replace(&format!("{{{name}}}"), &clean);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_back_with_code_field_and_anchor() {
        let err = AppError::field(domain::ErrCode::TooLong, "title");
        let plain = Back { url: "/staff/news".into(), anchor: None };
        assert_eq!(with_error(&plain, &err), "/staff/news?error=too_long&field=title");
        let draft = Back { url: "/report?draft=ab".into(), anchor: Some("report-form") };
        assert_eq!(with_error(&draft, &AppError::not_found()), "/report?draft=ab&error=not_found#report-form");
    }

    #[test]
    fn back_templates_take_clean_path_parameters() {
        assert_eq!(expand("/staff/cases/{id}", [("id", "12")].into_iter()), "/staff/cases/12");
        assert_eq!(expand("/staff/cases/{id}", [("id", "1/../evil.test2")].into_iter()), "/staff/cases/12");
        let code = [("code", "91510703MA/../x")].into_iter();
        assert_eq!(expand("/credit/{code}", code), "/credit/91510703MAx");
    }
}
