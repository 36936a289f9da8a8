//! Sign-in and sign-out, as plain form posts.

use crate::http::client_ip::ClientIp;
use crate::http::forms::{cookie, fail, wants_html};
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use backend::staff::auth;
use http::header::{HeaderMap, SET_COOKIE};
use serde::Deserialize;

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
    match auth::login(&shared.app, &f.username, &f.password, Some(&ip)).await {
        Ok(outcome) => {
            let mut res = if wants_html(&headers) {
                Redirect::to("/staff").into_response()
            } else {
                axum::Json(serde_json::json!({ "username": outcome.user.username, "role": outcome.user.role }))
                    .into_response()
            };
            let name = auth::session_cookie_name(&shared.app.config);
            res.headers_mut().insert(SET_COOKIE, cookie(&shared, name, &outcome.token, auth::SESSION_SECS, true));
            res
        }
        Err(e) => fail(&headers, app::staff::SIGN_IN, e),
    }
}

pub async fn logout(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
) -> Response {
    let name = auth::session_cookie_name(&shared.app.config);
    if let Some(token) = app::ssr::cookie(&headers, name) {
        if let Err(e) = auth::logout(&shared.app, &token, Some(&ip.to_string())).await {
            return e.into_response();
        }
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(SET_COOKIE, cookie(&shared, name, "", 0, true));
    res
}
