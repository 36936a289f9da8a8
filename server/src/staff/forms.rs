//! Sign-in and sign-out, as plain form posts.

use crate::http::client_ip::ClientIp;
use crate::http::forms::cookie;
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::Extension;
use backend::staff::auth;
use domain::AppError;
use http::{HeaderMap, StatusCode};
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
    Form(f): Form<LoginForm>,
) -> Result<Reply, AppError> {
    let outcome = auth::login(&shared.app, &f.username, &f.password, Some(&ip.to_string())).await?;
    let name = auth::session_cookie_name(&shared.app.config);
    Ok(Reply::json(StatusCode::OK, serde_json::json!({ "username": outcome.user.username, "role": outcome.user.role }))
        .see("/staff")
        .cookie(cookie(&shared, name, &outcome.token, auth::SESSION_SECS, true)))
}

pub async fn logout(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
) -> Result<Reply, AppError> {
    let name = auth::session_cookie_name(&shared.app.config);
    if let Some(token) = app::ssr::cookie(&headers, name) {
        auth::logout(&shared.app, &token, Some(&ip.to_string())).await?;
    }
    Ok(Reply::redirect("/").cookie(cookie(&shared, name, "", 0, true)))
}
