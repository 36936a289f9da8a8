//! Plumbing for plain HTML form posts. They work without JavaScript: success redirects (303), failure
//! redirects back with `?error=code&field=name` so the page shows the message next to the field. Clients that
//! do not ask for HTML (programs, tests) get the status and JSON error body instead. Handlers answer with
//! [`super::reply::Reply`]; [`fail`] and [`answer`] remain for the picks forms until they move to it.

use super::Shared;
use axum::response::{IntoResponse, Redirect, Response};
use domain::AppError;
use http::header::{HeaderMap, HeaderValue, ACCEPT};

pub fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// A failed form post: back to the form with the error for HTML clients, the error itself for others.
/// (Only the picks forms still call it; the others return `Result<Reply, AppError>`.)
pub fn fail(headers: &HeaderMap, back: &str, err: AppError) -> Response {
    if wants_html(headers) {
        Redirect::to(&super::reply::with_error(&super::reply::Back { url: back.to_owned(), anchor: None }, &err)).into_response()
    } else {
        err.into_response()
    }
}

/// The answer to a form post: a browser is sent on (303) to `next(&value)`, or back to `back` with the error
/// next to its field; a program gets the status and JSON body of `json(value)`, or the error.
pub fn answer<V>(
    headers: &HeaderMap,
    back: &str,
    result: Result<V, AppError>,
    next: impl FnOnce(&V) -> String,
    json: impl FnOnce(V) -> (http::StatusCode, serde_json::Value),
) -> Response {
    match result {
        Ok(v) if wants_html(headers) => Redirect::to(&next(&v)).into_response(),
        Ok(v) => {
            let (status, body) = json(v);
            (status, axum::Json(body)).into_response()
        }
        Err(e) => fail(headers, back, e),
    }
}

/// A path segment from the request reduced to its digits, for building the form's own URL to send a browser back
/// to (whatever was typed in the path, the redirect stays on our site and well-formed).
pub fn digits(segment: &str) -> String {
    segment.chars().filter(char::is_ascii_digit).collect()
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

/// A cookie for the whole site, `Secure` whenever the portal is served over TLS.
pub fn cookie(shared: &Shared, name: &str, value: &str, max_age: i64, http_only: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if shared.app.config.cookie_secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// HTML-escapes text for the few pages written without Leptos (the API docs page).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_our_own_paths() {
        assert_eq!(safe_next("/a/b?q=米粉"), "/a/b?q=米粉");
        assert_eq!(safe_next("//evil.test/x"), "/");
        assert_eq!(safe_next("/\\evil.test"), "/");
        assert_eq!(safe_next("https://evil.test"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/a\r\nSet-Cookie: x=1"), "/");
    }

    #[test]
    fn path_ids_keep_their_digits_only() {
        assert_eq!(digits("12"), "12");
        assert_eq!(digits("1/../evil.test2"), "12");
        assert_eq!(digits(""), "");
    }
}
