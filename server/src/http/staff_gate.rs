//! Every `/staff/…` route needs a session and a role. The page request itself is checked here because server
//! functions called during rendering run in-process, past the HTTP middleware.

use super::Shared;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::staff::Role;
use domain::{AppError, ErrCode};
use http::Method;

/// The role a staff path needs, or `None` for paths open to everyone (the sign-in form).
pub fn required_role(method: &Method, path: &str) -> Option<Role> {
    if path != "/staff" && !path.starts_with("/staff/") {
        return None;
    }
    match path {
        "/staff/login" => None,
        "/staff/logout" => Some(Role::Viewer),
        "/staff/audit" => Some(Role::Admin),
        "/staff/figures" | "/staff/businesses" | "/staff/replies" | "/staff/events" => Some(Role::Moderator),
        _ if *method != Method::GET && *method != Method::HEAD => Some(Role::Moderator),
        _ => Some(Role::Viewer),
    }
}

pub fn session_cookie(headers: &http::HeaderMap) -> Option<String> {
    app::ssr::cookie(headers, backend::auth::SESSION_COOKIE)
}

pub async fn staff_gate(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let Some(role) = required_role(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let user = match session_cookie(req.headers()) {
        Some(token) => match backend::auth::session_user(&shared.app, &token).await {
            Ok(u) => u,
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let Some(user) = user else {
        return if req.method() == Method::GET || req.method() == Method::HEAD {
            Redirect::to("/staff/login").into_response()
        } else {
            AppError::new(ErrCode::Unauthorized).into_response()
        };
    };
    if let Err(e) = user.role.require(role) {
        return e.into_response();
    }
    req.extensions_mut().insert(user);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_table() {
        assert_eq!(required_role(&Method::GET, "/staff/login"), None);
        assert_eq!(required_role(&Method::POST, "/staff/login"), None);
        assert_eq!(required_role(&Method::GET, "/"), None);
        assert_eq!(required_role(&Method::GET, "/staffing"), None);
        assert_eq!(required_role(&Method::GET, "/staff"), Some(Role::Viewer));
        assert_eq!(required_role(&Method::GET, "/staff/audit"), Some(Role::Admin));
        assert_eq!(required_role(&Method::POST, "/staff/figures"), Some(Role::Moderator));
        assert_eq!(required_role(&Method::POST, "/staff/anything-new"), Some(Role::Moderator));
    }
}
