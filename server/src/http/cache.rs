//! A micro-cache for answers everyone sees alike: the routes whose facts allow it (the home page, business
//! pages, single-business API answers), for anonymous `GET`s without a query string, per language and text size.
//! Rendering a page costs ~0.4 ms of CPU; most visitors see the same bytes. A cached page is kept finished
//! (inline scripts allowed by their hashes, so the bytes are the same for everyone) and compressed at most once
//! per encoding (brotli, gzip) while it lives; API answers are kept with their ETag, so a hit is not hashed
//! again. Bounded in entries and in bytes. Each instance has its own cache, emptied when this instance's
//! services announce a change.
//!
//! **Stale while revalidating.** For one more TTL after it expires, an entry is still served (`x-page-cache:
//! stale`) while the first request to find it stale renders it again in a task of its own: a popular page or
//! API answer never makes a visitor wait for its re-render (at 64 connections those renders were the p99 of
//! the business pages). So changes made on other instances show within two TTLs (10 s by default); this
//! instance's own changes empty the cache at once.

use super::Shared;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use domain::route::{Authority, Facts};
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
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
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

/// What a client accepts: the best encoding, and the cheap one for an answer served the first time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wanted {
    best: Encoding,
    /// Gzip when accepted, else none: most business pages are asked for once per TTL (QR scans spread over
    /// 44,000 businesses), and gzip costs half of brotli; brotli (smaller) is made for answers asked for again.
    first: Encoding,
}

impl Encoding {
    /// The best encoding the client accepts (brotli first), and gzip or none for a first answer; `q=0` refuses.
    fn pick(headers: &HeaderMap) -> Wanted {
        let accepted = |name: &str| {
            headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|part| {
                let mut it = part.split(';');
                let token = it.next().unwrap_or("").trim();
                let refused = it.any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)));
                token.eq_ignore_ascii_case(name) && !refused
            })
        };
        let first = if accepted("gzip") { Encoding::Gzip } else { Encoding::Identity };
        Wanted { best: if accepted("br") { Encoding::Brotli } else { first }, first }
    }
}

struct Entry {
    expires: Instant,
    /// Served stale (and re-rendered once) until then.
    stale_until: Instant,
    /// A re-render of this entry is under way.
    refreshing: std::sync::atomic::AtomicBool,
    /// Times served: brotli from the second on.
    served: std::sync::atomic::AtomicU32,
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
    // Quality 5 with the size known and a window fitted to the body: measured on an 8 KB business page with
    // this crate, 0.19 ms and 2,835 bytes, against 7 ms and 2,787 bytes at quality 9 (whose cost does not fall
    // with the window), 0.9 ms at 8; without the size hint even quality 5 took 7 ms with a small window.
    let lgwin = (usize::BITS - body.len().leading_zeros()).clamp(18, 22) as i32;
    let mut out = Vec::with_capacity(body.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality: 5, lgwin, size_hint: body.len(), ..Default::default() };
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
    /// Answers being rendered after a miss: a second request for the same key waits for the first's render
    /// instead of rendering it again (a page scanned by many at once, or a cold start under load).
    pending: std::sync::Mutex<HashMap<Key, std::sync::Arc<tokio::sync::Notify>>>,
}

/// The one render of a key in flight; whatever becomes of the render (done, failed, the request dropped), the
/// key is released and its waiters woken.
struct Flight<'a> {
    cache: &'a PageCache,
    key: Key,
    done: std::sync::Arc<tokio::sync::Notify>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if let Ok(mut pending) = self.cache.pending.lock() {
            pending.remove(&self.key);
        }
        self.done.notify_waiters();
    }
}

/// How long a request waits for another's render of the same answer before rendering it itself.
const WAIT_FOR_RENDER: Duration = Duration::from_secs(10);

impl PageCache {
    /// `ttl` caps every route's own cache time (`PORTAL_PAGE_CACHE_SECS`; zero disables the cache).
    pub fn new(ttl: Duration, capacity: usize) -> PageCache {
        PageCache {
            ttl,
            capacity,
            max_bytes: MAX_BYTES,
            held: AtomicUsize::new(0),
            entries: RwLock::new(HashMap::new()),
            pending: Default::default(),
        }
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

    /// A fresh answer, or a stale one with whether this caller is the one to re-render it.
    fn get(&self, key: &Key, wanted: Wanted) -> Option<(Response, Freshness)> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        let now = Instant::now();
        if now >= e.stale_until {
            return None;
        }
        let freshness = if now < e.expires {
            Freshness::Fresh
        } else {
            Freshness::Stale { refresh: !e.refreshing.swap(true, Ordering::AcqRel) }
        };
        let again = e.served.fetch_add(1, Ordering::Relaxed) > 0;
        let encoded = e.encoded(if again { wanted.best } else { wanted.first }, &self.held);
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
        let label = if freshness == Freshness::Fresh { "hit" } else { "stale" };
        res.headers_mut().insert("x-page-cache", HeaderValue::from_static(label));
        Some((res, freshness))
    }

    /// Whether `key` can be answered from the cache (fresh or stale), without claiming its re-render.
    fn servable(&self, key: &Key) -> bool {
        self.entries.read().map(|e| e.get(key).is_some_and(|e| Instant::now() < e.stale_until)).unwrap_or(false)
    }

    /// Forgets one entry (its re-render failed: the next request renders it itself).
    fn remove(&self, key: &Key) {
        if let Ok(mut entries) = self.entries.write() {
            if let Some(old) = entries.remove(key) {
                self.held.fetch_sub(old.size().min(self.held.load(Ordering::Relaxed)), Ordering::Relaxed);
            }
        }
    }

    fn put(&self, key: Key, ttl: Duration, headers: HeaderMap, body: Bytes) {
        if let Ok(mut entries) = self.entries.write() {
            let full = |n: usize, held: usize| n >= self.capacity || held + body.len() * 2 > self.max_bytes;
            if full(entries.len(), self.held.load(Ordering::Relaxed)) {
                // Expired entries go first; if that is not enough, everything (the next requests refill it).
                let now = Instant::now();
                entries.retain(|_, e| e.stale_until > now);
                self.held.store(entries.values().map(Entry::size).sum(), Ordering::Relaxed);
                if full(entries.len(), self.held.load(Ordering::Relaxed)) {
                    entries.clear();
                    self.held.store(0, Ordering::Relaxed);
                }
            }
            let expires = Instant::now() + ttl;
            let entry = Entry {
                expires,
                stale_until: expires + ttl,
                refreshing: Default::default(),
                served: Default::default(),
                headers,
                body,
                gzip: OnceLock::new(),
                brotli: OnceLock::new(),
            };
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Freshness {
    Fresh,
    /// Past its TTL; `refresh`: this caller re-renders it.
    Stale {
        refresh: bool,
    },
}

/// The `Cache-Control` an answer must carry whatever its handler said, when it is not the same for everyone:
/// one that depends on a credential is stored by nobody; one built from the `Host` without a configured public
/// origin only by the asking browser.
pub fn private_cache_control(shared: &Shared, facts: &Facts) -> Option<&'static str> {
    match facts.authority {
        Authority::Public => None,
        Authority::Credential => Some("private, no-store"),
        Authority::Host if shared.app.config.public_url.is_some() => None,
        Authority::Host => Some("private, no-cache"),
    }
}

/// Whether an anonymous answer may be kept in the shared page cache at all.
pub fn shareable(shared: &Shared, facts: &Facts) -> bool {
    facts.role.is_none() && private_cache_control(shared, facts).is_none()
}

/// Runs the handler through the cache (when the route's facts allow it) and the ETag step.
pub async fn serve(shared: &Shared, facts: &Facts, req: Request, next: Next) -> Response {
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let ttl = Duration::from_secs(u64::from(facts.cache_secs)).min(shared.cache.ttl);
    let cacheable = !ttl.is_zero()
        && shareable(shared, facts)
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
            Some((res, Freshness::Fresh | Freshness::Stale { refresh: false })) => res,
            Some((res, Freshness::Stale { refresh: true })) => {
                let replay = replay(&req);
                let (shared, facts) = (shared.clone(), *facts);
                tokio::spawn(async move {
                    if fill(&shared, &facts, key.clone(), ttl, replay, next).await.is_err() {
                        shared.cache.remove(&key);
                    }
                });
                res
            }
            None => match render_once(shared, facts, key.clone(), ttl, req, next).await {
                Ok(rendered_here) => match shared.cache.get(&key, enc) {
                    Some((mut res, _)) => {
                        if rendered_here {
                            res.headers_mut().insert("x-page-cache", HeaderValue::from_static("miss"));
                        }
                        res
                    }
                    None => domain::AppError::internal("page cache: entry gone").into_response(),
                },
                Err(res) => res,
            },
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

/// [`fill`] on a miss, once per key: while another request renders the same key, wait for it and answer from
/// the cache (or render after all when its render was not cacheable). `Ok(true)`: rendered by this request.
async fn render_once(
    shared: &Shared,
    facts: &Facts,
    key: Key,
    ttl: Duration,
    req: Request,
    next: Next,
) -> Result<bool, Response> {
    let cache = &shared.cache;
    let mine = std::sync::Arc::new(tokio::sync::Notify::new());
    let waiting = {
        let Ok(mut pending) = cache.pending.lock() else {
            return fill(shared, facts, key, ttl, req, next).await.map(|()| true);
        };
        match pending.get(&key) {
            Some(done) => Some(done.clone()),
            None => {
                pending.insert(key.clone(), mine.clone());
                None
            }
        }
    };
    match waiting {
        Some(done) => {
            let notified = done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // The render may have finished between the lookup and `enable`.
            let still = cache
                .pending
                .lock()
                .map(|p| p.get(&key).is_some_and(|d| std::sync::Arc::ptr_eq(d, &done)))
                .unwrap_or(false);
            if still {
                let _ = tokio::time::timeout(WAIT_FOR_RENDER, notified).await;
            }
            if cache.servable(&key) {
                return Ok(false);
            }
            fill(shared, facts, key, ttl, req, next).await.map(|()| true)
        }
        None => {
            let _flight = Flight { cache, key: key.clone(), done: mine };
            fill(shared, facts, key, ttl, req, next).await.map(|()| true)
        }
    }
}

/// The same request again, for a re-render in the background (a cacheable request is a `GET` without a body).
fn replay(req: &Request) -> Request {
    let mut again = Request::new(Body::empty());
    *again.method_mut() = req.method().clone();
    *again.uri_mut() = req.uri().clone();
    *again.version_mut() = req.version();
    *again.headers_mut() = req.headers().clone();
    *again.extensions_mut() = req.extensions().clone();
    again
}

/// Renders an answer and keeps it under `key`; an answer that is not a 200 is returned instead, uncached.
async fn fill(
    shared: &Shared,
    facts: &Facts,
    key: Key,
    ttl: Duration,
    req: Request,
    next: Next,
) -> Result<(), Response> {
    let res = tagged(facts, next.run(req).await).await;
    if res.status() != StatusCode::OK {
        return Err(res);
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => return Err(domain::AppError::internal(format!("buffering answer: {e}")).into_response()),
    };
    let bytes = if super::headers::is_html_parts(&parts.headers) {
        let (html, headers) = super::headers::finish_page(&shared.marker, std::mem::take(&mut parts.headers), &bytes);
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
    shared.cache.put(key, ttl, parts.headers, bytes);
    Ok(())
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
    fn served_stale_for_one_more_ttl_and_re_rendered_once() {
        let cache = PageCache::new(Duration::from_secs(60), 1000);
        let key = ("/p".to_owned(), Lang::Zh, false);
        let ttl = Duration::from_millis(80);
        cache.put(key.clone(), ttl, HeaderMap::new(), Bytes::from_static(b"old"));
        let plain = Wanted { best: Encoding::Identity, first: Encoding::Identity };
        let freshness = |c: &PageCache| c.get(&key, plain).map(|(_, f)| f);
        assert_eq!(freshness(&cache), Some(Freshness::Fresh));
        std::thread::sleep(ttl + Duration::from_millis(10));
        assert_eq!(freshness(&cache), Some(Freshness::Stale { refresh: true }), "the first finder re-renders");
        assert_eq!(freshness(&cache), Some(Freshness::Stale { refresh: false }), "only the first");
        let (res, _) = cache.get(&key, plain).unwrap();
        assert_eq!(res.headers()["x-page-cache"], "stale");
        cache.put(key.clone(), ttl, HeaderMap::new(), Bytes::from_static(b"new"));
        assert_eq!(freshness(&cache), Some(Freshness::Fresh), "the re-render replaces it");
        std::thread::sleep(2 * ttl + Duration::from_millis(10));
        assert_eq!(freshness(&cache), None, "never older than two TTLs");
        cache.put(key.clone(), ttl, HeaderMap::new(), Bytes::from_static(b"x"));
        cache.remove(&key);
        assert_eq!((freshness(&cache), cache.bytes()), (None, 0));
    }

    #[test]
    fn brotli_only_for_answers_asked_for_twice() {
        let cache = PageCache::new(Duration::from_secs(60), 1000);
        let key = ("/p".to_owned(), Lang::Zh, false);
        cache.put(key.clone(), Duration::from_secs(60), HeaderMap::new(), Bytes::from("<p>食安绵阳</p>".repeat(200)));
        let browser = Encoding::pick(&accept("gzip, deflate, br"));
        let encoding = |c: &PageCache| c.get(&key, browser).map(|(r, _)| r.headers()[header::CONTENT_ENCODING].clone());
        assert_eq!(encoding(&cache).unwrap(), "gzip", "the first answer: cheap");
        assert_eq!(encoding(&cache).unwrap(), "br", "asked for again: worth brotli");
        assert_eq!(encoding(&cache).unwrap(), "br");
    }

    #[test]
    fn picks_the_best_accepted_encoding() {
        assert_eq!(
            Encoding::pick(&accept("gzip, deflate, br, zstd")),
            Wanted { best: Encoding::Brotli, first: Encoding::Gzip }
        );
        assert_eq!(Encoding::pick(&accept("gzip")), Wanted { best: Encoding::Gzip, first: Encoding::Gzip });
        assert_eq!(Encoding::pick(&accept("br;q=0, gzip;q=0.8")).best, Encoding::Gzip);
        assert_eq!(Encoding::pick(&accept("identity")).best, Encoding::Identity);
        assert_eq!(Encoding::pick(&HeaderMap::new()).best, Encoding::Identity);
        assert_eq!(Encoding::pick(&accept("br")), Wanted { best: Encoding::Brotli, first: Encoding::Identity });
    }

    #[test]
    fn compressed_copies_round_trip_and_are_made_once() {
        let body = Bytes::from("<p>食安绵阳</p>".repeat(200));
        let e = Entry {
            expires: Instant::now(),
            stale_until: Instant::now(),
            refreshing: Default::default(),
            served: Default::default(),
            headers: HeaderMap::new(),
            body: body.clone(),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        };
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
