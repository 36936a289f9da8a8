//! The HTTP infrastructure every module shares; it knows no module's paths. Around every request, outermost
//! first: trace → catch panics → compression → security headers, CSP nonce and localised errors → timeout →
//! client IP → path normalisation → CSRF. Then each route's own facts ([`routes::enforce`]): rate limit →
//! body limit → staff session and role → anonymous cache and ETags.

/// The one Atom writer, for every feed.
pub mod atom;
/// In-memory cache of anonymous answers everyone sees alike.
pub mod cache;
/// The client's address: the socket peer, or `X-Forwarded-For` when the peer is a trusted proxy.
pub mod client_ip;
/// Cross-site request refusal for every unsafe method.
pub mod csrf;
/// ETags and 304s on API reads.
pub mod etag;
/// Extractors: the staff member the route's facts admitted, path ids.
pub mod extract;
/// Plain HTML form posts: redirects back with the error, cookies, safe `next` targets.
pub mod forms;
/// Security headers, the CSP with the hashes of the page's own scripts, and error bodies in the request's language.
pub mod headers;
/// The JSON extractor with our error body.
pub mod json;
/// Rate limits per client (governor), one quota per limit group.
pub mod limits;
/// The one multipart reader, with each form's caps.
pub mod multipart;
/// Typed query strings whose refusals name the parameter.
pub mod query;
/// The one answer of a write: 303 for a browser's form, status and JSON for a program.
pub mod reply;
/// Routes declared with their facts, and the middleware that applies them.
pub mod routes;

use axum::extract::{FromRef, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use backend::AppState;
use domain::route::Facts;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// The axum state: the app's state plus what only the HTTP layer needs. One `Arc`: axum clones the state of
/// every middleware layer for every request, and cloning `LeptosOptions` field by field was measured at over half
/// of the CPU time of a cached page.
#[derive(Clone)]
pub struct Shared(Arc<SharedInner>);

pub struct SharedInner {
    pub app: AppState,
    pub leptos: LeptosOptions,
    pub limiters: Arc<limits::Limiters>,
    pub cache: Arc<cache::PageCache>,
    /// What pages are rendered with as Leptos' nonce (see `headers::new_nonce_marker`).
    pub marker: Arc<str>,
    /// The OpenAPI document, built once at start from the modules' operations and their routes' facts.
    pub api_document: Arc<utoipa::openapi::OpenApi>,
}

impl std::ops::Deref for Shared {
    type Target = SharedInner;
    fn deref(&self) -> &SharedInner {
        &self.0
    }
}

impl Shared {
    pub fn new(app: AppState, api_document: utoipa::openapi::OpenApi) -> Shared {
        let leptos = leptos_options(&app.config);
        let limiters = Arc::new(limits::Limiters::new(app.config.rate_limits));
        let cache = Arc::new(cache::PageCache::new(app.config.page_cache_ttl, cache::ENTRIES));
        let marker = headers::new_nonce_marker().into();
        Shared(Arc::new(SharedInner { app, leptos, limiters, cache, marker, api_document: Arc::new(api_document) }))
    }

    /// Empties the caches whenever a service of this instance announces a change (no adapter has to).
    pub fn spawn_invalidation(&self) {
        let mut changes = self.app.store.subscribe();
        let cache = self.cache.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            // A missed announcement (lagged) clears too; only a closed store ends the loop.
            while let Ok(_) | Err(RecvError::Lagged(_)) = changes.recv().await {
                cache.clear();
            }
        });
    }
}

/// Leptos' options from our configuration.
pub fn leptos_options(config: &backend::config::Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build()
}

impl FromRef<Shared> for LeptosOptions {
    fn from_ref(s: &Shared) -> LeptosOptions {
        s.leptos.clone()
    }
}

impl FromRef<Shared> for AppState {
    fn from_ref(s: &Shared) -> AppState {
        s.app.clone()
    }
}

/// Refuses a body over the route's limit before reading it (Content-Length), and caps a streamed one.
#[expect(clippy::result_large_err, reason = "a refusal is the finished 413 response, built only when refusing")]
fn body_limit(shared: &Shared, facts: &Facts, req: Request) -> Result<Request, Response> {
    let limit = facts.body_limit.unwrap_or(shared.app.config.max_body_bytes);
    let declared = req
        .headers()
        .get(::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(domain::AppError::new(domain::ErrCode::PayloadTooLarge).into_response());
    }
    let (parts, body) = req.into_parts();
    Ok(Request::from_parts(parts, axum::body::Body::new(http_body_util::Limited::new(body, limit))))
}

/// `//staff/audit` and `/staff/audit/` are not other pages: they are sent (308) to the one path whose route
/// and facts apply, so no spelling of a path can reach a page past its checks.
async fn normalise_path(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let needs = path.contains("//") || (path.len() > 1 && path.ends_with('/'));
    if !needs {
        return next.run(req).await;
    }
    let mut clean: String = String::with_capacity(path.len());
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(seg);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if let Some(q) = req.uri().query() {
        clean.push('?');
        clean.push_str(q);
    }
    Redirect::permanent(&clean).into_response()
}

/// Wraps a router in the middleware every request passes.
pub fn stack(router: Router<Shared>, shared: &Shared) -> Router<Shared> {
    use axum::middleware::{from_fn, from_fn_with_state as mw};
    let cfg = &shared.app.config;
    router
        .layer(from_fn(csrf::csrf))
        .layer(from_fn(normalise_path))
        .layer(mw(shared.clone(), client_ip::client_ip))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, cfg.request_timeout))
        .layer(mw(shared.clone(), headers::finish))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %req.method(), path = %logged_path(req.uri().path()))
        }))
}

/// What the log may say of a path: never a query (drafts, searches) and never a capability id (a receipt's).
pub fn logged_path(path: &str) -> String {
    match path.strip_prefix("/report/receipt/") {
        Some(_) => "/report/receipt/…".to_owned(),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn capability_urls_stay_out_of_logs() {
        assert_eq!(super::logged_path("/report/receipt/0123456789abcdef0123456789abcdef"), "/report/receipt/…");
        assert_eq!(super::logged_path("/credit/x"), "/credit/x");
    }

    #[test]
    fn the_one_cookie_parser() {
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, "a=1; lang=en".parse().unwrap());
        h.append(http::header::COOKIE, "portal_session=tok=en=; b=2".parse().unwrap());
        assert_eq!(app::ssr::cookie(&h, "lang").as_deref(), Some("en"));
        assert_eq!(app::ssr::cookie(&h, "portal_session").as_deref(), Some("tok=en="), "values may hold '='");
        assert_eq!(app::ssr::cookie(&h, "b").as_deref(), Some("2"), "every Cookie header is read");
        assert_eq!(app::ssr::cookie(&h, "la"), None, "names match whole");
        assert_eq!(app::ssr::cookie(&http::HeaderMap::new(), "lang"), None);
    }

    #[tokio::test]
    async fn odd_spellings_of_a_path_redirect_to_the_one_path() {
        use tower::ServiceExt;
        let app = axum::Router::new().layer(axum::middleware::from_fn(super::normalise_path));
        for (from, to) in [("//a/b", "/a/b"), ("/a/b/", "/a/b"), ("/a//b/?x=1", "/a/b?x=1")] {
            let req = http::Request::get(from).body(axum::body::Body::empty()).unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), http::StatusCode::PERMANENT_REDIRECT, "{from}");
            assert_eq!(res.headers()["location"], to, "{from}");
        }
    }
}
