//! The brand site over HTTP, on SQLite and on PostgreSQL: news written by staff (multipart, hostile Markdown
//! rendered harmless, scheduled articles hidden until their time, the Atom feed), live statistics, large-text
//! mode remembered and cached apart, the `/api` page, the poster's QR code.

use crate::common::*;
use reqwest::multipart::Form;

on_both!(
    staff_write_news_and_the_public_sees_it_safely,
    scheduled_articles_stay_hidden_in_pages_api_and_feed,
    statistics_are_counted_from_the_data,
    large_text_mode_is_remembered_and_cached_apart,
    api_page_and_poster,
    concurrent_article_saves,
    article_uploads_are_read_within_their_caps,
);

fn article(title: &str, body: &str, publish_at: &str) -> Form {
    Form::new()
        .text("title", title.to_owned())
        .text("summary", "摘要")
        .text("body", body.to_owned())
        .text("tags", "科普")
        .text("tags", "抽检公告")
        .text("status", "publish")
        .text("publish_at", publish_at.to_owned())
}

async fn staff_write_news_and_the_public_sees_it_safely(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let hostile = "# 小标题\n\n<script>alert('x')</script><iframe src=\"https://evil.test\"></iframe>\n\n\
                   [点我](javascript:alert(1)) <img src=x onerror=alert(1)> **安全提示**";
    let res =
        staff.post(app.url("/staff/news")).multipart(article("冬季食品安全提示", hostile, "")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json(res).await["id"].as_i64().unwrap();
    let page = client().get(app.url(&format!("/news/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>冬季食品安全提示</h1>") && html.contains("<strong>安全提示</strong>"), "{html}");
    assert!(html.contains("<h2>小标题</h2>"), "headings move one level down");
    let lower = html.to_lowercase();
    for bad in ["alert(", "<iframe", "javascript:", "onerror"] {
        assert!(!lower.contains(bad), "{bad} survived");
    }
    // Both tags were kept from the repeated checkbox field.
    let api = json(client().get(app.url(&format!("/api/v1/news/{id}"))).send().await.unwrap()).await;
    assert_eq!(api["tags"], serde_json::json!(["科普", "抽检公告"]));
    assert!(!api["body_html"].as_str().unwrap().contains("<script"));
    // A browser is sent to the edit page; bad fields come back named, nothing is stored.
    let res = staff
        .post(app.url(&format!("/staff/news/{id}")))
        .header(ACCEPT, "text/html")
        .multipart(article("", "正文", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/staff/news/{id}?error=required&field=title"));
    for (form, field) in [
        (article("标题", "正文", "明天"), "publish_at"),
        (article("标题", &"长".repeat(50_001), ""), "body"),
        (article("标题", "正文", "").text("tags", "八卦"), "tags"),
        (
            article("标题", "正文", "")
                .part("cover", reqwest::multipart::Part::bytes(b"%PDF-1.4 not an image".to_vec()).file_name("c.jpg")),
            "cover",
        ),
    ] {
        let res = staff.post(app.url("/staff/news")).multipart(form).send().await.unwrap();
        assert!(res.status().is_client_error(), "{field}: {}", res.status());
        assert_eq!(json(res).await["error"]["field"], field);
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_articles WHERE title = '标题'")
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Anonymous visitors and viewers may not write.
    let res = client().post(app.url("/staff/news")).multipart(article("x", "y", "")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.post(app.url("/staff/news")).multipart(article("x", "y", "")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The staff list shows it; the audit log has the save.
    let list = staff.get(app.url("/staff/news")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("冬季食品安全提示"));
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'news.create' AND actor = 'demo_moderator'")
            .fetch_one(app.db.store().pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
    app.stop().await;
}

async fn scheduled_articles_stay_hidden_in_pages_api_and_feed(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let at = backend::clock::now() + 3;
    // To the second (the form's minute precision would round it into the past).
    let soon = format!("{}:{:02}", domain::clock::format_datetime_local(at), at % 60);
    let res =
        staff.post(app.url("/staff/news")).multipart(article("三秒后发布的公告", "内容", &soon)).send().await.unwrap();
    let id = json(res).await["id"].as_i64().unwrap();
    let visible = || async {
        let page = client().get(app.url(&format!("/news/{id}"))).send().await.unwrap().status();
        let api = client().get(app.url(&format!("/api/v1/news/{id}"))).send().await.unwrap().status();
        let list = client().get(app.url("/news?page=1")).send().await.unwrap().text().await.unwrap();
        let feed = client().get(app.url("/news/feed.xml")).send().await.unwrap().text().await.unwrap();
        (page, api, list.contains("三秒后发布的公告"), feed.contains("三秒后发布的公告"))
    };
    assert_eq!(
        visible().await,
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND, false, false),
        "nothing leaks before its time"
    );
    // The demo's own scheduled article and draft never show either.
    let feed = client().get(app.url("/news/feed.xml")).send().await.unwrap();
    assert_eq!(header(feed.headers(), "content-type"), "application/atom+xml; charset=utf-8");
    let feed = feed.text().await.unwrap();
    assert!(feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{feed}");
    assert!(!feed.contains("元旦节前") && !feed.contains("草稿"), "scheduled and draft demo articles stay out");
    assert!(feed.contains("11月食品安全监督抽检结果公告"));
    // Its time comes (the minute is rounded down: wait past it). Pages are cached at most 30 s, and an
    // uncached request (with a query) sees it at once.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let list = client().get(app.url("/news?page=1")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("三秒后发布的公告"));
    assert_eq!(client().get(app.url(&format!("/api/v1/news/{id}"))).send().await.unwrap().status(), StatusCode::OK);
    // Bad list queries are named.
    for (q, field) in [("tag=八卦", "tag"), ("page=0", "page"), ("page=x", "page"), ("page=", "page")] {
        let res = client().get(app.url(&format!("/api/v1/news?{q}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json(res).await["error"]["field"], field);
    }
    app.stop().await;
}

async fn statistics_are_counted_from_the_data(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let s = json(client().get(app.url("/api/v1/stats")).send().await.unwrap()).await;
    let count = |sql: &'static str| {
        let pool = app.db.store().pool().clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(s["businesses"], count("SELECT COUNT(*) FROM businesses").await);
    assert_eq!(s["batches"], count("SELECT COUNT(*) FROM sampling_batches").await);
    assert_eq!(s["ballots"], count("SELECT COUNT(*) FROM ballots").await);
    assert_eq!(s["cases_received"], count("SELECT COUNT(*) FROM cases").await);
    assert!(s["cases_decided_on_time"].as_i64().unwrap() <= s["cases_decided"].as_i64().unwrap());
    let districts = s["districts"].as_array().unwrap();
    assert_eq!(
        districts.iter().map(|d| d["businesses"].as_i64().unwrap()).sum::<i64>(),
        s["businesses"].as_i64().unwrap()
    );
    // The page shows the charts as SVG with the numbers as text, the formula, and the reported figures apart.
    let html = client().get(app.url("/stats")).send().await.unwrap().text().await.unwrap();
    let svg_at = html.find("<svg").map(|i| &html[i..(i + 300).min(html.len())]);
    assert!(
        html.contains("class=\"chart-svg\"") && html.contains("class=\"chart-svg map\""),
        "{svg_at:?} {}",
        &html[html.len().saturating_sub(3000)..]
    );
    assert!(html.contains("消费环境指数") && html.contains("0.5 × 信用等级得分"));
    assert!(html.contains(&domain::figures::group_thousands(s["businesses"].as_i64().unwrap())));
    assert!(html.contains("43,993"), "the reported figure, labelled apart");
    // The home page carries the live strip and the latest news.
    let home = client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("实时数据") && home.contains("/stats") && home.contains("最新动态"));
    assert!(home.contains("property=\"og:title\""), "Open Graph metadata");
    app.stop().await;
}

async fn large_text_mode_is_remembered_and_cached_apart(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let browser = client_with_cookies();
    let plain = browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!plain.contains("class=\"large\""));
    let res = browser.post(app.url("/display")).form(&[("large", "1"), ("next", "/stats")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), "/stats");
    assert!(header(res.headers(), "set-cookie").starts_with("large_text=1"));
    // The home page was cached without it: the large version is a different cache entry.
    let large = browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(large.contains("<html lang=\"zh-CN\" class=\"large\""), "{}", &large[..200]);
    assert!(large.contains("aria-pressed=\"true\""));
    let again = client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("class=\"large\""), "a visitor without the cookie never gets the large page");
    let off = browser.post(app.url("/display")).form(&[("large", "0"), ("next", "//evil.test")]).send().await.unwrap();
    assert_eq!(header(off.headers(), "location"), "/", "only our own paths");
    assert!(!browser.get(app.url("/")).send().await.unwrap().text().await.unwrap().contains("class=\"large\""));
    let bad = client().post(app.url("/display")).form(&[("large", "huge")]).send().await.unwrap();
    assert_eq!(json(bad).await["error"]["field"], "large");
    app.stop().await;
}

async fn api_page_and_poster(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let doc = json(client().get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await;
    let page = client().get(app.url("/api")).send().await.unwrap().text().await.unwrap();
    // Every operation of the document is on the page, with an example and the quotas in force.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(page.contains(&format!("{} {path}", method.to_uppercase())), "{method} {path} on /api");
        }
    }
    assert!(
        page.contains("curl -s") && page.contains("CC BY 4.0") && page.contains("/api/v1/downloads/businesses.csv")
    );
    assert!(page.contains("<strong>300</strong>") && page.contains("次/分钟"), "the configured API quota");
    // The bounds per network in force, per minute and per day (cases: 10 and 100 by default).
    assert!(
        page.contains("每个网络的提交上限")
            && page.contains("<strong>10</strong>")
            && page.contains("<strong>100</strong>")
    );
    assert!(page.contains("tabindex=\"0\""), "scrollable examples are focusable");
    let old = client().get(app.url("/api/v1/docs")).send().await.unwrap();
    assert_eq!((old.status(), header(old.headers(), "location")), (StatusCode::PERMANENT_REDIRECT, "/api"));
    let poster = client().get(app.url("/poster")).send().await.unwrap().text().await.unwrap();
    assert!(poster.contains("食品安全 你我共治") && poster.contains("/poster/qr.svg"));
    let qr = client().get(app.url("/poster/qr.svg")).send().await.unwrap();
    assert_eq!(header(qr.headers(), "content-type"), "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    app.stop().await;
}

async fn concurrent_article_saves(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM news_articles").fetch_one(app.db.store().pool()).await.unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (staff, url) = (staff.clone(), app.url("/staff/news"));
            tokio::spawn(async move {
                staff.post(url).multipart(article(&format!("并发文章{i}"), "内容", "")).send().await.unwrap().status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM news_articles").fetch_one(app.db.store().pool()).await.unwrap();
    assert_eq!(after - before, 24);
    app.stop().await;
}

/// The multipart reader's caps, declared with the route: one cover at most, a cover within its size, text parts
/// within theirs. A part over its cap is refused naming it (a browser is sent back to the form with it), and
/// nothing is stored.
async fn article_uploads_are_read_within_their_caps(engine: Backend) {
    use reqwest::multipart::Part;
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let png = || Part::bytes(backend::images::sample_png(32, 24, [10, 200, 10])).file_name("c.png");
    let big = || Part::bytes(vec![0u8; domain::news::MAX_COVER_BYTES + 1]).file_name("c.png");
    let cases = [
        (article("封面", "正文", "").part("cover", png()).part("cover", png()), 400, "too_many", "cover"),
        (article("封面", "正文", "").part("cover", big()), 413, "payload_too_large", "cover"),
        (article("封面", &"长".repeat(70_000), ""), 400, "too_long", "body"),
    ];
    for (form, status, code, field) in cases {
        let res = staff.post(app.url("/staff/news")).multipart(form).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{field}");
        let body = json(res).await;
        assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some(code), Some(field)));
    }
    let res = staff
        .post(app.url("/staff/news"))
        .header(ACCEPT, "text/html")
        .multipart(article("封面", "正文", "").part("cover", big()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), "/staff/news?error=payload_too_large&field=cover");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_articles WHERE title = '封面'")
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored");
    // Within the caps, the one cover is kept.
    let res = staff
        .post(app.url("/staff/news"))
        .multipart(article("封面", "正文", "").part("cover", png()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}
