//! A micro-cache for answers everyone sees alike: the routes whose facts allow it (the home page, business
//! pages, single-business API answers), for anonymous `GET`s without a query string, per language. Rendering a
//! page costs ~0.4 ms of CPU; most visitors see the same bytes. Pages are cached with the nonce marker, so each
//! response still gets a fresh CSP nonce; API answers are cached with their ETag, so a hit is not hashed again.
//! Each instance has its own cache, emptied when this instance's services announce a change; changes made on
//! other instances show within the TTL.

use super::Shared;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use domain::route::Facts;
use domain::Lang;
use http::{header, HeaderMap, Method, StatusCode};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Entries of the page cache (home, sections, and the most viewed business pages and API answers).
pub const ENTRIES: usize = 20_000;
/// Largest answer kept (the bulk downloads of the whole registry are a few MB).
const MAX_BODY: usize = 32 * 1024 * 1024;

struct Entry {
    expires: Instant,
    headers: HeaderMap,
    body: Bytes,
}

/// Path, language, large-text mode: the only things a cached page varies by.
type Key = (String, Lang, bool);

pub struct PageCache {
    ttl: Duration,
    capacity: usize,
    entries: RwLock<HashMap<Key, Entry>>,
}

impl PageCache {
    /// `ttl` caps every route's own cache time (`PORTAL_PAGE_CACHE_SECS`; zero disables the cache).
    pub fn new(ttl: Duration, capacity: usize) -> PageCache {
        PageCache { ttl, capacity, entries: RwLock::new(HashMap::new()) }
    }

    /// Forgets everything (after a change on this instance).
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: &Key) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        if Instant::now() >= e.expires {
            return None;
        }
        let mut res = Response::new(Body::from(e.body.clone()));
        *res.headers_mut() = e.headers.clone();
        res.headers_mut().insert("x-page-cache", header::HeaderValue::from_static("hit"));
        Some(res)
    }

    fn put(&self, key: Key, ttl: Duration, headers: HeaderMap, body: Bytes) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.capacity {
                let now = Instant::now();
                entries.retain(|_, e| e.expires > now);
                if entries.len() >= self.capacity {
                    entries.clear();
                }
            }
            entries.insert(key, Entry { expires: Instant::now() + ttl, headers, body });
        }
    }
}

fn has_session(shared: &Shared, headers: &HeaderMap) -> bool {
    app::ssr::cookie(headers, backend::staff::auth::session_cookie_name(&shared.app.config)).is_some()
}

/// Runs the handler through the cache (when the route's facts allow it) and the ETag step.
pub async fn serve(shared: &Shared, facts: &Facts, req: Request, next: Next) -> Response {
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let ttl = Duration::from_secs(u64::from(facts.cache_secs)).min(shared.cache.ttl);
    let cacheable = !ttl.is_zero()
        && req.method() == Method::GET
        && req.uri().query().is_none()
        && !has_session(shared, req.headers());
    let res = if cacheable {
        let key = (
            req.uri().path().to_owned(),
            app::lang::request_lang(req.headers()),
            app::lang::request_large_text(req.headers()),
        );
        match shared.cache.get(&key) {
            Some(hit) => hit,
            None => {
                let res = tagged(facts, next.run(req).await).await;
                if res.status() != StatusCode::OK {
                    return res;
                }
                let (parts, body) = res.into_parts();
                match axum::body::to_bytes(body, MAX_BODY).await {
                    Ok(bytes) => {
                        let mut headers = parts.headers.clone();
                        headers.remove(header::SET_COOKIE);
                        shared.cache.put(key, ttl, headers, bytes.clone());
                        Response::from_parts(parts, Body::from(bytes))
                    }
                    Err(e) => return domain::AppError::internal(format!("buffering answer: {e}")).into_response(),
                }
            }
        }
    } else {
        tagged(facts, next.run(req).await).await
    };
    if facts.etag {
        super::etag::not_modified(res, if_none_match.as_ref())
    } else {
        res
    }
}

async fn tagged(facts: &Facts, res: Response) -> Response {
    if facts.etag {
        super::etag::tag(res).await
    } else {
        res
    }
}
