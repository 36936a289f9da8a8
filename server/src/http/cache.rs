//! A micro-cache for anonymous pages everyone sees alike (the home page first of all). Rendering a Leptos page
//! costs ~0.4 ms of CPU; most visitors see the same bytes, so we render once per language every few seconds.
//! Pages are cached with the nonce marker, so each response still gets a fresh CSP nonce. Each instance has its
//! own cache: staleness across instances is bounded by the TTL; on this instance, staff edits clear it.
//! Business pages (`/credit/{code}`) are cached the same way: the popular shops are scanned again and again.

use super::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use domain::Lang;
use http::{header, HeaderMap, Method, StatusCode};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Paths whose page is the same for every anonymous visitor (per language).
const CACHEABLE: &[&str] = &["/", "/picks", "/results", "/news"];
/// Entries of the page cache (home, sections, and the most viewed business pages).
pub const PAGE_ENTRIES: usize = 2_048;
const MAX_PAGE: usize = 2 * 1024 * 1024;

struct Entry {
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

pub struct PageCache {
    ttl: Duration,
    capacity: usize,
    entries: RwLock<HashMap<(String, Lang), Entry>>,
}

impl PageCache {
    pub fn new(ttl: Duration, capacity: usize) -> PageCache {
        PageCache { ttl, capacity, entries: RwLock::new(HashMap::new()) }
    }

    pub fn enabled(&self) -> bool {
        self.ttl > Duration::ZERO
    }

    /// Forgets every page (after staff change what pages show).
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
        }
    }

    pub fn get(&self, key: &(String, Lang)) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        if e.at.elapsed() > self.ttl {
            return None;
        }
        let mut res = Response::new(Body::from(e.body.clone()));
        *res.headers_mut() = e.headers.clone();
        res.headers_mut().insert("x-page-cache", header::HeaderValue::from_static("hit"));
        Some(res)
    }

    pub fn put(&self, key: (String, Lang), headers: HeaderMap, body: Bytes) {
        if !self.enabled() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.capacity {
                let ttl = self.ttl;
                entries.retain(|_, e| e.at.elapsed() <= ttl);
                if entries.len() >= self.capacity {
                    entries.clear();
                }
            }
            entries.insert(key, Entry { at: Instant::now(), headers, body });
        }
    }
}

fn has_session(headers: &HeaderMap) -> bool {
    super::staff_gate::session_cookie(headers).is_some()
}

pub async fn page_cache(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let business_page = path
        .strip_prefix("/credit/")
        .is_some_and(|code| code.len() == 18 && code.bytes().all(|b| b.is_ascii_alphanumeric()));
    let cacheable = shared.cache.enabled()
        && req.method() == Method::GET
        && req.uri().query().is_none()
        && (CACHEABLE.contains(&path) || business_page)
        && !has_session(req.headers());
    if !cacheable {
        return next.run(req).await;
    }
    let key = (req.uri().path().to_owned(), app::lang::request_lang(req.headers()));
    if let Some(hit) = shared.cache.get(&key) {
        return hit;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => {
            let mut headers = parts.headers.clone();
            headers.remove(header::SET_COOKIE);
            shared.cache.put(key, headers, bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => domain::AppError::internal(format!("buffering page: {e}")).into_response(),
    }
}
