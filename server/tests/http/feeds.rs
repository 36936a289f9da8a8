//! 关注 over HTTP, on SQLite and on PostgreSQL: each followed subject's Atom feed as a reader sees it (content
//! type, parsed, stable ids, links back), its caching (brief, ETag, private while the origin follows the Host),
//! refusals naming the field, and the pages that announce the feeds in their `<head>` and link them.

use crate::common::*;
use atom_syndication::Feed;

on_both!(
    a_business_feed_shows_a_recorded_event_and_answers_like_a_feed,
    feeds_refuse_unknown_subjects_naming_the_field,
    pages_announce_their_feeds_and_link_them,
    feeds_use_the_public_origin_and_may_then_be_cached_publicly,
);

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    client().get(app.url(path)).send().await.unwrap()
}

async fn feed(app: &TestApp, path: &str) -> Feed {
    let res = get(app, path).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(header(res.headers(), "content-type"), "application/atom+xml; charset=utf-8");
    res.text().await.unwrap().parse::<Feed>().unwrap()
}

/// A demo business's credit code.
async fn some_business(app: &TestApp) -> String {
    let page = json(get(app, "/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=1").await).await;
    page["items"][0]["credit_code"].as_str().unwrap().to_owned()
}

fn head(html: &str) -> &str {
    &html[..html.find("</head>").unwrap()]
}

async fn a_business_feed_shows_a_recorded_event_and_answers_like_a_feed(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let code = some_business(&app).await;
    let path = format!("/feeds/businesses/{code}");
    let before = feed(&app, &path).await;
    let moderator = app.client_as("demo_moderator").await;
    let res = moderator
        .post(app.url("/staff/events"))
        .form(&[
            ("credit_code", code.as_str()),
            ("kind", "inspection_finding"),
            ("severity", "minor"),
            ("occurred_at", &domain::clock::format_date(backend::clock::now())),
            ("source", "日常检查 <第7期> & 复查"),
            ("description", "后厨<生熟>未分开"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let after = feed(&app, &path).await;
    // The record is in at once (a minor finding may also move the score: a grade-history entry beside it).
    let new: Vec<_> = after.entries().iter().filter(|e| e.categories()[0].term() == "event").collect();
    assert_eq!(new.len(), 1 + before.entries().iter().filter(|e| e.categories()[0].term() == "event").count());
    let new = new[0];
    assert!(new.summary().unwrap().as_str().contains("后厨<生熟>未分开"), "{:?}", new.summary());
    assert!(new.summary().unwrap().as_str().contains("日常检查 <第7期> & 复查"));
    assert!(new.links()[0].href().ends_with(&format!("/credit/{code}")));
    assert!(new.id().contains("/feeds#event-"), "{}", new.id());
    assert!(after.entries().windows(2).all(|w| w[0].updated() >= w[1].updated()), "newest first");
    assert_eq!(after.updated(), after.entries()[0].updated());
    assert!(after.links().iter().any(|l| l.rel() == "self" && l.href().ends_with(&path)));
    // The older entries keep their ids.
    let ids = |f: &Feed| f.entries().iter().map(|e| e.id().to_owned()).collect::<Vec<_>>();
    assert!(ids(&before).iter().all(|id| ids(&after).contains(id)));
    // An ETag and a 304; without a configured origin the answer is the asking browser's only.
    let res = get(&app, &path).await;
    let etag = header(res.headers(), "etag").to_owned();
    assert!(etag.starts_with('"'), "{:?}", res.headers());
    assert!(header(res.headers(), "cache-control").starts_with("private"), "{:?}", res.headers());
    let res = client().get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), 304);
    app.stop().await;
}

async fn feeds_refuse_unknown_subjects_naming_the_field(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    for (path, status, code, field) in [
        ("/feeds/businesses/not-a-code", 400, "invalid_credit_code", Some("credit_code")),
        ("/feeds/businesses/91510703MA0000999X", 400, "invalid_credit_code", Some("credit_code")),
        ("/feeds/districts/%E5%8C%97%E4%BA%AC%E5%B8%82", 404, "not_found", Some("district")),
        ("/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA?only=all", 400, "invalid_value", Some("only")),
        ("/feeds/food/%E7%A0%96%E5%A4%B4", 404, "not_found", Some("category")),
        ("/feeds/rounds/999999", 404, "not_found", None),
        ("/feeds/rounds/abc", 404, "not_found", None),
    ] {
        let res = get(&app, path).await;
        assert_eq!(res.status(), status, "{path}");
        let body = json(res).await;
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        if let Some(f) = field {
            assert_eq!(body["error"]["field"], f, "{path}: {body}");
        }
    }
    // A valid credit code that names no business.
    let unknown = code("91510703MA", 9_999_999);
    let res = get(&app, &format!("/feeds/businesses/{unknown}")).await;
    assert_eq!(res.status(), 404, "{unknown}");
    // Known subjects answer, filtered or not.
    for path in [
        "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA",
        "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA?only=grade_drops",
        "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA?only=failing_batches",
        "/feeds/food/%E4%B9%B3%E5%88%B6%E5%93%81",
    ] {
        let f = feed(&app, path).await;
        assert!(f.entries().len() <= domain::follow::MAX_ENTRIES);
    }
    app.stop().await;
}

async fn pages_announce_their_feeds_and_link_them(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let (round, _) = app.voting_round().await;
    let code = some_business(&app).await;
    let atom = "type=\"application/atom+xml\"";
    let pages = [
        ("/".to_owned(), "/news/feed.xml".to_owned(), false),
        (format!("/credit/{code}"), format!("/feeds/businesses/{code}"), true),
        (format!("/picks/{round}"), format!("/feeds/rounds/{round}"), true),
        ("/stats".to_owned(), "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA".to_owned(), true),
    ];
    for (page, href, linked) in pages {
        let res = get(&app, &page).await;
        assert_eq!(res.status(), 200, "{page}");
        let html = res.text().await.unwrap();
        let announced = head(&html)
            .split("<link")
            .any(|l| l.contains("rel=\"alternate\"") && l.contains(atom) && l.contains(&format!("href=\"{href}\"")));
        assert!(announced, "{page} announces {href}: {}", head(&html));
        if linked {
            let body = &html[html.find("</head>").unwrap()..];
            assert!(body.contains(&format!("<a href=\"{href}\" {atom}")), "{page} links {href}");
        }
    }
    // A business page links its district's feed too.
    let html = get(&app, &format!("/credit/{code}")).await.text().await.unwrap();
    let district =
        json(get(&app, &format!("/api/v1/businesses/{code}")).await).await["district"].as_str().unwrap().to_owned();
    let href = domain::follow::paths::district(&district, None);
    assert!(html.contains(&format!("<a href=\"{href}\" {atom}")), "{href}");
    // The round's feed has its opening entry.
    let f = feed(&app, &format!("/feeds/rounds/{round}")).await;
    assert_eq!(f.entries().iter().map(|e| e.categories()[0].term()).collect::<Vec<_>>(), ["voting-opens"]);
    // The statistics page offers the filtered feeds too.
    let html = get(&app, "/stats").await.text().await.unwrap();
    assert!(html.contains("/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA?only=grade_drops"));
    app.stop().await;
}

async fn feeds_use_the_public_origin_and_may_then_be_cached_publicly(engine: Backend) {
    let app = TestApp::start(engine, |c| c.public_url = Some("https://shian.example".into())).await;
    let path = "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA";
    let res = client().get(app.url(path)).header("host", "evil.example").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cache = header(res.headers(), "cache-control").to_owned();
    assert!(!cache.contains("private") && cache.contains("public"), "{cache}");
    let f: Feed = res.text().await.unwrap().parse().unwrap();
    assert_eq!(f.id(), format!("https://shian.example{path}"));
    assert!(f.entries().iter().all(|e| e.id().starts_with("https://shian.example/feeds#")));
    assert!(f.links().iter().all(|l| l.href().starts_with("https://shian.example/")));
    app.stop().await;
}
