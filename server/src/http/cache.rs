//! A micro-cache for answers everyone sees alike: the routes whose facts allow it (the home page, business
//! pages, single-business API answers), for anonymous `GET`s without a query string, per language and text size.
//! Rendering a page costs ~0.4 ms of CPU; most visitors see the same bytes. A cached page is kept finished
//! (inline scripts allowed by their hashes, so the bytes are the same for everyone) and compressed at most once
//! per encoding (brotli, gzip) while it lives; API answers are kept with their ETag, so a hit is not hashed
//! again. Bounded in entries and in bytes. Each instance has its own cache, emptied when this instance's
//! services announce a change; changes made on other instances show within the TTL.

use super::Shared;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use domain::route::Facts;
use domain::Lang;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Entries of the page cache (home, sections, and the most viewed business pages and API answers).
pub const ENTRIES: usize = 20_000;
/// Bytes the cache may hold, compressed copies included (a business page is ~10 KB raw, ~3 KB compressed).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Largest answer kept (the bulk downloads of the whole registry are a few MB).
const MAX_BODY: usize = 32 * 1024 * 1024;
/// Bodies smaller than this are sent as they are (compression would not pay for its header).
const MIN_COMPRESS: usize = 512;

/// Path, language, large-text mode: the only things a cached answer varies by.
type Key = (String, Lang, bool);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The best encoding the client accepts (brotli first); `q=0` refuses.
    fn pick(headers: &HeaderMap) -> Encoding {
        let accepted = |name: &str| {
            headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|part| {
                let mut it = part.split(';');
                let token = it.next().unwrap_or("").trim();
                let refused = it.any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)));
                token.eq_ignore_ascii_case(name) && !refused
            })
        };
        if accepted("br") {
            Encoding::Brotli
        } else if accepted("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

struct Entry {
    expires: Instant,
    headers: HeaderMap,
    body: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl Entry {
    fn size(&self) -> usize {
        let extra = |c: &OnceLock<Option<Bytes>>| c.get().and_then(Option::as_ref).map_or(0, Bytes::len);
        self.body.len() + extra(&self.gzip) + extra(&self.brotli) + 512
    }

    /// The body in `enc`, compressing it the first time it is asked for (`None`: send it as it is); a new
    /// copy's size is added to `held`.
    fn encoded(&self, enc: Encoding, held: &AtomicUsize) -> Option<(Bytes, &'static str)> {
        if self.body.len() < MIN_COMPRESS || self.headers.contains_key(header::CONTENT_ENCODING) {
            return None;
        }
        let make = |f: fn(&[u8]) -> Option<Bytes>| {
            let b = f(&self.body);
            held.fetch_add(b.as_ref().map_or(0, Bytes::len), Ordering::Relaxed);
            b
        };
        match enc {
            Encoding::Identity => None,
            Encoding::Gzip => self.gzip.get_or_init(|| make(gzip)).clone().map(|b| (b, "gzip")),
            Encoding::Brotli => self.brotli.get_or_init(|| make(brotli)).clone().map(|b| (b, "br")),
        }
    }
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(6));
    enc.write_all(body).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn brotli(body: &[u8]) -> Option<Bytes> {
    // Quality 9 for pages (done once per entry and TTL); 5 for big downloads, which would take seconds at 9+.
    let quality = if body.len() > 1024 * 1024 { 5 } else { 9 };
    let mut out = Vec::with_capacity(body.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

pub struct PageCache {
    ttl: Duration,
    capacity: usize,
    max_bytes: usize,
    /// Bytes held (bodies, compressed copies, a fixed allowance per entry), kept as entries come and go.
    held: AtomicUsize,
    entries: RwLock<HashMap<Key, Entry>>,
}

impl PageCache {
    /// `ttl` caps every route's own cache time (`PORTAL_PAGE_CACHE_SECS`; zero disables the cache).
    pub fn new(ttl: Duration, capacity: usize) -> PageCache {
        PageCache { ttl, capacity, max_bytes: MAX_BYTES, held: AtomicUsize::new(0), entries: RwLock::new(HashMap::new()) }
    }

    /// Forgets everything (after a change on this instance).
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
            self.held.store(0, Ordering::Relaxed);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, compressed copies included.
    pub fn bytes(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    fn get(&self, key: &Key, enc: Encoding) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        if Instant::now() >= e.expires {
            return None;
        }
        let encoded = e.encoded(enc, &self.held);
        let mut headers = e.headers.clone();
        let body = match encoded {
            Some((bytes, name)) => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
                headers.remove(header::CONTENT_LENGTH);
                bytes
            }
            None => e.body.clone(),
        };
        drop(entries);
        let mut res = Response::new(Body::from(body));
        *res.headers_mut() = headers;
        res.headers_mut().insert("x-page-cache", HeaderValue::from_static("hit"));
        Some(res)
    }

    fn put(&self, key: Key, ttl: Duration, headers: HeaderMap, body: Bytes) {
        if let Ok(mut entries) = self.entries.write() {
            let full = |n: usize, held: usize| n >= self.capacity || held + body.len() * 2 > self.max_bytes;
            if full(entries.len(), self.held.load(Ordering::Relaxed)) {
                // Expired entries go first; if that is not enough, everything (the next requests refill it).
                let now = Instant::now();
                entries.retain(|_, e| e.expires > now);
                self.held.store(entries.values().map(Entry::size).sum(), Ordering::Relaxed);
                if full(entries.len(), self.held.load(Ordering::Relaxed)) {
                    entries.clear();
                    self.held.store(0, Ordering::Relaxed);
                }
            }
            let entry = Entry { expires: Instant::now() + ttl, headers, body, gzip: OnceLock::new(), brotli: OnceLock::new() };
            self.held.fetch_add(entry.size(), Ordering::Relaxed);
            if let Some(old) = entries.insert(key, entry) {
                self.held.fetch_sub(old.size().min(self.held.load(Ordering::Relaxed)), Ordering::Relaxed);
            }
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
        let enc = Encoding::pick(req.headers());
        match shared.cache.get(&key, enc) {
            Some(hit) => hit,
            None => {
                let res = tagged(facts, next.run(req).await).await;
                if res.status() != StatusCode::OK {
                    return res;
                }
                let (parts, body) = res.into_parts();
                let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
                    Ok(bytes) => bytes,
                    Err(e) => return domain::AppError::internal(format!("buffering answer: {e}")).into_response(),
                };
                let mut parts = parts;
                let bytes = if super::headers::is_html_parts(&parts.headers) {
                    let (html, headers) = super::headers::finish_page(std::mem::take(&mut parts.headers), &bytes);
                    parts.headers = headers;
                    Bytes::from(html)
                } else {
                    bytes
                };
                parts.headers.remove(header::SET_COOKIE);
                parts.headers.remove(header::CONTENT_LENGTH);
                let vary = match parts.headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
                    Some(v) => format!("{v}, Accept-Encoding"),
                    None => "Accept-Encoding".to_owned(),
                };
                if let Ok(v) = HeaderValue::from_str(&vary) {
                    parts.headers.insert(header::VARY, v);
                }
                shared.cache.put(key.clone(), ttl, parts.headers.clone(), bytes);
                shared.cache.get(&key, enc).unwrap_or_else(|| Response::from_parts(parts, Body::empty()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn bounded_in_bytes() {
        let mut cache = PageCache::new(Duration::from_secs(60), 1000);
        cache.max_bytes = 10_000;
        let key = |i: usize| (format!("/p{i}"), Lang::Zh, false);
        for i in 0..20 {
            cache.put(key(i), Duration::from_secs(60), HeaderMap::new(), Bytes::from(vec![b'x'; 1000]));
            assert!(cache.bytes() <= 10_000, "{} bytes after {i}", cache.bytes());
        }
        assert!(!cache.is_empty());
        cache.put(key(100), Duration::from_secs(60), HeaderMap::new(), Bytes::from(vec![b'x'; 1000]));
        let before = cache.bytes();
        cache.put(key(100), Duration::from_secs(60), HeaderMap::new(), Bytes::from(vec![b'x'; 1000]));
        assert_eq!(cache.bytes(), before, "replacing an entry does not count it twice");
    }

    #[test]
    fn picks_the_best_accepted_encoding() {
        assert_eq!(Encoding::pick(&accept("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(Encoding::pick(&accept("gzip")), Encoding::Gzip);
        assert_eq!(Encoding::pick(&accept("br;q=0, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(Encoding::pick(&accept("identity")), Encoding::Identity);
        assert_eq!(Encoding::pick(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn compressed_copies_round_trip_and_are_made_once() {
        let body = Bytes::from("<p>食安绵阳</p>".repeat(200));
        let e = Entry { expires: Instant::now(), headers: HeaderMap::new(), body: body.clone(), gzip: OnceLock::new(), brotli: OnceLock::new() };
        let held = AtomicUsize::new(0);
        let (br, name) = e.encoded(Encoding::Brotli, &held).unwrap();
        assert_eq!(name, "br");
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, body);
        let (gz, _) = e.encoded(Encoding::Gzip, &held).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, body);
        assert!(e.size() < body.len() + 512 + body.len() / 4, "the copies are small");
        assert_eq!(held.load(Ordering::Relaxed), br.len() + gz.len(), "each copy counted once");
        let (again, _) = e.encoded(Encoding::Brotli, &held).unwrap();
        assert_eq!(again.as_ptr(), br.as_ptr(), "compressed once, then shared");
        let small = Entry { body: Bytes::from_static(b"{}"), ..e };
        assert!(small.encoded(Encoding::Gzip, &held).is_none());
        assert_eq!(held.load(Ordering::Relaxed), br.len() + gz.len());
    }
}
