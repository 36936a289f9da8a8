//! The review's findings, each held by a test (hardening issue): pool bursts, races on caps and throttles,
//! forwarded-for spoofing, CSRF before quotas, redirects, cookies, caching of personal data, expensive reads,
//! text that hides itself, path spellings. Each on SQLite and on PostgreSQL.

use crate::common::*;
use futures_util_lite::join_all;

on_both!(
    a_burst_of_distinct_lookups_is_answered,
    parallel_wrong_passwords_are_throttled,
    parallel_replies_cannot_pass_the_cap,
    forged_forwarded_for_lines_buy_no_quota,
    forged_forwarded_for_values_keep_one_limiter_key,
    cross_site_posts_spend_no_quota,
    redirects_stay_on_this_site,
    staff_pages_are_never_stored,
    bulk_downloads_have_their_own_quota,
    hidden_characters_and_formulas_are_neutralised,
    odd_path_spellings_meet_the_same_checks,
    empty_numbers_in_query_strings_are_refused_naming_them,
);

/// `join_all` without another dependency: spawn every future, await each.
mod futures_util_lite {
    pub async fn join_all<F>(futures: Vec<F>) -> Vec<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.expect("task"));
        }
        out
    }
}

async fn codes(app: &TestApp, n: usize) -> Vec<String> {
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    all.as_array().unwrap().iter().take(n).map(|b| b["credit_code"].as_str().unwrap().to_owned()).collect()
}

/// Finding 0: 4× the pool size of concurrent reads of distinct businesses on every read route, all answered.
async fn a_burst_of_distinct_lookups_is_answered(engine: Backend) {
    let app = TestApp::start(engine, |c| c.page_cache_ttl = std::time::Duration::ZERO).await;
    let codes = codes(&app, 64).await;
    for route in ["/api/v1/businesses/{}", "/credit/{}", "/credit/{}/badge.svg"] {
        let started = std::time::Instant::now();
        let requests: Vec<_> = codes
            .iter()
            .map(|c| {
                let url = app.url(&route.replace("{}", c));
                async move { client().get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
            })
            .collect();
        let statuses = join_all(requests).await;
        assert!(statuses.iter().all(|s| *s == 200), "{route}: {statuses:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{route} took {:?}", started.elapsed());
    }
    app.stop().await;
}

/// Finding 1: the attempt is recorded before argon2 runs, so 30 parallel guesses cannot all be checked.
async fn parallel_wrong_passwords_are_throttled(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { login_per_min: 1000, write_per_min: 1000, ..RateLimits::default() }
    })
    .await;
    let url = app.url("/staff/login");
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let url = url.clone();
            async move {
                let res = client()
                    .post(url)
                    .form(&[("username", "demo_admin".to_owned()), ("password", format!("guess-{i}"))])
                    .send();
                res.await.unwrap().status().as_u16()
            }
        })
        .collect();
    let statuses = join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert!(checked <= 6, "only about five guesses may reach the password check: {statuses:?}");
    assert_eq!(checked + throttled, 30, "{statuses:?}");
    app.stop().await;
}

/// Finding 3: the per-business cap holds under parallel submissions; staff see where replies came from.
async fn parallel_replies_cannot_pass_the_cap(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { write_per_min: 1000, ..RateLimits::default() };
        // The network's own bound is tested in abuse.rs; here the business's and the contact's caps.
        c.network_bounds.replies = backend::config::Bound::new(1000, 1000);
    })
    .await;
    let code = codes(&app, 1).await.remove(0);
    let url = app.url(&format!("/api/v1/businesses/{code}/replies"));
    let posts: Vec<_> = (0..20)
        .map(|i| {
            let url = url.clone();
            async move {
                let body = serde_json::json!({"kind": "reply", "body": "我店已整改完毕，欢迎监督检查。", "contact": format!("联系人{i} 1380000{i:04}")});
                client().post(url).json(&body).send().await.unwrap().status().as_u16()
            }
        })
        .collect();
    let statuses = join_all(posts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 17, "{statuses:?}");
    // One contact cannot hold more than three pending submissions across businesses either.
    let others = codes(&app, 8).await;
    let mut refused = None;
    for (i, c) in others.iter().skip(1).enumerate() {
        let body = serde_json::json!({"kind": "repair", "body": "申请信用修复，材料已备齐。", "contact": "同一人 13900000000"});
        let res = client().post(app.url(&format!("/api/v1/businesses/{c}/replies"))).json(&body).send().await.unwrap();
        if res.status() != 201 {
            refused = Some((i, json(res).await));
            break;
        }
    }
    let (i, body) = refused.expect("the contact cap");
    assert_eq!((i, body["error"]["field"].as_str()), (3, Some("contact")));
    let moderator = app.client_as("demo_moderator").await;
    let queue = moderator.get(app.url("/staff/replies")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("127.0.0.0/24"), "staff see the submitter's network");
    app.stop().await;
}

/// Finding 2: behind a trusted proxy that appends its own header line, forged first lines buy nothing.
async fn forged_forwarded_for_lines_buy_no_quota(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits = RateLimits { api_per_min: 2, ..RateLimits::default() };
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let res = client()
            .get(app.url("/api/v1/figures"))
            .header("x-forwarded-for", format!("10.{i}.{i}.{i}"))
            .header("x-forwarded-for", "203.0.113.50")
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429, 429]);
    // Only trusted hops in the chain: the proxy itself is the client (its quota, not a forged one).
    let res = client().get(app.url("/api/v1/figures")).header("x-forwarded-for", "127.0.0.1").send().await.unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

/// Finding 8: CSRF is checked before quotas, so a hostile page cannot spend an office's sign-in quota.
async fn cross_site_posts_spend_no_quota(engine: Backend) {
    let app =
        TestApp::start(engine, |c| c.rate_limits = RateLimits { login_per_min: 2, ..RateLimits::default() }).await;
    for _ in 0..5 {
        let res = client()
            .post(app.url("/staff/login"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("username", "demo_admin"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let res = client()
        .post(app.url("/staff/login"))
        .form(&[("username", "demo_admin"), ("password", backend::seed::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the office's own sign-in still works");
    app.stop().await;
}

/// Finding 6: a redirect built from `Referer` never leaves the site, even as `//host`.
async fn redirects_stay_on_this_site(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let host = app.base.trim_start_matches("http://").to_owned();
    for referer in
        [format!("http://{host}//evil.test/x"), "https://evil.test/".to_owned(), format!("http://{host}/credit?q=米粉")]
    {
        // A browser without JavaScript posting to a server function is redirected back to its Referer.
        let res = client()
            .post(app.url("/_sf/search_businesses"))
            .header("referer", &referer)
            .header("accept", "text/html")
            .form(&[("q", "米粉")])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{referer}: {}", res.status());
        let loc = header(res.headers(), "location");
        assert!(loc.starts_with('/') && !loc.starts_with("//") && !loc.starts_with("/\\"), "{referer} → {loc}");
    }
    app.stop().await;
}

/// Finding 9: pages showing contacts (every staff page) are `no-store`.
async fn staff_pages_are_never_stored(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let moderator = app.client_as("demo_moderator").await;
    for path in ["/staff", "/staff/replies", "/staff/businesses"] {
        let res = moderator.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(res.headers(), "cache-control"), "no-store", "{path}");
    }
    let res = client().get(app.url("/")).send().await.unwrap();
    assert_eq!(header(res.headers(), "cache-control"), "private, no-cache");
    app.stop().await;
}

/// Finding 10: bulk downloads are streamed with a stored ETag (an unchanged registry answers 304 without reading
/// a row) and spend their own small quota.
async fn bulk_downloads_have_their_own_quota(engine: Backend) {
    let app =
        TestApp::start(engine, |c| c.rate_limits = RateLimits { download_per_min: 3, ..RateLimits::default() }).await;
    let url = app.url("/api/v1/downloads/businesses.csv");
    let first = client().get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let tag = header(first.headers(), "etag").to_owned();
    assert!(tag.starts_with("\"registry-"), "{tag}");
    let second = client().get(&url).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(second.status(), 304, "unchanged: no rows read, nothing sent");
    // A change to the registry changes the tag.
    sqlx::query("UPDATE businesses SET name = name || '（新）' WHERE id = (SELECT MIN(id) FROM businesses)")
        .execute(app.db.state.store.pool())
        .await
        .unwrap();
    let changed = client().get(&url).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(header(changed.headers(), "etag"), tag);
    assert!(changed.text().await.unwrap().contains("（新）"));
    let third = client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap();
    assert_eq!(third.status(), 429);
    assert_eq!(header(third.headers(), "retry-after"), "20");
    // Other API reads are not affected.
    assert_eq!(client().get(app.url("/api/v1/figures")).send().await.unwrap().status(), 200);
    // Nor is readiness, which a load balancer polls.
    for _ in 0..20 {
        assert_eq!(client().get(app.url("/readyz")).send().await.unwrap().status(), 200);
    }
    app.stop().await;
}

/// Finding 12: bidi overrides and zero-width characters are refused; exported cells cannot be formulas.
async fn hidden_characters_and_formulas_are_neutralised(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let code = codes(&app, 1).await.remove(0);
    let res = client()
        .post(app.url(&format!("/api/v1/businesses/{code}/replies")))
        .json(&serde_json::json!({"kind": "reply", "body": "我店已整改\u{202E}完毕，欢迎监督。", "contact": "张先生 13800000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "body");
    let formula = code_in("91510703MA", 7777);
    let csv = format!(
        "credit_code,name,address,district,category\n{formula},=HYPERLINK(\"http://evil.test\"),@SUM(1),涪城区,餐饮\n"
    );
    let r = backend::credit::import::import_now(
        app.db.store(),
        &backend::staff::audit::Actor::cli(),
        csv.as_bytes(),
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(r.created, 1, "{:?}", r.errors);
    let export = client().get(app.url("/api/v1/downloads/businesses.csv")).send().await.unwrap().text().await.unwrap();
    let line = export.lines().find(|l| l.starts_with(&formula)).unwrap();
    assert!(line.contains("\"'=HYPERLINK(\"\"http://evil.test\"\")\"") && line.contains(",'@SUM(1),"), "{line}");
    // The export imports back unchanged.
    let again = backend::credit::import::import_now(
        app.db.store(),
        &backend::staff::audit::Actor::cli(),
        export.as_bytes(),
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "{:?}", again.errors.first());
    app.stop().await;
}

fn code_in(prefix: &str, n: u32) -> String {
    code(prefix, n)
}

/// Finding 14: `//staff/audit` and `/staff/audit/` are the same page with the same checks.
async fn odd_path_spellings_meet_the_same_checks(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    for path in ["//staff/audit", "/staff/audit/", "/staff//audit"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(header(res.headers(), "location"), "/staff/audit", "{path}");
    }
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.get(app.url("/staff/audit/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(viewer.get(app.url("/staff/audit")).send().await.unwrap().status(), 403);
    app.stop().await;
}

/// The flood suite's in-process part: 2,000 requests with a different forged `X-Forwarded-For` each, straight
/// to the app (no trusted proxy): one limiter key, a bounded map, and the quota still bites. (`bench/flood.sh`
/// does 10,000 and more from a load tool.)
async fn forged_forwarded_for_values_keep_one_limiter_key(engine: Backend) {
    let app = TestApp::start(engine, |c| c.rate_limits = RateLimits { api_per_min: 50, ..RateLimits::default() }).await;
    let before = app.shared.limiters.tracked_keys();
    let c = client();
    let mut refused = 0;
    for i in 0..2_000u32 {
        let forged = format!("{}.{}.{}.{}", 1 + i % 223, (i / 223) % 256, i % 256, 7);
        let res = c.get(app.url("/api/v1/figures")).header("x-forwarded-for", forged).send().await.unwrap();
        if res.status() == 429 {
            assert!(header(res.headers(), "retry-after").parse::<u64>().unwrap() >= 1);
            refused += 1;
        }
    }
    // 50 a minute refill at most a few while the test runs: the forged addresses bought nothing.
    assert!(refused >= 2_000 - 50 - 10, "only {refused} refused");
    assert!(app.shared.limiters.tracked_keys() <= before + 1, "{} keys", app.shared.limiters.tracked_keys());
    app.stop().await;
}

/// Finding 13: a connection that sends nothing is closed after the first-request limit, whatever protocol it
/// meant to speak (an HTTP/2 preface with no headers, or half an HTTP/1 request line).
#[tokio::test]
async fn silent_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start(Backend::Sqlite, |_| {}).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // HTTP/1's half request line is hyper's own header-read timeout; HTTP/2 has none, this is ours.
    for opening in [&b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..]] {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(opening).await.unwrap();
        let started = std::time::Instant::now();
        let mut buf = vec![0u8; 1024];
        // Read until the server closes (an HTTP/2 server may send its SETTINGS first).
        let closed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "{:?}: still open after 20 s", String::from_utf8_lossy(opening));
        assert!(started.elapsed() >= std::time::Duration::from_secs(9), "closed too early: {:?}", started.elapsed());
    }
    app.stop().await;
}

/// The API fuzzer's finding: `GET /api/v1/results?page=&per_page=` was answered 200 while the registry search
/// refused the same. Every list declares its query string as one typed struct: a number sent empty is a 400
/// naming it, wherever it is sent; absent, it takes its default.
async fn empty_numbers_in_query_strings_are_refused_naming_them(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let cases = [
        ("/api/v1/results?page=", "page"),
        ("/api/v1/results?page=&per_page=", "page"),
        ("/api/v1/results?per_page=", "per_page"),
        ("/api/v1/results?page=x", "page"),
        ("/api/v1/businesses?page=", "page"),
        ("/api/v1/businesses?per_page=", "per_page"),
        ("/api/v1/news?page=", "page"),
    ];
    for (path, field) in cases {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let body = json(res).await;
        assert_eq!(
            (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
            (Some("invalid_value"), Some(field)),
            "{path}"
        );
    }
    for path in [
        "/api/v1/results",
        "/api/v1/results?page=1&per_page=5&food=",
        "/api/v1/businesses?q=&page=1",
        "/api/v1/news?tag=",
    ] {
        assert_eq!(client().get(app.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path}");
    }
    app.stop().await;
}
