//! Plumbing for plain HTML form posts. They work without JavaScript: success redirects (303), failure
//! redirects back with `?error=code&field=name` so the page shows the message next to the field. Clients that
//! do not ask for HTML (programs, tests) get the status and JSON error body instead. Handlers answer with
//! [`super::reply::Reply`], which `reply::answer_browsers` turns into either.

use super::Shared;
use http::header::{HeaderMap, HeaderValue, ACCEPT};

pub fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
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
}
