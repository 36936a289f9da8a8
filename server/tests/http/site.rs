//! HTTP tests of the brand site and the shared HTTP behaviour: health, pages, languages, errors, limits, CSRF, OpenAPI: the real app (real database, real middleware) on port 0,
//! driven with reqwest, each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::testing::Backend;

on_both!(
    a_page_asked_for_by_many_at_once_is_rendered_once,
    expired_answers_are_served_stale_while_rendered_again,
    every_page_type_allows_exactly_its_own_scripts,
    cached_pages_are_sent_compressed_once_per_encoding,
    oversized_uploads_are_refused_before_reading,
    health_and_readiness,
    home_page_shows_figures_with_security_headers,
    english_version_is_remembered,
    not_found_is_html_for_pages_and_json_for_the_api,
    bad_requests_get_clear_json_errors,
    page_reads_are_rate_limited_with_retry_after,
    forwarded_for_is_ignored_from_untrusted_peers,
    cross_site_posts_are_refused,
    openapi_document_lists_the_api,
);

async fn health_and_readiness(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let res = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Ready once the search index is built at start (a 503 with the error body before).
    let mut res = client().get(app.url("/readyz")).send().await.unwrap();
    for _ in 0..100 {
        if res.status() == 200 {
            break;
        }
        assert_eq!(res.status(), 503);
        assert_eq!(json(res).await["error"]["code"], "unavailable");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        res = client().get(app.url("/readyz")).send().await.unwrap();
    }
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "ready");
    app.stop().await;
}

async fn home_page_shows_figures_with_security_headers(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    for round in 0..2 {
        let res = client().get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        if round == 1 {
            assert_eq!(header(&h, "x-page-cache"), "hit", "second anonymous view comes from the page cache");
        }
        assert_eq!(header(&h, "x-content-type-options"), "nosniff");
        assert_eq!(header(&h, "x-frame-options"), "DENY");
        assert!(header(&h, "referrer-policy").contains("strict-origin"));
        let csp = header(&h, "content-security-policy").to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
        let body = res.text().await.unwrap();
        assert!(body.contains("<html lang=\"zh-CN\""), "Chinese first");
        assert!(
            body.contains("43,993") && body.contains("49,895") && body.contains("99.7%"),
            "figures from the database"
        );
        assert!(body.contains("食安绵阳"));
        assert_eq!(
            csp_hashes(&csp),
            inline_script_hashes(&body),
            "the CSP allows exactly the page's own inline scripts"
        );
        assert!(!body.contains("nonce=") && !body.contains(&*app.shared.marker), "marker never leaks");
    }
    // The cache is per language: a Chinese page is never served to an English visitor.
    let en = client().get(app.url("/")).header("accept-language", "en").send().await.unwrap();
    assert_eq!(header(en.headers(), "vary"), "Cookie, Accept-Language, Accept-Encoding");
    assert!(en.text().await.unwrap().contains("<html lang=\"en\""));
    // A cached page is the same bytes for everyone (so it is compressed once), its policy with it.
    let a = client().get(app.url("/")).send().await.unwrap();
    let b = client().get(app.url("/")).send().await.unwrap();
    assert_eq!(header(a.headers(), "content-security-policy"), header(b.headers(), "content-security-policy"));
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
    app.stop().await;
}

async fn english_version_is_remembered(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let c = client_with_cookies();
    let res = c.post(app.url("/lang")).form(&[("lang", "en"), ("next", "/credit")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), "/credit");
    assert!(header(res.headers(), "set-cookie").starts_with("lang=en"));
    let body = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("<html lang=\"en\""));
    assert!(body.contains("Campaign figures") && body.contains("Licensed food businesses"));
    // Accept-Language alone also selects English; errors follow the language.
    let res = client().get(app.url("/api/v1/nope")).header("accept-language", "en-US,en;q=0.9").send().await.unwrap();
    assert_eq!(json(res).await["error"]["message"], "The requested resource was not found.");
    // `next` cannot leave the site.
    let res = client().post(app.url("/lang")).form(&[("lang", "zh"), ("next", "//evil.test/")]).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/");
    let res = client().post(app.url("/lang")).form(&[("lang", "fr"), ("next", "/")]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "lang");
    app.stop().await;
}

async fn not_found_is_html_for_pages_and_json_for_the_api(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let res = client().get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(header(res.headers(), "content-type").starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("页面不存在"));
    let res = client().get(app.url("/api/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(header(res.headers(), "content-type").starts_with("application/json"));
    let body = json(res).await;
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["message"], "找不到请求的资源。");
    app.stop().await;
}

async fn bad_requests_get_clear_json_errors(engine: Backend) {
    let app = TestApp::start(engine, |c| c.max_body_bytes = 4096).await;
    // Oversized body.
    let res = client()
        .post(app.url("/staff/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("username={}", "a".repeat(10_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(json(res).await["error"]["code"], "payload_too_large");
    // Wrong content type for a form.
    let res = client().post(app.url("/staff/login")).json(&serde_json::json!({"username": "x"})).send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(json(res).await["error"]["code"], "unsupported_media_type");
    // Wrong method on an API resource.
    let res = client().delete(app.url("/api/v1/figures")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(json(res).await["error"]["code"], "method_not_allowed");
    // Missing fields name the field.
    let res = client().post(app.url("/staff/login")).form(&[("username", "demo_admin")]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "password");
    app.stop().await;
}

async fn page_reads_are_rate_limited_with_retry_after(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { page_per_min: 3, ..RateLimits::default() };
    })
    .await;
    for i in 0..3 {
        let res = client().get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), 200, "request {i} within quota");
        assert_eq!(header(res.headers(), "ratelimit-limit"), "3");
    }
    let res = client().get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Three a minute: the next one is free 20 seconds after the first.
    let retry: u64 = header(res.headers(), "retry-after").parse().unwrap();
    assert!((19..=20).contains(&retry), "Retry-After {retry}");
    assert_eq!(header(res.headers(), "ratelimit-remaining"), "0");
    let body = json(res).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // Health checks and the API have their own budgets.
    assert_eq!(client().get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client().get(app.url("/api/v1/figures")).send().await.unwrap().status(), 200);
    app.stop().await;
}

async fn forwarded_for_is_ignored_from_untrusted_peers(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { api_per_min: 2, ..RateLimits::default() };
    })
    .await;
    // Rotating X-Forwarded-For does not buy a fresh quota: the peer is not a trusted proxy.
    for i in 0..2 {
        let res = client().get(app.url("/api/v1/figures")).header("x-forwarded-for", format!("1.2.3.{i}")).send();
        assert_eq!(res.await.unwrap().status(), 200);
    }
    let res = client().get(app.url("/api/v1/figures")).header("x-forwarded-for", "9.9.9.9").send().await.unwrap();
    assert_eq!(res.status(), 429);
    app.stop().await;

    // Behind a trusted proxy, each forwarded client has its own quota.
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { api_per_min: 1, ..RateLimits::default() };
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for ip in ["203.0.113.1", "203.0.113.2"] {
        let res = client().get(app.url("/api/v1/figures")).header("x-forwarded-for", ip).send().await.unwrap();
        assert_eq!(res.status(), 200, "{ip}");
    }
    let res = client().get(app.url("/api/v1/figures")).header("x-forwarded-for", "203.0.113.1").send().await.unwrap();
    assert_eq!(res.status(), 429);
    app.stop().await;
}

async fn cross_site_posts_are_refused(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let creds = [("username", "demo_admin"), ("password", backend::seed::DEMO_PASSWORD)];
    let res =
        client().post(app.url("/staff/login")).header("origin", "http://evil.test").form(&creds).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(json(res).await["error"]["code"], "csrf_rejected");
    let res = client()
        .post(app.url("/staff/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The same post from our own origin works.
    let host = app.base.trim_start_matches("http://").to_owned();
    let res = client()
        .post(app.url("/staff/login"))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

async fn openapi_document_lists_the_api(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let doc = json(client().get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/readyz", "/api/v1/figures"] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    // Every rate-limited operation documents its 429 with the headers it carries (from the route's facts); the
    // bulk downloads name their own quota. Health checks are not limited.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let limited = &op["responses"]["429"];
            if path.ends_with("z") {
                assert!(limited.is_null(), "{method} {path}");
                continue;
            }
            assert!(limited["headers"].get("Retry-After").is_some(), "{method} {path}: {limited}");
        }
    }
    let download = &doc["paths"]["/api/v1/downloads/businesses.csv"]["get"]["responses"]["429"];
    assert!(download["description"].as_str().unwrap().contains("PORTAL_RATE_DOWNLOAD_PER_MIN"), "{download}");
    let page = client().get(app.url("/api")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/v1/figures"));
    let figures = json(client().get(app.url("/api/v1/figures")).send().await.unwrap()).await;
    assert_eq!(figures["businesses"], 43_993);
    app.stop().await;
}

#[tokio::test]
async fn startup_errors_name_the_setting() {
    let dir = std::env::temp_dir();
    let listener = || async { tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap() };
    let cases = [
        ("mysql://root@127.0.0.1/x", "DATABASE_URL"),
        ("postgres://postgres@127.0.0.1:1/unreachable", "DATABASE_URL"),
        ("sqlite:///proc/portal-test/portal.db", "DATABASE_URL"),
    ];
    for (url, setting) in cases {
        let config = Config::for_tests(url, &dir);
        let err = match server::build(config, listener().await).await {
            Ok(_) => panic!("{url} should not start"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains(setting), "{url}: {err}");
    }
}

/// The documented districts and categories are exactly the ones the search accepts.
#[tokio::test]
async fn documented_search_values_match_the_parser() {
    let doc = serde_json::to_value(server::site::docs::document(&server::startup::modules().table())).unwrap();
    let values = |name: &str| -> Vec<String> {
        let all = doc["components"]["schemas"][name]["enum"].as_array().unwrap();
        // The first value is "" (any), what the search form sends.
        assert_eq!(all[0], "", "{name}");
        all.iter().skip(1).map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    let districts: Vec<String> = domain::credit::District::ALL.iter().map(|d| d.as_str().to_owned()).collect();
    let categories: Vec<String> = domain::credit::BusinessCategory::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(values("DistrictParam"), districts);
    assert_eq!(values("CategoryParam"), categories);
}

/// Every kind of page allows exactly its own inline scripts (by hash), cached or not, staff pages included.
async fn every_page_type_allows_exactly_its_own_scripts(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[0]["credit_code"].as_str().unwrap().to_owned();
    let moderator = app.client_as("demo_moderator").await;
    let pages = [
        "/",
        "/credit",
        "/credit?q=%E7%B1%B3%E7%B2%89",
        &format!("/credit/{code}"),
        "/news",
        "/stats",
        "/staff/login",
        "/nope",
    ];
    for path in
        pages.iter().map(|p| (client(), *p)).chain([(moderator.clone(), "/staff"), (moderator, "/staff/replies")])
    {
        let (c, path) = path;
        for _ in 0..2 {
            let res = c.get(app.url(path)).send().await.unwrap();
            let csp = header(res.headers(), "content-security-policy").to_owned();
            let body = res.text().await.unwrap();
            let scripts = inline_script_hashes(&body);
            assert!(!scripts.is_empty(), "{path}: the loader script is inline");
            assert_eq!(csp_hashes(&csp), scripts, "{path}: every inline script allowed, nothing else");
            assert!(!csp.contains("'unsafe-inline'") && !body.contains("nonce="), "{path}");
        }
    }
    app.stop().await;
}

/// The `sha256-…` sources of a CSP's `script-src`, sorted.
fn csp_hashes(csp: &str) -> Vec<String> {
    let mut v: Vec<String> =
        csp.split_whitespace().filter(|s| s.starts_with("'sha256-")).map(|s| s.trim_matches('\'').to_owned()).collect();
    v.sort();
    v
}

/// The `sha256-…` of each distinct inline script of a page, sorted.
fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut v = Vec::new();
    for part in html.split("<script").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        if tag.contains(" src=") {
            continue;
        }
        let text = rest.split("</script>").next().unwrap();
        let h = format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())));
        if !v.contains(&h) {
            v.push(h);
        }
    }
    v.sort();
    v
}

/// A registry upload larger than its route's limit (32 MiB) is refused from its declared length, unread.
async fn oversized_uploads_are_refused_before_reading(engine: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start(engine, |_| {}).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /staff/businesses/import HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {}\r\n\r\n",
        33 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut answer)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("payload_too_large"), "{text}");
    app.stop().await;
}

/// A cached page is compressed once per encoding and sent as the client prefers (brotli, then gzip); the
/// compressed bytes decode to exactly the page sent uncompressed, with the same policy.
async fn cached_pages_are_sent_compressed_once_per_encoding(engine: Backend) {
    use std::io::Read;
    let app = TestApp::start(engine, |_| {}).await;
    let plain = client().get(app.url("/")).send().await.unwrap();
    let csp = header(plain.headers(), "content-security-policy").to_owned();
    let plain = plain.bytes().await.unwrap();
    for (accept, encoding) in [("br, gzip", "br"), ("gzip, deflate", "gzip"), ("gzip;q=0, identity", "")] {
        for round in 0..2 {
            let res = client().get(app.url("/")).header("accept-encoding", accept).send().await.unwrap();
            let h = res.headers().clone();
            assert_eq!(header(&h, "x-page-cache"), "hit", "{accept}: from the cache (round {round})");
            assert_eq!(header(&h, "content-encoding"), encoding, "{accept}");
            assert!(header(&h, "vary").contains("Accept-Encoding"), "{accept}: {h:?}");
            assert_eq!(header(&h, "content-security-policy"), csp);
            let body = res.bytes().await.unwrap();
            let mut out = Vec::new();
            match encoding {
                "br" => brotli::BrotliDecompress(&mut &body[..], &mut out).map(|_| ()).unwrap(),
                "gzip" => flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out).map(|_| ()).unwrap(),
                _ => out = body.to_vec(),
            }
            assert_eq!(out, plain.to_vec(), "{accept}: the same page");
            if !encoding.is_empty() {
                assert!(body.len() * 2 < plain.len(), "{accept}: compressed ({} of {})", body.len(), plain.len());
            }
        }
    }
    app.stop().await;
}

/// Past its TTL an answer is served once more (`stale`) while it is rendered again behind the request; the
/// next requests get the new answer. A change made elsewhere (here: straight in the database, as another
/// instance would) shows within two TTLs.
async fn expired_answers_are_served_stale_while_rendered_again(engine: Backend) {
    let app = TestApp::start(engine, |c| c.page_cache_ttl = std::time::Duration::from_secs(1)).await;
    let code: String = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id LIMIT 1")
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    let api = app.url(&format!("/api/v1/businesses/{code}"));
    let page = app.url(&format!("/credit/{code}"));
    for url in [&api, &page] {
        client().get(url).send().await.unwrap();
        assert_eq!(header(client().get(url).send().await.unwrap().headers(), "x-page-cache"), "hit");
    }
    sqlx::query("UPDATE businesses SET name = '改过名的小店' WHERE credit_code = $1")
        .bind(&code)
        .execute(app.db.store().pool())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    for url in [&api, &page] {
        let res = client().get(url).send().await.unwrap();
        assert_eq!(
            (res.status(), header(res.headers(), "x-page-cache").to_owned()),
            (StatusCode::OK, "stale".to_owned()),
            "{url}"
        );
        assert!(!res.text().await.unwrap().contains("改过名的小店"), "{url}: the old answer, at once");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        loop {
            let res = client().get(url).send().await.unwrap();
            let cache = header(res.headers(), "x-page-cache").to_owned();
            if res.text().await.unwrap().contains("改过名的小店") {
                assert_eq!(cache, "hit", "{url}: the re-render is cached");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{url}: not re-rendered");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    app.stop().await;
}

/// Thirty visitors open the same business page (and its API answer) at the same moment, before it is cached:
/// one request renders it, the others wait for that render and get the same bytes.
async fn a_page_asked_for_by_many_at_once_is_rendered_once(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let code: String = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    for path in [format!("/credit/{code}"), format!("/api/v1/businesses/{code}")] {
        let url = app.url(&path);
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move {
                    let res = client().get(&url).send().await.unwrap();
                    let label = header(res.headers(), "x-page-cache").to_owned();
                    (res.status(), label, res.text().await.unwrap())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        let rendered = answers.iter().filter(|(_, label, _)| label == "miss").count();
        assert_eq!(rendered, 1, "{path}: {:?}", answers.iter().map(|a| a.1.as_str()).collect::<Vec<_>>());
        assert!(answers.iter().all(|(status, label, body)| *status == StatusCode::OK
            && (label == "miss" || label == "hit")
            && body == &answers[0].2));
    }
    app.stop().await;
}
