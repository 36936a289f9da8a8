//! The HTTP stack around every route. Order, outermost first: trace → catch panics → compression →
//! security headers, CSP nonce and localised errors → timeout → client IP → rate limits → CSRF → body limit.
//! Page routes add the staff gate and the page cache.

/// The client's address: the socket peer, or `X-Forwarded-For` when the peer is a trusted proxy.
pub mod client_ip;
/// Rate limits per client (governor), one quota per route group.
pub mod limits;
/// Cross-site request refusal for every unsafe method.
pub mod csrf;
/// Security headers, the per-response CSP nonce, and error bodies in the request's language.
pub mod headers;
/// In-memory cache of anonymous pages that everyone sees alike.
pub mod cache;
/// Session and role checks for `/staff/…`.
pub mod staff_gate;

use axum::extract::FromRef;
use axum::Router;
use backend::AppState;
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
    /// Serialised API answers for single businesses, same TTL as pages.
    pub api_cache: Arc<cache::PageCache>,
}

impl std::ops::Deref for Shared {
    type Target = SharedInner;
    fn deref(&self) -> &SharedInner {
        &self.0
    }
}

impl Shared {
    pub fn new(app: AppState) -> Shared {
        let leptos = crate::startup::make_leptos_options(&app.config);
        let limiters = Arc::new(limits::Limiters::new(app.config.rate_limits));
        let cache = Arc::new(cache::PageCache::new(app.config.page_cache_ttl, cache::PAGE_ENTRIES));
        let api_cache = Arc::new(cache::PageCache::new(app.config.page_cache_ttl, 20_000));
        Shared(Arc::new(SharedInner { app, leptos, limiters, cache, api_cache }))
    }

    /// Forgets cached pages and API answers after a change on this instance.
    pub fn invalidate(&self) {
        self.cache.clear();
        self.api_cache.clear();
    }
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

/// Largest registry CSV staff may upload in the console (the whole city is ~6 MB).
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The body limit of a request: uploads of the registry get more room than everything else.
fn body_limit_for(path: &str, default: usize) -> usize {
    if path == "/staff/businesses/import" {
        IMPORT_MAX_BYTES
    } else {
        default
    }
}

/// Refuses bodies over the limit before reading them (Content-Length), and caps streamed ones.
async fn body_limit(
    axum::extract::State(shared): axum::extract::State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit_for(req.uri().path(), shared.app.config.max_body_bytes);
    let declared = req
        .headers()
        .get(::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return domain::AppError::new(domain::ErrCode::PayloadTooLarge).into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// Wraps a router in the common middleware.
pub fn stack(router: Router<Shared>, shared: &Shared) -> Router<Shared> {
    use axum::middleware::from_fn_with_state as mw;
    let cfg = &shared.app.config;
    router
        .layer(axum::extract::DefaultBodyLimit::max(cfg.max_body_bytes))
        .layer(mw(shared.clone(), body_limit))
        .layer(mw(shared.clone(), csrf::csrf))
        .layer(mw(shared.clone(), limits::rate_limit))
        .layer(mw(shared.clone(), client_ip::client_ip))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, cfg.request_timeout))
        .layer(mw(shared.clone(), headers::finish))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
