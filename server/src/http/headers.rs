//! The last step before a response leaves: security headers on everything; for HTML a CSP that allows each
//! inline script the page was rendered with by its hash (the scripts carry the instance's random marker as their
//! nonce, removed here; a cached page is finished once and keeps its bytes); error bodies in the request's language; and bare framework errors (413 from the body limit, 408 from the timeout,
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

/// What pages are rendered with in place of the nonce: random per instance (a published constant could be carried
/// by injected text; held in `Shared::marker`), and replaced only inside `nonce="…"` attributes. Never sent to a
/// client.
pub fn new_nonce_marker() -> String {
    format!("nm{}", fresh_nonce().replace(['-', '_'], ""))
}

/// The page with the marker's `nonce` attributes removed, and the `sha256-…` source of each inline script that
/// carried it. Only scripts we rendered carry the marker (it is random per process and never sent), so injected
/// text gains nothing; the page's bytes no longer vary per response, so a cached page is compressed once.
fn hash_scripts(marker: &str, html: &str) -> (String, Vec<String>) {
    use sha2::{Digest, Sha256};
    let attr = format!(" nonce=\"{marker}\"");
    let mut out = String::with_capacity(html.len());
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&attr) {
        out.push_str(&rest[..i]);
        rest = &rest[i + attr.len()..];
        // The rest of the tag, then the script's text up to its end tag.
        let Some(gt) = rest.find('>') else { break };
        out.push_str(&rest[..=gt]);
        rest = &rest[gt + 1..];
        let end = rest.find("</script>").unwrap_or(rest.len());
        let digest = Sha256::digest(&rest.as_bytes()[..end]);
        let source = format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest));
        if !hashes.contains(&source) {
            hashes.push(source);
        }
    }
    out.push_str(rest);
    (out, hashes)
}

/// Largest HTML page we buffer to hash its scripts.
const MAX_HTML: usize = 8 * 1024 * 1024;

fn fresh_nonce() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The policy for HTML pages: scripts only from us, or inline ones we rendered (by hash); WASM allowed to compile.
pub fn html_csp(hashes: &[String]) -> String {
    format!(
        "default-src 'self'; script-src 'self' {} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    )
}

pub(crate) fn is_html_parts(headers: &http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// A rendered page made ready to send: inline scripts allowed by hash in its own CSP, caching and `Vary`
/// headers. Done once for a cached page.
pub(crate) fn finish_page(marker: &str, mut headers: http::HeaderMap, bytes: &[u8]) -> (String, http::HeaderMap) {
    let (html, hashes) = hash_scripts(marker, &String::from_utf8_lossy(bytes));
    headers.remove(header::CONTENT_LENGTH);
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    if let Ok(v) = HeaderValue::from_str(&html_csp(&hashes)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    (html, headers)
}

const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

fn is_html(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
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
    let own_body = res.extensions().get::<super::routes::OwnErrorBody>().is_some();

    if (status.is_client_error() || status.is_server_error()) && !server_fn && !own_body {
        let known = res.extensions().get::<AppError>().cloned();
        match known {
            Some(err) if lang != Lang::Zh && res.extensions().get::<super::json::KeepBody>().is_none() => {
                res = localised(res, &err, lang)
            }
            Some(_) => {}
            None if !is_html(&res) => {
                let err = AppError::new(code_for(status));
                res = localised(res, &err, lang);
                res.extensions_mut().insert(err);
            }
            None => {}
        }
    }

    // A page from the cache is finished already (its CSP set); any other page is finished here.
    if is_html(&res) && !res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        let (parts, body) = res.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_HTML).await {
            Ok(b) => b,
            Err(e) => return AppError::internal(format!("buffering page: {e}")).into_response(),
        };
        let (html, headers) = finish_page(&shared.marker, parts.headers.clone(), &bytes);
        let mut parts = parts;
        parts.headers = headers;
        res = Response::from_parts(parts, Body::from(html));
    } else if !is_html(&res) {
        if let Ok(v) = HeaderValue::from_str(OTHER_CSP) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }

    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(self), payment=(), usb=()"),
    );
    if shared.app.config.cookie_secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn inline_scripts_we_rendered_are_allowed_by_hash_and_the_marker_never_leaves() {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let m = &super::new_nonce_marker();
        assert_ne!(m, "NONCE_c2hpYW4tbWlhbnlhbmc", "random per process, not the old published constant");
        let page = format!(
            "<script type=\"module\" nonce=\"{m}\">load()</script><p>{m}</p><script>injected()</script>\
             <script nonce=\"{m}\">x=1</script><script nonce=\"{m}\">load()</script>"
        );
        let (out, hashes) = super::hash_scripts(m, &page);
        assert_eq!(out, format!("<script type=\"module\">load()</script><p>{m}</p><script>injected()</script><script>x=1</script><script>load()</script>"));
        let h = |s: &str| {
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes())))
        };
        assert_eq!(hashes, vec![h("load()"), h("x=1")], "each rendered script once; the injected one not at all");
        assert!(super::html_csp(&hashes).contains(&format!(
            "script-src 'self' {} {} 'wasm-unsafe-eval'",
            h("load()"),
            h("x=1")
        )));
    }
}
