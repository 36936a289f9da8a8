//! Public writes that hold against abuse, over HTTP on SQLite and PostgreSQL: photo bombs refused from their
//! header with nothing stored, cases bounded per network, idempotency keys that belong to their client and their
//! content, answers that depend on a credential or on the `Host` never publicly cacheable (walked over the whole
//! route table), and receipts shown once.

use crate::common::*;
use backend::config::Bound;
use backend::images::sample_png;
use reqwest::multipart::{Form, Part};

on_both!(
    photo_bombs_are_refused_from_their_header_and_nothing_is_stored,
    cases_are_bounded_per_network,
    idempotency_keys_belong_to_their_client_and_their_content,
    credential_and_host_answers_are_never_publicly_cacheable,
    a_configured_public_origin_makes_qr_codes_cacheable_and_unforgeable,
    receipts_are_shown_once_and_drafts_are_bounded,
);

fn form(description: &str) -> Form {
    Form::new()
        .text("kind", "举报")
        .text("business_name", "某某烧烤店")
        .text("category", "卫生状况")
        .text("description", description.to_owned())
        .text("occurred_at", domain::clock::format_date(backend::clock::now() - 86_400))
        .text("place", "涪城区临园路")
}

fn part(bytes: Vec<u8>, name: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str("image/png").unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.state.store.pool()).await.unwrap()
}

/// An app that believes `X-Forwarded-For` from the test client, so each test can speak from several networks.
async fn app_behind_proxy(engine: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::start(engine, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.rate_limits.write_per_min = 10_000;
        tweak(c);
    })
    .await
}

async fn photo_bombs_are_refused_from_their_header_and_nothing_is_stored(engine: Backend) {
    // Generous bounds, so every bomb reaches the photo checks.
    let app = app_behind_proxy(engine, |c| c.network_bounds.cases = Bound::new(1_000, 1_000)).await;
    let bomb = backend::testing::bomb_png(6_300, 6_300);
    assert!(bomb.len() < 400_000, "{} bytes that decode to 317 MB", bomb.len());
    let free = app.shared.app.photos.free_mib();
    let before = (count(&app, "cases").await, count(&app, "case_photos").await);
    let decodes = app.shared.app.photos.decodes_started();
    let tasks: Vec<_> = (0..60)
        .map(|_| {
            let (url, bomb) = (app.url("/api/v1/complaints"), bomb.clone());
            tokio::spawn(async move {
                let f = form("后厨老鼠出没，餐具未消毒。")
                    .part("photos", part(bomb.clone(), "a.png"))
                    .part("photos", part(bomb.clone(), "b.png"))
                    .part("photos", part(bomb, "c.png"));
                let res =
                    client().post(url).header("x-forwarded-for", "198.51.100.7").multipart(f).send().await.unwrap();
                (res.status(), json(res).await)
            })
        })
        .collect();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
            (Some("invalid_value"), Some("photos"))
        );
    }
    assert_eq!((count(&app, "cases").await, count(&app, "case_photos").await), before, "nothing stored");
    assert_eq!(app.shared.app.photos.decodes_started(), decodes, "refused from the header: no bomb reached a decoder");
    assert_eq!(app.shared.app.photos.free_mib(), free, "the budget is whole again");
    // Text is checked before photos: a bad field with a bomb names the field, not the photo.
    let f = form("短").part("photos", part(bomb, "a.png"));
    let res = client().post(app.url("/api/v1/complaints")).multipart(f).send().await.unwrap();
    assert_eq!(json(res).await["error"]["field"], "description");
    // An ordinary photo still goes through.
    let f = form("后厨老鼠出没，餐具未消毒。").part("photos", part(sample_png(40, 30, [1, 2, 3]), "ok.png"));
    let res = client().post(app.url("/api/v1/complaints")).multipart(f).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}

async fn cases_are_bounded_per_network(engine: Backend) {
    let app = app_behind_proxy(engine, |c| c.network_bounds.cases = Bound::new(7, 9)).await;
    let file = |ip: &'static str, n: usize| {
        let url = app.url("/api/v1/complaints");
        tokio::spawn(async move {
            let res = client()
                .post(url)
                .header("x-forwarded-for", ip)
                .multipart(form(&format!("第{n}次：后厨老鼠出没，餐具未消毒。")))
                .send()
                .await
                .unwrap();
            (res.status(), res.headers().get("retry-after").is_some())
        })
    };
    let before = count(&app, "cases").await;
    // 40 at once from one /24 (two addresses in it): exactly the minute's bound is filed.
    let tasks: Vec<_> = (0..40).map(|n| file(if n % 2 == 0 { "198.51.100.7" } else { "198.51.100.200" }, n)).collect();
    let mut filed = 0;
    for t in tasks {
        match t.await.unwrap() {
            (StatusCode::CREATED, _) => filed += 1,
            (StatusCode::TOO_MANY_REQUESTS, retry) => assert!(retry, "429 carries Retry-After"),
            (other, _) => panic!("{other}"),
        }
    }
    assert_eq!(filed, 7);
    assert_eq!(count(&app, "cases").await, before + 7);
    // Another network is not held back by it.
    assert_eq!(file("203.0.113.5", 99).await.unwrap().0, StatusCode::CREATED);
    // The form post without JavaScript is bounded the same way and says so next to the form.
    let res = client()
        .post(app.url("/report"))
        .header("x-forwarded-for", "198.51.100.9")
        .header("accept", "text/html")
        .multipart(form("再来一次：后厨老鼠出没，餐具未消毒。"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(header(res.headers(), "location").contains("error=rate_limited"), "{:?}", res.headers());
    assert_eq!(count(&app, "cases").await, before + 8);
    app.stop().await;
}

async fn idempotency_keys_belong_to_their_client_and_their_content(engine: Backend) {
    // Replays spend the network's bound too (it is spent before the body is read): room for them.
    let app = app_behind_proxy(engine, |c| c.network_bounds.cases = Bound::new(100, 1_000)).await;
    let post = |ip: &str, description: &str| {
        client()
            .post(app.url("/api/v1/complaints"))
            .header("x-forwarded-for", ip)
            .multipart(
                form(description)
                    .text("idempotency_key", "k-1")
                    .part("photos", part(sample_png(8, 8, [9, 9, 9]), "p.png")),
            )
            .send()
    };
    let before = count(&app, "cases").await;
    let first = post("198.51.100.7", "后厨老鼠出没，餐具未消毒。").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json(first).await;
    // The same request again (a retry): the same receipt, one case.
    let again = json(post("198.51.100.7", "后厨老鼠出没，餐具未消毒。").await.unwrap()).await;
    assert_eq!(again, first);
    assert_eq!(count(&app, "cases").await, before + 1);
    // The same key with other content: 409, and nothing of the first case.
    let other = post("198.51.100.7", "另一件事：过期食品仍在销售。").await.unwrap();
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let body = other.text().await.unwrap();
    assert!(body.contains("idempotency_conflict"), "{body}");
    let (no, code) = (first["tracking_no"].as_str().unwrap(), first["access_code"].as_str().unwrap());
    assert!(!body.contains(no) && !body.contains(code), "{body}");
    // Another client that happens to use the same key (and even the same text) files its own case.
    let theirs = post("203.0.113.5", "后厨老鼠出没，餐具未消毒。").await.unwrap();
    assert_eq!(theirs.status(), StatusCode::CREATED);
    let theirs = json(theirs).await;
    assert_ne!(theirs["tracking_no"], first["tracking_no"]);
    assert_ne!(theirs["access_code"], first["access_code"]);
    assert_eq!(count(&app, "cases").await, before + 2);
    // Parallel replays of one new request file one case and all answer its receipt.
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let url = app.url("/api/v1/complaints");
            tokio::spawn(async move {
                let f = form("并发重试：后厨老鼠出没。").text("idempotency_key", "k-2");
                json(client().post(url).header("x-forwarded-for", "192.0.2.1").multipart(f).send().await.unwrap()).await
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap()["tracking_no"].clone());
    }
    receipts.dedup();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert_eq!(count(&app, "cases").await, before + 3);
    app.stop().await;
}

/// A path of the route table with its parameters filled in.
fn fill(path: &str, code: &str, tracking_no: &str) -> String {
    path.replace("{credit_code}", code)
        .replace("{code}", code)
        .replace("{tracking_no}", tracking_no)
        .replace("{id}", "1")
        .replace("{photo}", "1")
}

async fn credential_and_host_answers_are_never_publicly_cacheable(engine: Backend) {
    use domain::route::Authority;
    let app = TestApp::start(engine, |_| {}).await;
    let code: String = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id LIMIT 1")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    let receipt = json(
        client()
            .post(app.url("/api/v1/complaints"))
            .multipart(form("后厨老鼠出没，餐具未消毒。"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (no, access) = (receipt["tracking_no"].as_str().unwrap(), receipt["access_code"].as_str().unwrap());
    let table = server::startup::route_table().unwrap();
    let mut walked = 0;
    for route in table.iter().filter(|r| r.method == http::Method::GET && r.facts.role.is_none()) {
        let url = app.url(&fill(route.path, &code, no));
        // Everything a credential could be, and a forged Host.
        let res = client()
            .get(&url)
            .header("host", "evil.example")
            .header("x-access-code", access)
            .header("cookie", format!("portal_voter=x.y; portal_track={no}:{access}"))
            .send()
            .await
            .unwrap();
        let cc = header(res.headers(), "cache-control").to_owned();
        let sets_cookie = res.headers().contains_key("set-cookie");
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        // The same without any credential: an answer that changes with them depends on them.
        let bare = client().get(&url).send().await.unwrap();
        let bare_status = bare.status();
        let bare_body = bare.text().await.unwrap_or_default();
        if status != bare_status || (body.contains(no) && !bare_body.contains(no)) {
            assert_eq!(
                route.facts.authority,
                Authority::Credential,
                "{} depends on a credential: declare it",
                route.path
            );
        }
        let public = cc.contains("public");
        match route.facts.authority {
            Authority::Credential => {
                assert!(cc.contains("no-store") && cc.contains("private"), "{} {status}: {cc}", route.path)
            }
            Authority::Host => assert!(!public, "{} {status}: {cc}", route.path),
            Authority::Public => {}
        }
        if body.contains("evil.example") {
            assert_eq!(route.facts.authority, Authority::Host, "{} builds from the Host: declare it", route.path);
        }
        if body.contains(access) {
            assert_eq!(
                route.facts.authority,
                Authority::Credential,
                "{} shows a credential's answer: declare it",
                route.path
            );
        }
        assert!(!(public && sets_cookie), "{} sets a cookie in a public answer", route.path);
        walked += 1;
    }
    assert!(walked >= 30, "{walked} routes walked");
    // The tracking answer itself: 200 with the code, never public; the QR code follows the forged Host but is
    // not kept by anyone else.
    let res = client()
        .get(app.url(&format!("/api/v1/complaints/{no}")))
        .header("x-access-code", access)
        .send()
        .await
        .unwrap();
    assert_eq!((res.status(), header(res.headers(), "cache-control")), (StatusCode::OK, "private, no-store"));
    let res =
        client().get(app.url(&format!("/credit/{code}/qr.svg"))).header("host", "evil.example").send().await.unwrap();
    assert_eq!(header(res.headers(), "cache-control"), "private, no-cache");
    app.stop().await;
}

async fn a_configured_public_origin_makes_qr_codes_cacheable_and_unforgeable(engine: Backend) {
    let app = TestApp::start(engine, |c| c.public_url = Some("https://sa.example.cn".into())).await;
    let code: String = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id LIMIT 1")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    let feed = client().get(app.url("/news/feed.xml")).header("host", "evil.example").send().await.unwrap();
    assert!(!header(feed.headers(), "cache-control").contains("private"));
    let feed = feed.text().await.unwrap();
    assert!(feed.contains("https://sa.example.cn/news") && !feed.contains("evil.example"), "{feed}");
    let qr =
        client().get(app.url(&format!("/credit/{code}/qr.svg"))).header("host", "evil.example").send().await.unwrap();
    assert!(header(qr.headers(), "cache-control").contains("public"));
    app.stop().await;
}

async fn receipts_are_shown_once_and_drafts_are_bounded(engine: Backend) {
    let app = app_behind_proxy(engine, |c| c.network_bounds.drafts = Bound::new(2, 2)).await;
    let html = |f: Form, ip: &'static str| {
        client()
            .post(app.url("/report"))
            .header("x-forwarded-for", ip)
            .header("accept", "text/html")
            .multipart(f)
            .send()
    };
    let drafts_before = count(&app, "case_drafts").await;
    let res = html(form("后厨老鼠出没，餐具未消毒。"), "198.51.100.7").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let receipt_url = header(res.headers(), "location").to_owned();
    assert!(receipt_url.starts_with("/report/receipt/"), "{receipt_url}");
    let first = client().get(app.url(&receipt_url)).send().await.unwrap();
    assert_eq!(header(first.headers(), "cache-control"), "private, no-store");
    let first = first.text().await.unwrap();
    let no: String = sqlx::query_scalar("SELECT tracking_no FROM cases ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    assert!(first.contains(&no), "the receipt shows the number");
    let second = client().get(app.url(&receipt_url)).send().await.unwrap().text().await.unwrap();
    assert!(!second.contains(&no), "shown once");
    // Failed posts keep what was typed while the network's draft bound lasts, then only the message.
    let mut kept = 0;
    for _ in 0..4 {
        let res = html(form("短"), "203.0.113.5").await.unwrap();
        let location = header(res.headers(), "location").to_owned();
        assert!(location.contains("field=description"), "{location}");
        if location.contains("draft=") {
            kept += 1;
            let page = client().get(app.url(&location)).send().await.unwrap();
            assert_eq!(header(page.headers(), "cache-control"), "private, no-store");
        }
    }
    assert_eq!(kept, 2);
    // A stuffed post is not kept at all.
    let stuffed = form(&"长".repeat(30_000)).text("place", "x".repeat(60_000));
    let res = html(stuffed, "192.0.2.1").await.unwrap();
    assert!(!header(res.headers(), "location").contains("draft="));
    assert_eq!(count(&app, "case_drafts").await, drafts_before + 2);
    app.stop().await;
}
