#![allow(clippy::unwrap_used, reason = "tests and benches report failures by panicking")]
//! HTTP tests: the real app (real database, real middleware) on port 0, driven with reqwest.

use backend::config::{Config, RateLimits};
use backend::testing::{Backend, TestDb};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, StatusCode};
use serde_json::Value;

struct TestApp {
    base: String,
    db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::with_config(backend, tweak).await;
        backend::seed::demo_with(&db.state, 300).await.expect("seed");
        let config = (*db.state.config).clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::build(config, listener).await.expect("build app");
        let base = format!("http://{}", running.local_addr());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(running.serve(async move {
            let _ = rx.await;
        }));
        TestApp { base, db, shutdown: Some(tx), task }
    }

    async fn default() -> TestApp {
        Self::start(Backend::Sqlite, |_| {}).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(15), &mut self.task).await;
        self.db.cleanup().await;
    }

    /// Signs in with a demo account; returns a client holding the session cookie.
    async fn client_as(&self, username: &str) -> Client {
        let c = client_with_cookies();
        let res = c
            .post(self.url("/staff/login"))
            .form(&[("username", username), ("password", backend::seed::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login as {username}");
        c
    }
}

fn client() -> Client {
    Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

fn client_with_cookies() -> Client {
    Client::builder().redirect(redirect::Policy::none()).cookie_store(true).build().unwrap()
}

async fn json(res: reqwest::Response) -> Value {
    res.json().await.expect("JSON body")
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::default().await;
    let res = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "ready");
    app.stop().await;
}

#[tokio::test]
async fn home_page_shows_figures_with_security_headers() {
    let app = TestApp::default().await;
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
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce in CSP").to_owned();
        let body = res.text().await.unwrap();
        assert!(body.contains("<html lang=\"zh-CN\""), "Chinese first");
        assert!(body.contains("43,993") && body.contains("49,895") && body.contains("99.7%"), "figures from the database");
        assert!(body.contains("食安绵阳"));
        assert!(body.contains(&format!("nonce=\"{nonce}\"")), "scripts carry this response's nonce");
        assert!(!body.contains(server::http::headers::NONCE_MARKER), "marker never leaks");
    }
    // Each response gets its own nonce, cached or not.
    let a = client().get(app.url("/")).send().await.unwrap();
    let b = client().get(app.url("/")).send().await.unwrap();
    assert_ne!(header(a.headers(), "content-security-policy"), header(b.headers(), "content-security-policy"));
    app.stop().await;
}

#[tokio::test]
async fn english_version_is_remembered() {
    let app = TestApp::default().await;
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

#[tokio::test]
async fn not_found_is_html_for_pages_and_json_for_the_api() {
    let app = TestApp::default().await;
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

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let app = TestApp::start(Backend::Sqlite, |c| c.max_body_bytes = 4096).await;
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

#[tokio::test]
async fn page_reads_are_rate_limited_with_retry_after() {
    let app = TestApp::start(Backend::Sqlite, |c| {
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
    let retry: u64 = header(res.headers(), "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(header(res.headers(), "ratelimit-remaining"), "0");
    let body = json(res).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // Health checks and the API have their own budgets.
    assert_eq!(client().get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client().get(app.url("/api/v1/figures")).send().await.unwrap().status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn forwarded_for_is_ignored_from_untrusted_peers() {
    let app = TestApp::start(Backend::Sqlite, |c| {
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
    let app = TestApp::start(Backend::Sqlite, |c| {
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

#[tokio::test]
async fn staff_login_success_and_session_cookie() {
    let app = TestApp::default().await;
    // A browser form post: 303 to the console, with a hardened session cookie.
    let res = client()
        .post(app.url("/staff/login"))
        .header(ACCEPT, "text/html")
        .form(&[("username", "demo_admin"), ("password", backend::seed::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), "/staff");
    let cookie = header(res.headers(), "set-cookie").to_owned();
    assert!(cookie.starts_with("portal_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let res = client().get(app.url("/staff")).header("cookie", &session).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("demo_admin") && body.contains("管理员"), "console shows who is signed in");
    assert_ne!(res_cache_hit(&app, &session).await, "hit", "signed-in pages are never served from the cache");
    // Sign out ends the session.
    let res = client().post(app.url("/staff/logout")).header("cookie", &session).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = client().get(app.url("/staff")).header("cookie", &session).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

async fn res_cache_hit(app: &TestApp, session: &str) -> String {
    let res = client().get(app.url("/")).header("cookie", session).send().await.unwrap();
    header(res.headers(), "x-page-cache").to_owned()
}

#[tokio::test]
async fn wrong_passwords_look_the_same_and_are_throttled() {
    let app = TestApp::default().await;
    let attempt = |user: &'static str| {
        client().post(app.url("/staff/login")).form(&[("username", user), ("password", "wrong-password")]).send()
    };
    let a = attempt("demo_admin").await.unwrap();
    let b = attempt("no_such_user").await.unwrap();
    assert_eq!(a.status(), 401);
    assert_eq!(b.status(), 401);
    assert!(a.headers().get(SET_COOKIE).is_none());
    assert_eq!(json(a).await, json(b).await, "same answer whether the user exists or not");
    // A browser is sent back to the form with the message.
    let res = client()
        .post(app.url("/staff/login"))
        .header(ACCEPT, "text/html")
        .form(&[("username", "demo_admin"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), LOCATION.as_str()), "/staff/login?error=invalid_credentials");
    let page = client().get(app.url("/staff/login?error=invalid_credentials")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("用户名或密码错误"));
    // Per-username throttling: 5 failures in the window, then even the right password waits.
    for _ in 0..3 {
        attempt("demo_admin").await.unwrap();
    }
    let res = client()
        .post(app.url("/staff/login"))
        .form(&[("username", "demo_admin"), ("password", backend::seed::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(header(res.headers(), "retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(json(res).await["error"]["code"], "login_throttled");
    app.stop().await;
}

#[tokio::test]
async fn login_attempts_are_limited_per_ip() {
    let app = TestApp::start(Backend::Sqlite, |c| {
        c.rate_limits = RateLimits { login_per_min: 2, ..RateLimits::default() };
    })
    .await;
    for (i, user) in ["a_user", "b_user"].iter().enumerate() {
        let res = client().post(app.url("/staff/login")).form(&[("username", *user), ("password", "x")]).send();
        assert_eq!(res.await.unwrap().status(), 401, "attempt {i}");
    }
    let res = client().post(app.url("/staff/login")).form(&[("username", "c_user"), ("password", "x")]).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(json(res).await["error"]["code"], "rate_limited");
    app.stop().await;
}

#[tokio::test]
async fn anonymous_users_are_refused_every_staff_route() {
    let app = TestApp::default().await;
    for path in ["/staff", "/staff/audit", "/staff/anything"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(header(res.headers(), "location"), "/staff/login");
    }
    for path in ["/staff/figures", "/staff/logout"] {
        let res = client().post(app.url(path)).form(&[("x", "1")]).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert_eq!(json(res).await["error"]["code"], "unauthorized");
    }
    // Server functions check on their own: they are reachable without the page.
    let res = client().post(app.url("/_sf/audit_log")).form(&[("before", "")]).send().await.unwrap();
    assert_eq!(res.status(), 401);
    // The sign-in form itself is open.
    assert_eq!(client().get(app.url("/staff/login")).send().await.unwrap().status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn roles_are_enforced_and_actions_audited() {
    let app = TestApp::default().await;
    let form = [
        ("businesses", "44001"),
        ("pass_rate", "99.8"),
        ("batches_sampled", "50000"),
        ("cases_investigated", "3000"),
        ("volunteers", "5200"),
    ];
    // A viewer may read the console but not change figures or read the audit log.
    let viewer = app.client_as("demo_viewer").await;
    assert_eq!(viewer.get(app.url("/staff")).send().await.unwrap().status(), 200);
    let res = viewer.post(app.url("/staff/figures")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(json(res).await["error"]["code"], "forbidden");
    assert_eq!(viewer.get(app.url("/staff/audit")).send().await.unwrap().status(), 403);
    let res = viewer.post(app.url("/_sf/audit_log")).form(&[("before", "")]).send().await.unwrap();
    assert_eq!(res.status(), 403, "server function checks the role itself");

    // A moderator may; bad input names the field and changes nothing.
    let moderator = app.client_as("demo_moderator").await;
    let mut bad = form;
    bad[1] = ("pass_rate", "123");
    let res = moderator.post(app.url("/staff/figures")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "pass_rate");
    let _ = client().get(app.url("/")).send().await.unwrap(); // warm the page cache
    let res = moderator.post(app.url("/staff/figures")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let home = client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("44,001") && home.contains("99.8%"), "home shows the new figures at once");

    // The admin sees every action in the audit log.
    let admin = app.client_as("demo_admin").await;
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    for action in ["figures.update", "staff.login", "staff.create"] {
        assert!(log.contains(action), "{action} in audit log");
    }
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::default().await;
    let creds = [("username", "demo_admin"), ("password", backend::seed::DEMO_PASSWORD)];
    let res = client()
        .post(app.url("/staff/login"))
        .header("origin", "http://evil.test")
        .form(&creds)
        .send()
        .await
        .unwrap();
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

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = TestApp::default().await;
    let doc = json(client().get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/readyz", "/api/v1/figures"] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    let page = client().get(app.url("/api/v1/docs")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/api/v1/figures"));
    let figures = json(client().get(app.url("/api/v1/figures")).send().await.unwrap()).await;
    assert_eq!(figures["businesses"], 43_993);
    app.stop().await;
}

#[tokio::test]
async fn the_app_runs_on_postgres_too() {
    let app = TestApp::start(Backend::Postgres, |_| {}).await;
    let res = client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("43,993"));
    let admin = app.client_as("demo_admin").await;
    assert_eq!(admin.get(app.url("/staff/audit")).send().await.unwrap().status(), 200);
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

#[tokio::test]
async fn business_api_search_detail_and_errors() {
    let app = TestApp::default().await;
    // Search: the list shape outside clients rely on.
    let res = client().get(app.url("/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=5")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let etag = header(res.headers(), "etag").to_owned();
    assert!(etag.starts_with('"'), "ETag on API reads");
    let page = json(res).await;
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 5);
    assert!(page["total"].as_i64().unwrap() > 0);
    let first = &page["items"][0];
    assert!(first["name"].as_str().unwrap().contains("米粉"));
    let code = first["credit_code"].as_str().unwrap().to_owned();
    // Conditional GET.
    let res = client()
        .get(app.url("/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=5"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    // One business, with the record behind its grade.
    let res = client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let d = json(res).await;
    assert_eq!(d["credit_code"], code.as_str());
    assert!(["A", "B", "C", "D"].contains(&d["grade"].as_str().unwrap()));
    assert!(d["events"].is_array() && d["history"].is_array());
    // An invalid code is a 400 naming the field, not a 404.
    for bad in ["123", "91510703MA0000001X", "%27%3B--"] {
        let res = client().get(app.url(&format!("/api/v1/businesses/{bad}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let body = json(res).await;
        assert_eq!(body["error"]["code"], "invalid_credit_code");
        assert_eq!(body["error"]["field"], "credit_code");
    }
    // A valid code nobody has is a 404.
    let body = "91510703MA0000099";
    let valid = format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap());
    let res = client().get(app.url(&format!("/api/v1/businesses/{valid}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // Bad parameters.
    for (qs, field) in [("per_page=1000", "per_page"), ("q=%25", "q"), ("grade=E", "grade"), ("district=%E5%8C%97%E4%BA%AC", "district")] {
        let res = client().get(app.url(&format!("/api/v1/businesses?{qs}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "{qs}");
        assert_eq!(json(res).await["error"]["field"], field, "{qs}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bulk_downloads_badge_and_qr() {
    let app = TestApp::default().await;
    let res = client().get(app.url("/api/v1/downloads/businesses.csv")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(res.headers(), "content-type").starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().contains("credit_code,licence_no,name"));
    assert_eq!(lines.count(), 300);
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[0]["credit_code"].as_str().unwrap().to_owned();
    assert_eq!(all.as_array().unwrap().len(), 300);
    let res = client().get(app.url(&format!("/credit/{code}/badge.svg"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(res.headers(), "content-type"), "image/svg+xml");
    assert_eq!(header(res.headers(), "cross-origin-resource-policy"), "cross-origin");
    assert!(res.text().await.unwrap().contains("信用"));
    let res = client().get(app.url(&format!("/credit/{code}/qr.svg"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().starts_with("<?xml"));
    // The page itself, rendered on the server.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&code) && html.contains("信用记录"));
    let res = client().get(app.url("/credit/NOT-A-CODE")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn csv_import_reports_rows_and_is_idempotent() {
    let app = TestApp::default().await;
    let code = |n: u32| {
        let body = format!("91510781MA{n:07}");
        format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap())
    };
    let csv = format!(
        "credit_code,name,address,district,category,licence_no\n\
         {},江油白酒厂,四川省绵阳市江油市中坝镇1号,江油市,生产,SC15107810000011\n\
         {},太白面馆,四川省绵阳市江油市太白路2号,江油市,餐饮,\n\
         BADCODE,坏数据,地址,江油市,餐饮,\n\
         {},无区县,地址,北京市,餐饮,\n\
         {},重复一,地址,江油市,餐饮,\n\
         {},重复二,地址,江油市,餐饮,\n",
        code(1),
        code(2),
        code(3),
        code(4),
        code(4)
    );
    let actor = backend::audit::Actor::cli();
    let r = server::import::import_businesses(app.db.store(), &actor, csv.as_bytes(), |_, _| {}).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));
    let lines: Vec<(u64, &str)> = r.errors.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(lines, [(4, "credit_code"), (5, "district"), (6, "credit_code"), (7, "credit_code")]);
    let again = server::import::import_businesses(app.db.store(), &actor, csv.as_bytes(), |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "re-running changes nothing");
    // Missing columns: refused whole.
    let err = server::import::import_businesses(app.db.store(), &actor, b"credit_code,name\n", |_, _| {}).await;
    assert!(err.unwrap_err().to_string().contains("address"));
    // Bad encoding is a row error, not a crash.
    let mut bad = b"credit_code,name,address,district,category\n".to_vec();
    bad.extend_from_slice(format!("{},", code(9)).as_bytes());
    bad.extend_from_slice(&[0xB4, 0xED, 0xCE, 0xF3]);
    bad.extend_from_slice(",地址,江油市,餐饮\n".as_bytes());
    let r = server::import::import_businesses(app.db.store(), &actor, &bad, |_, _| {}).await.unwrap();
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].1, "name");
    app.stop().await;
}

#[tokio::test]
async fn right_to_reply_is_moderated_then_published() {
    let app = TestApp::default().await;
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[3]["credit_code"].as_str().unwrap().to_owned();
    let reply = "我店已于上月完成后厨整改，欢迎监督。";
    // Validation names the field.
    let res = client()
        .post(app.url(&format!("/credit/{code}/reply")))
        .form(&[("kind", "reply"), ("body", "太短"), ("contact", "张先生 13800000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "body");
    let res = client()
        .post(app.url(&format!("/credit/{code}/reply")))
        .form(&[("kind", "reply"), ("body", reply), ("contact", "张先生 13800000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = json(res).await["id"].as_i64().unwrap();
    // Not public before review; the contact never is.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(reply));
    // Viewers cannot moderate; moderators can.
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "approve")]).send();
    assert_eq!(res.await.unwrap().status(), 403);
    let moderator = app.client_as("demo_moderator").await;
    let queue = moderator.get(app.url("/staff/replies")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains(reply) && queue.contains("13800000000"), "staff see the text and the contact");
    let res = moderator.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "approve")]).send();
    assert_eq!(res.await.unwrap().status(), 200);
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(reply) && page.contains("商户自述"), "published as the business's own words");
    assert!(!page.contains("13800000000"), "the contact is never public");
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert_eq!(detail["replies"][0]["body"], reply);
    assert!(detail["replies"][0]["contact"].is_null());
    // Deciding twice is a 404 (nothing pending).
    let res = moderator.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "reject")]).send();
    assert_eq!(res.await.unwrap().status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn staff_edit_businesses_and_record_events() {
    let app = TestApp::default().await;
    let body = "91510704MA0000777";
    let code = format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap());
    let form = |name: &'static str| {
        vec![
            ("credit_code", code.clone()),
            ("name", name.to_owned()),
            ("address", "四川省绵阳市游仙区东街9号".to_owned()),
            ("district", "游仙区".to_owned()),
            ("category", "餐饮".to_owned()),
            ("licence_no", "JY25107040009999".to_owned()),
        ]
    };
    let viewer = app.client_as("demo_viewer").await;
    assert_eq!(viewer.post(app.url("/staff/businesses")).form(&form("仙海鱼庄")).send().await.unwrap().status(), 403);
    assert_eq!(viewer.get(app.url("/staff/businesses")).send().await.unwrap().status(), 403);
    let moderator = app.client_as("demo_moderator").await;
    let res = moderator.post(app.url("/staff/businesses")).form(&form("仙海鱼庄")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = moderator.post(app.url("/staff/businesses")).form(&form("仙海鱼庄（东街店）")).send().await.unwrap();
    assert_eq!(json(res).await["outcome"], "updated");
    let mut bad = form("x");
    bad[0].1 = "91510704MA0000777Q".into();
    let res = moderator.post(app.url("/staff/businesses")).form(&bad).send().await.unwrap();
    assert_eq!(json(res).await["error"]["code"], "invalid_credit_code");
    let res = moderator
        .post(app.url("/staff/events"))
        .form(&[
            ("credit_code", code.as_str()),
            ("kind", "sampling_failure"),
            ("severity", "major"),
            ("occurred_at", &domain::clock::format_date(backend::clock::now())),
            ("source", "2026年第40期抽检通告"),
            ("description", "鱼肉检出孔雀石绿"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let d = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert_eq!(d["name"], "仙海鱼庄（东街店）");
    assert_eq!((d["score"].as_i64().unwrap(), d["grade"].as_str().unwrap()), (80, "B"));
    assert_eq!(d["events"][0]["points"], -20);
    assert_eq!(d["events"][0]["source"], "2026年第40期抽检通告");
    let admin = app.client_as("demo_admin").await;
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("business.create") && log.contains("business.update") && log.contains("credit.event_add"));
    // CSV upload from the console.
    let csv = format!("credit_code,name,address,district,category\n{code},仙海鱼庄,四川省绵阳市游仙区东街9号,游仙区,餐饮\nBAD,x,y,游仙区,餐饮\n");
    let part = reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("registry.csv");
    let res = moderator
        .post(app.url("/staff/businesses/import"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report = json(res).await;
    assert_eq!(report["updated"], 1);
    assert_eq!(report["errors"][0]["line"], 3);
    app.stop().await;
}

#[tokio::test]
async fn json_api_errors_name_the_problem() {
    let app = TestApp::default().await;
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[5]["credit_code"].as_str().unwrap().to_owned();
    let licence = all[5]["licence_no"].as_str().unwrap().to_owned();
    let url = app.url(&format!("/api/v1/businesses/{code}/replies"));
    // Malformed JSON.
    let res = client().post(&url).header(CONTENT_TYPE, "application/json").body("{\"kind\": ").send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["code"], "invalid_json");
    // Wrong content type.
    let res = client().post(&url).header(CONTENT_TYPE, "text/plain").body("hello").send().await.unwrap();
    assert_eq!(res.status(), 415);
    // Missing field, named.
    let res = client().post(&url).json(&serde_json::json!({"kind": "reply", "body": "一二三四五六七八九十"})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "contact");
    // Wrong type, named.
    let res = client().post(&url).json(&serde_json::json!({"kind": 3, "body": "x", "contact": "y"})).send().await.unwrap();
    assert_eq!(json(res).await["error"]["field"], "kind");
    // A good one, then the per-business cap on pending submissions.
    let ok = serde_json::json!({"kind": "repair", "body": "已整改完毕，申请信用修复。", "contact": "李女士 13900000000"});
    for _ in 0..backend::replies::MAX_PENDING_PER_BUSINESS {
        assert_eq!(client().post(&url).json(&ok).send().await.unwrap().status(), 201);
    }
    assert_eq!(client().post(&url).json(&ok).send().await.unwrap().status(), 409);
    // Exact licence lookup through the search.
    let res = client().get(app.url(&format!("/api/v1/businesses?q={licence}"))).send().await.unwrap();
    let page = json(res).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["credit_code"], code.as_str());
    app.stop().await;
}
