//! CSRF: Leptos server functions and our form posts are plain POST endpoints, so every unsafe method from
//! another site is refused. Browsers send `Sec-Fetch-Site` (and `Origin`) on such requests; programs send
//! neither and are not at risk (they hold no victim's cookies). Session cookies are also `SameSite=Lax`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{AppError, ErrCode};
use http::{HeaderMap, Method};

/// Whether a request with this method and these headers may change state.
pub fn allowed(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match header("origin") {
        None => true,
        Some(origin) => {
            let host = header("host").unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    }
}

pub async fn csrf(req: Request, next: Next) -> Response {
    if allowed(req.method(), req.headers()) {
        next.run(req).await
    } else {
        AppError::new(ErrCode::CsrfRejected).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn refuses_cross_site_writes() {
        assert!(allowed(&Method::GET, &h(&[("sec-fetch-site", "cross-site")])));
        assert!(!allowed(&Method::POST, &h(&[("sec-fetch-site", "cross-site")])));
        assert!(!allowed(&Method::POST, &h(&[("sec-fetch-site", "same-site")])));
        assert!(allowed(&Method::POST, &h(&[("sec-fetch-site", "same-origin")])));
        assert!(allowed(&Method::POST, &h(&[("origin", "http://a.test:3000"), ("host", "a.test:3000")])));
        assert!(!allowed(&Method::POST, &h(&[("origin", "http://evil.test"), ("host", "a.test:3000")])));
        assert!(!allowed(&Method::POST, &h(&[("origin", "null"), ("host", "a.test")])));
        // Programs without browser headers.
        assert!(allowed(&Method::POST, &h(&[("host", "a.test")])));
    }
}
