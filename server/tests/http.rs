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
