//! Server-side helpers used inside server functions. Server functions are public HTTP endpoints: each one
//! authorises through these helpers before touching a service.

use backend::AppState;
use domain::staff::{Role, StaffUser};
use domain::AppError;
use leptos::prelude::*;

/// The client's IP address, as the rest of the stack sees it: resolved once per request by the server's
/// client-IP layer (trusted proxies) and kept in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// The client IP of the request being rendered (from the request's extensions).
pub fn client_ip() -> Option<std::net::IpAddr> {
    use_context::<http::request::Parts>()?.extensions.get::<ClientIp>().map(|c| c.0)
}

/// The shared state, provided as context on both the render path and the server-function path.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// The value of one cookie of a request (the one parser every layer uses).
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let state = use_context::<AppState>()?;
    cookie(&parts.headers, backend::staff::auth::session_cookie_name(&state.config))
}

/// The signed-in staff member, if any.
pub async fn current_staff() -> Result<Option<StaffUser>, AppError> {
    let state = state()?;
    match session_token() {
        Some(token) => backend::staff::auth::session_user(&state, &token).await,
        None => Ok(None),
    }
}

/// The signed-in staff member, who must hold at least `role`.
pub async fn require(role: Role) -> Result<StaffUser, AppError> {
    let user = current_staff().await?.ok_or_else(|| AppError::new(domain::ErrCode::Unauthorized))?;
    user.role.require(role)?;
    Ok(user)
}
