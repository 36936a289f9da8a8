//! The last step before a response leaves: security headers on everything; for HTML a fresh CSP nonce swapped
//! in for the marker the page was rendered with (so cached pages still get a new nonce each time); error
//! bodies in the request's language; and bare framework errors (413 from the body limit, 408 from the timeout,
//! axum's extractor rejections) turned into our JSON error body.

use super::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::{AppError, ErrCode, Lang};
use http::header::{self, HeaderValue};
use http::StatusCode;

/// What pages are rendered with in place of the nonce: random per process (a published constant could be carried
/// by injected text), and replaced only inside `nonce="…"` attributes. Never sent to a client.
pub fn nonce_marker() -> &'static str {
    static MARKER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARKER.get_or_init(|| format!("nm{}", fresh_nonce().replace(['-', '_'], "")))
}

/// The page with this response's nonce in place of the marker, inside `nonce="…"` attributes only.
fn swap_nonce(html: &str, nonce: &str) -> String {
    html.replace(&format!("nonce=\"{}\"", nonce_marker()), &format!("nonce=\"{nonce}\""))
}

/// Largest HTML page we buffer to swap the nonce.
const MAX_HTML: usize = 8 * 1024 * 1024;

fn fresh_nonce() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The policy for HTML pages: scripts only from us or carrying this response's nonce; WASM allowed to compile.
pub fn html_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The error code for a bare error status produced outside our handlers.
fn code_for(status: StatusCode) -> ErrCode {
    match status.as_u16() {
        400 | 422 => ErrCode::InvalidJson,
        401 => ErrCode::Unauthorized,
        403 => ErrCode::Forbidden,
        404 => ErrCode::NotFound,
        405 => ErrCode::MethodNotAllowed,
        408 => ErrCode::Timeout,
        409 => ErrCode::Conflict,
        413 => ErrCode::PayloadTooLarge,
        415 => ErrCode::UnsupportedMediaType,
        429 => ErrCode::RateLimited,
        503 => ErrCode::Unavailable,
        s if s >= 500 => ErrCode::Internal,
        _ => ErrCode::InvalidValue,
    }
}

/// Replaces the body with our error JSON in `lang`, keeping status and headers.
fn localised(res: Response, err: &AppError, lang: Lang) -> Response {
    let (mut parts, _) = res.into_parts();
    let body = serde_json::to_vec(&err.body(lang)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body))
}

/// Server functions answer every error with 500; ours carry an `AppError`, whose own status we restore (a
/// refused role is a 403, not our bug). The body stays in the encoding the browser side decodes.
async fn server_fn_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return AppError::internal("server function error body too large").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Keeps redirects on our own site: a `Location` to another host (leptos_axum redirects no-JS server-function
/// posts to the unchecked `Referer`) becomes the same path here, or `/`.
fn same_site_location(res: &mut Response, host: Option<&str>) {
    let Some(loc) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) else { return };
    let fixed = if loc.starts_with('/') && !loc.starts_with("//") && !loc.starts_with("/\\") {
        return;
    } else if let Some((_, rest)) = loc.split_once("://") {
        let (h, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
        // Our own host: keep the path, but only one that stays here (`https://HOST//evil.test/` is not).
        if host.is_some_and(|ours| ours.eq_ignore_ascii_case(h)) {
            super::forms::safe_next(&path).to_owned()
        } else {
            "/".to_owned()
        }
    } else {
        "/".to_owned()
    };
    if let Ok(v) = HeaderValue::from_str(&fixed) {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

pub async fn finish(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let lang = app::lang::request_lang(req.headers());
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut res = next.run(req).await;
    if res.status().is_redirection() {
        same_site_location(&mut res, host.as_deref());
    }
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR && res.headers().contains_key("serverfnerror") {
        res = server_fn_status(res).await;
    }
    let status = res.status();
    let server_fn = res.headers().contains_key("serverfnerror");

    if (status.is_client_error() || status.is_server_error()) && !server_fn {
        let known = res.extensions().get::<AppError>().cloned();
        match known {
            Some(err) if lang != Lang::Zh => res = localised(res, &err, lang),
            Some(_) => {}
            None if !is_html(&res) => {
                let err = AppError::new(code_for(status));
                res = localised(res, &err, lang);
                res.extensions_mut().insert(err);
            }
            None => {}
        }
    }

    let nonce = fresh_nonce();
    let csp = if is_html(&res) {
        let (mut parts, body) = res.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_HTML).await {
            Ok(b) => b,
            Err(e) => return AppError::internal(format!("buffering page: {e}")).into_response(),
        };
        let html = swap_nonce(&String::from_utf8_lossy(&bytes), &nonce);
        parts.headers.remove(header::CONTENT_LENGTH);
        if !parts.headers.contains_key(header::CACHE_CONTROL) {
            parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        }
        parts.headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
        res = Response::from_parts(parts, Body::from(html));
        html_csp(&nonce)
    } else {
        OTHER_CSP.to_owned()
    };

    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    if shared.app.config.cookie_secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_nonce_goes_only_into_nonce_attributes() {
        let m = super::nonce_marker();
        assert_ne!(m, "NONCE_c2hpYW4tbWlhbnlhbmc", "random per process, not the old published constant");
        let page = format!("<script nonce=\"{m}\">x</script><p>{m}</p><p title=\"{m}\"></p>");
        let out = super::swap_nonce(&page, "FRESH");
        assert_eq!(out, format!("<script nonce=\"FRESH\">x</script><p>{m}</p><p title=\"{m}\"></p>"));
    }
}
