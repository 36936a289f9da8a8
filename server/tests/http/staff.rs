//! HTTP tests of staff sign-in, sessions, throttling, roles and the audit trail: the real app (real database, real middleware) on port 0,
//! driven with reqwest, each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::testing::Backend;

on_both!(
    every_declared_role_is_enforced,
    staff_login_success_and_session_cookie,
    wrong_passwords_look_the_same_and_are_throttled,
    login_attempts_are_limited_per_ip,
    anonymous_users_are_refused_every_staff_route,
    roles_are_enforced_and_actions_audited,
);

async fn staff_login_success_and_session_cookie(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
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
    // Prime the cache with an anonymous view, then check a signed-in view still bypasses it.
    client().get(app.url("/")).send().await.unwrap();
    assert_eq!(header(client().get(app.url("/")).send().await.unwrap().headers(), "x-page-cache"), "hit");
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

async fn wrong_passwords_look_the_same_and_are_throttled(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
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
    // The window is 15 minutes from the first failure: the wait is just under 900 s.
    let wait: u64 = header(res.headers(), "retry-after").parse().unwrap();
    assert!((880..=900).contains(&wait), "Retry-After {wait}");
    assert_eq!(json(res).await["error"]["code"], "login_throttled");
    app.stop().await;
}

async fn login_attempts_are_limited_per_ip(engine: Backend) {
    let app = TestApp::start(engine, |c| {
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

async fn anonymous_users_are_refused_every_staff_route(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    for path in ["/staff", "/staff/audit"] {
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

async fn roles_are_enforced_and_actions_audited(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
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

/// The authorisation matrix, generated from the declared route facts: every route that needs a role is refused
/// to anonymous visitors and, above viewer, to a viewer; every `/staff` route but the sign-in form declares a
/// role. A route added without facts cannot exist (`Routes` takes them); a page route without facts stops the
/// server from starting.
async fn every_declared_role_is_enforced(engine: Backend) {
    // Two requests per staff route from one address: more writes than a minute's per-client quota allows.
    let app = TestApp::start(engine, |c| c.rate_limits.write_per_min = 10_000).await;
    let viewer = app.client_as("demo_viewer").await;
    let table = server::startup::route_table().unwrap();
    let mut checked = 0;
    for r in &table {
        if r.path.starts_with("/staff") && r.path != app::staff::SIGN_IN {
            assert!(r.facts.role.is_some(), "{} {} declares no role", r.method, r.path);
        }
        let Some(role) = r.facts.role else { continue };
        let path = r.path.replace("{id}", "1").replace("{code}", &code("91510703MA", 1));
        let send = |c: &Client| c.request(r.method.clone(), app.url(&path)).form(&[("x", "1")]).send();
        let res = send(&client()).await.unwrap();
        if r.method == reqwest::Method::GET {
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "anonymous GET {path}");
            assert_eq!(header(res.headers(), "location"), app::staff::SIGN_IN);
        } else {
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "anonymous {} {path}", r.method);
        }
        // Signing out ends the session: that route gets a viewer of its own.
        let signing_out = r.path.ends_with("/logout");
        let own = if signing_out { app.client_as("demo_viewer").await } else { viewer.clone() };
        let res = send(&own).await.unwrap();
        if role > domain::staff::Role::Viewer {
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "viewer {} {path}", r.method);
        } else {
            assert!(![401, 403].contains(&res.status().as_u16()), "viewer {} {path}: {}", r.method, res.status());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} staff routes found");
    // 核查处置 (issue 20): the batch's page and its step form are moderators' only.
    for (method, path) in
        [(reqwest::Method::GET, "/staff/results/{id}"), (reqwest::Method::POST, "/staff/results/{id}/disposal")]
    {
        let declared = table.iter().find(|r| r.method == method && r.path == path).map(|r| r.facts.role);
        assert_eq!(declared, Some(Some(domain::staff::Role::Moderator)), "{method} {path}");
    }
    // The objection queue and its decisions are moderators' (#20): in the table, with that role, so checked above.
    for (method, path) in [("GET", "/staff/objections"), ("POST", "/staff/objections/{id}/decide")] {
        let found = table.iter().find(|r| r.method.as_str() == method && r.path == path);
        assert_eq!(found.and_then(|r| r.facts.role), Some(domain::staff::Role::Moderator), "{method} {path}");
    }
    app.stop().await;
}
