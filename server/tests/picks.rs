#![allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
//! 你点我检 and sampling results over HTTP, on SQLite and on PostgreSQL: voting and changing a vote with a
//! cookie jar (API and plain forms), bad ballots, fifty concurrent ballots of one voter, two instances on one
//! database, nominations through moderation, SMS codes through a local gateway, results and lab reports.

mod common;

use common::*;
use std::sync::{Arc, Mutex};

on_both!(
    vote_then_change_the_vote_and_see_the_counts,
    bad_ballots_are_refused_with_the_field_and_store_nothing,
    fifty_concurrent_ballots_from_one_voter_leave_one,
    two_instances_on_one_database_keep_one_ballot_per_voter,
    nominations_go_through_moderation,
    sms_rounds_verify_phones_through_the_gateway,
    results_are_filtered_and_reports_downloaded,
    a_rounds_results_stay_hidden_until_their_date,
);

/// The demo round open for voting, and its candidate ids.
async fn voting_round(app: &TestApp) -> (i64, Vec<i64>) {
    let rounds = json(client().get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    let open = rounds.as_array().unwrap().iter().find(|r| r["phase"] == "voting").expect("a voting demo round");
    let id = open["id"].as_i64().unwrap();
    let detail = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    let ids = detail["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    (id, ids)
}

async fn ballots(app: &TestApp, id: i64) -> i64 {
    json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await["ballots"].as_i64().unwrap()
}

fn votes(detail: &Value, candidate: i64) -> i64 {
    detail["candidates"].as_array().unwrap().iter().find(|c| c["id"] == candidate).unwrap()["votes"].as_i64().unwrap()
}

async fn vote_then_change_the_vote_and_see_the_counts(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let (id, c) = voting_round(&app).await;
    let before = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    let voter = client_with_cookies();
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let res = voter.post(&url).json(&serde_json::json!({ "candidate_ids": [c[0]] })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = header(res.headers(), "set-cookie").to_owned();
    assert!(cookie.starts_with("portal_voter=") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(json(res).await["replaced"], false);
    // The same voter changes the ballot: it replaces the first, the counts move at once (not served stale).
    let res = voter.post(&url).json(&serde_json::json!({ "candidate_ids": [c[1], c[2]] })).send().await.unwrap();
    assert_eq!(json(res).await["replaced"], true);
    let after = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    assert_eq!(after["ballots"].as_i64().unwrap(), before["ballots"].as_i64().unwrap() + 1);
    assert_eq!(votes(&after, c[0]), votes(&before, c[0]));
    assert_eq!(votes(&after, c[1]), votes(&before, c[1]) + 1);
    // Without JavaScript: the plain form, then the page shows the voter's own picks ticked.
    let form = format!("candidate_ids={}&candidate_ids={}&website=", c[3], c[4]);
    let res = voter
        .post(app.url(&format!("/picks/{id}/ballot")))
        .header(ACCEPT, "text/html")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?voted=replaced"));
    let page = voter.get(app.url(&format!("/picks/{id}?voted=replaced"))).send().await.unwrap().text().await.unwrap();
    for (cand, ticked) in [(c[3], true), (c[4], true), (c[1], false)] {
        let tag = page.split(&format!("id=\"pick-{cand}\"")).next().unwrap().rsplit('<').next().unwrap().to_owned()
            + page.split(&format!("id=\"pick-{cand}\"")).nth(1).unwrap().split('>').next().unwrap();
        assert_eq!(tag.contains("checked"), ticked, "candidate {cand}: {tag}");
    }
    assert!(page.contains("tally-chart") && page.contains("<leptos-island"), "tally and picker island on the page");
    // Another visitor sees nobody's picks ticked.
    let stranger = client().get(app.url(&format!("/picks/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!stranger.contains("checked"));
    app.stop().await;
}

async fn bad_ballots_are_refused_with_the_field_and_store_nothing(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let (id, c) = voting_round(&app).await;
    let rounds = json(client().get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    let closed = rounds.as_array().unwrap().iter().find(|r| r["phase"] == "published").unwrap()["id"].as_i64().unwrap();
    let closed_detail = json(client().get(app.url(&format!("/api/v1/rounds/{closed}"))).send().await.unwrap()).await;
    let foreign = closed_detail["candidates"][0]["id"].as_i64().unwrap();
    let before = ballots(&app, id).await;
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let cases = [
        (serde_json::json!({ "candidate_ids": [] }), 400, "required"),
        (serde_json::json!({ "candidate_ids": [c[0], c[1], c[2], c[3]] }), 400, "too_many"),
        (serde_json::json!({ "candidate_ids": [c[0], c[0]] }), 400, "invalid_value"),
        (serde_json::json!({ "candidate_ids": [foreign] }), 400, "invalid_value"),
        (serde_json::json!({ "candidate_ids": "all" }), 400, "invalid_value"),
    ];
    for (body, status, code) in cases {
        let res = client().post(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{body}");
        let b = json(res).await;
        assert_eq!(b["error"]["code"], code, "{body}");
        assert_eq!(b["error"]["field"], "candidate_ids", "{body}");
    }
    let res = client().post(&url).body("candidate_ids=1").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Outside the voting phase.
    let res = client()
        .post(app.url(&format!("/api/v1/rounds/{closed}/ballot")))
        .json(&serde_json::json!({ "candidate_ids": [foreign] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["code"], "phase_closed");
    // A bot filling the honeypot, and a form with a non-number, back to the form with the field named.
    let form = |body: String| {
        client()
            .post(app.url(&format!("/picks/{id}/ballot")))
            .header(ACCEPT, "text/html")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let res = form(format!("candidate_ids={}&website=http%3A%2F%2Fspam", c[0])).await.unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?error=invalid_value&field=website"));
    let res = form("candidate_ids=x".into()).await.unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?error=invalid_value&field=candidate_ids"));
    let res = client().post(app.url("/api/v1/rounds/999999/ballot")).json(&serde_json::json!({ "candidate_ids": [1] })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(ballots(&app, id).await, before, "nothing stored");
    // The page shows the message next to the ballot, in the visitor's language.
    let page = client()
        .get(app.url(&format!("/picks/{id}?error=too_many&field=candidate_ids")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"candidate_ids-error\""), "field error next to the ballot");
    app.stop().await;
}

async fn fifty_concurrent_ballots_from_one_voter_leave_one(engine: Backend) {
    let app = TestApp::start(engine, |c| c.rate_limits.vote_per_min = 100_000).await;
    let (id, c) = voting_round(&app).await;
    let before = ballots(&app, id).await;
    // One voter: take a cookie from a first ballot, then fifty at once with it (the per-voter quota refuses
    // most: whatever is admitted replaces the one ballot).
    let first = client().post(app.url(&format!("/api/v1/rounds/{id}/ballot"))).json(&serde_json::json!({ "candidate_ids": [c[0]] })).send().await.unwrap();
    let cookie = header(first.headers(), "set-cookie").split(';').next().unwrap().to_owned();
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (url, cookie) = (url.clone(), cookie.clone());
            let pick = c[i % 5];
            tokio::spawn(async move {
                client().post(url).header("cookie", cookie).json(&serde_json::json!({ "candidate_ids": [pick] })).send().await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 9, "ten ballots a minute per voter");
    // Forty distinct voters at once: all counted.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let url = url.clone();
            let pick = c[i % 5];
            tokio::spawn(async move { client().post(url).json(&serde_json::json!({ "candidate_ids": [pick] })).send().await.unwrap().status() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(ballots(&app, id).await, before + 41);
    app.stop().await;
}

async fn two_instances_on_one_database_keep_one_ballot_per_voter(engine: Backend) {
    let app = TestApp::start(engine, |c| c.rate_limits.vote_per_min = 100_000).await;
    let (id, c) = voting_round(&app).await;
    // A second instance: its own process state (pool, ballot writer, caches) on the same database.
    let config = (*app.db.state.config).clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = server::build(config, listener).await.unwrap();
    let other = format!("http://{}", second.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(second.serve(async move {
        let _ = stopped.await;
    }));
    let before = ballots(&app, id).await;
    // Voters each send one ballot to each instance at the same moment.
    let mut tasks = Vec::new();
    for v in 0..8 {
        let first = client().post(app.url(&format!("/api/v1/rounds/{id}/ballot"))).json(&serde_json::json!({ "candidate_ids": [c[v % 5]] })).send().await.unwrap();
        let cookie = header(first.headers(), "set-cookie").split(';').next().unwrap().to_owned();
        for base in [app.base.clone(), other.clone()] {
            let cookie = cookie.clone();
            let pick = c[(v + 1) % 5];
            tasks.push(tokio::spawn(async move {
                client()
                    .post(format!("{base}/api/v1/rounds/{id}/ballot"))
                    .header("cookie", cookie)
                    .json(&serde_json::json!({ "candidate_ids": [pick] }))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(ballots(&app, id).await, before + 8);
    let seen_by_other = json(client().get(format!("{other}/api/v1/rounds/{id}")).send().await.unwrap()).await;
    assert_eq!(seen_by_other["ballots"].as_i64().unwrap(), before + 8);
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), serving).await;
    app.stop().await;
}

/// Tomorrow and later, as form dates.
fn day(offset: i64) -> String {
    domain::clock::format_date(backend::clock::now() + offset * 86_400)
}

async fn create_round(staff: &Client, app: &TestApp, nominate: i64, vote: i64, check: &str) -> reqwest::Response {
    staff
        .post(app.url("/staff/rounds"))
        .form(&[
            ("title", "测试一期"),
            ("nominate_from", &day(nominate)),
            ("vote_from", &day(vote)),
            ("vote_until", &day(vote + 5)),
            ("publish_at", &day(vote + 30)),
            ("max_picks", "2"),
            ("show_live", "1"),
            ("voter_check", check),
        ])
        .send()
        .await
        .unwrap()
}

async fn nominations_go_through_moderation(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let res = create_round(&staff, &app, 0, 3, "device").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json(res).await["id"].as_i64().unwrap();
    // A viewer may not create rounds; an anonymous visitor may not either.
    let viewer = app.client_as("demo_viewer").await;
    assert_eq!(create_round(&viewer, &app, 0, 3, "device").await.status(), StatusCode::FORBIDDEN);
    let citizen = client_with_cookies();
    let nominate = |food: String, website: &str| {
        citizen
            .post(app.url(&format!("/picks/{id}/nominate")))
            .header(ACCEPT, "text/html")
            .form(&[("food", food.as_str()), ("category", "水产品"), ("reason", "夏天吃得多"), ("website", website)])
            .send()
    };
    let res = nominate("小龙虾".into(), "").await.unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?nominated=1"));
    for (food, website, field) in [("".to_owned(), "", "food"), ("长".repeat(10_000), "", "food"), ("辣条".into(), "x", "website")] {
        let res = nominate(food, website).await.unwrap();
        assert!(header(res.headers(), "location").ends_with(&format!("&field={field}")), "{:?}", res.headers());
    }
    let queue = app.db.state.store.pool().clone();
    let nomination: i64 = sqlx::query_scalar("SELECT id FROM nominations WHERE round_id = $1").bind(id).fetch_one(&queue).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM nominations WHERE round_id = $1").bind(id).fetch_one(&queue).await.unwrap();
    assert_eq!(count, 1, "refused nominations store nothing");
    // The nominator sees it pending; the moderator approves; the nominator sees it accepted.
    let page = citizen.get(app.url(&format!("/picks/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("小龙虾") && page.contains("status-pending"));
    let queue_page = staff.get(app.url("/staff/rounds")).send().await.unwrap().text().await.unwrap();
    assert!(queue_page.contains("小龙虾"));
    let res = staff
        .post(app.url(&format!("/staff/nominations/{nomination}/decide")))
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let detail = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    assert_eq!(detail["candidates"][0]["food"], "小龙虾");
    let page = citizen.get(app.url(&format!("/picks/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("status-approved"));
    // The JSON API takes nominations too.
    let res = client()
        .post(app.url(&format!("/api/v1/rounds/{id}/nominations")))
        .json(&serde_json::json!({ "food": "米粉", "category": "粮食加工品" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}

/// A local SMS gateway: records every message it is asked to send.
async fn gateway() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

async fn sms_rounds_verify_phones_through_the_gateway(engine: Backend) {
    // Without a gateway an SMS round cannot be opened.
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let res = create_round(&staff, &app, -2, -1, "sms").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e = json(res).await;
    assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("sms_not_configured"), Some("voter_check")));
    app.stop().await;

    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| c.sms_url = Some(url)).await;
    let staff = app.client_as("demo_moderator").await;
    let id = json(create_round(&staff, &app, -2, -1, "sms").await).await["id"].as_i64().unwrap();
    let res = staff.post(app.url(&format!("/staff/rounds/{id}/candidates"))).form(&[("food", "腊肉"), ("category", "肉制品")]).send().await.unwrap();
    let candidate = json(res).await["id"].as_i64().unwrap();
    let code_url = app.url(&format!("/api/v1/rounds/{id}/code"));
    let res = client().post(&code_url).json(&serde_json::json!({ "phone": "138 0000 1234" })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let message = seen.lock().unwrap().iter().rev().find(|m| m["phone"] == "13800001234").cloned().unwrap();
    let text = message["message"].as_str().unwrap();
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    assert_eq!(code.len(), 6);
    // At most one code a minute per phone.
    let again = client().post(&code_url).json(&serde_json::json!({ "phone": "13800001234" })).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
    let ballot = |code: String| {
        client()
            .post(app.url(&format!("/api/v1/rounds/{id}/ballot")))
            .json(&serde_json::json!({ "candidate_ids": [candidate], "phone": "13800001234", "code": code }))
            .send()
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = ballot(wrong.into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["field"], "code");
    assert_eq!(ballot(code.clone()).await.unwrap().status(), StatusCode::OK);
    // Single use.
    let res = ballot(code).await.unwrap();
    assert_eq!(json(res).await["error"]["code"], "invalid_code");
    assert_eq!(ballots(&app, id).await, 1);
    // The code never reaches the database in the clear.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM sms_codes").fetch_all(app.db.state.store.pool()).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 40));
    app.stop().await;
}

async fn results_are_filtered_and_reports_downloaded(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = json(client().get(app.url("/api/v1/results?per_page=100")).send().await.unwrap()).await;
    let total = all["total"].as_i64().unwrap();
    assert!(total >= 20, "{total}");
    let failing = json(client().get(app.url("/api/v1/results?verdict=fail&per_page=100")).send().await.unwrap()).await;
    let items = failing["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|b| b["passed"] == false && !b["failures"].as_array().unwrap().is_empty()));
    let res = client().get(app.url("/api/v1/results?verdict=maybe")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["field"], "verdict");
    let with_report = all["items"].as_array().unwrap().iter().find(|b| b["has_report"] == true).unwrap();
    let res = client().get(app.url(&format!("/results/{}/report.pdf", with_report["id"]))).send().await.unwrap();
    assert_eq!(header(res.headers(), "content-type"), "application/pdf");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Staff publish a failing batch for a registry business: the grade moves; a non-PDF report stores nothing.
    let code = all["items"].as_array().unwrap().iter().find_map(|b| b["credit_code"].as_str()).unwrap().to_owned();
    let staff = app.client_as("demo_moderator").await;
    let publish = |report: &'static [u8]| {
        let form = reqwest::multipart::Form::new()
            .text("food", "凉面")
            .text("food_category", "餐饮食品")
            .text("place", "restaurant")
            .text("credit_code", code.clone())
            .text("sampled_on", day(-1))
            .text("items", "菌落总数\n大肠菌群")
            .text("verdict", "fail")
            .text("failures", "菌落总数 | 2.1×10⁵ CFU/g | ≤1×10⁵ CFU/g")
            .part("report", reqwest::multipart::Part::bytes(report).file_name("report.pdf"));
        staff.post(app.url("/staff/results")).multipart(form).send()
    };
    let res = publish(b"GIF89a not a pdf").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json(res).await["error"]["field"], "report");
    let now_total = json(client().get(app.url("/api/v1/results")).send().await.unwrap()).await["total"].as_i64().unwrap();
    assert_eq!(now_total, total);
    let before = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert_eq!(publish(b"%PDF-1.4 lab").await.unwrap().status(), StatusCode::CREATED);
    let after = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert!(after["score"].as_i64() < before["score"].as_i64(), "{} -> {}", before["score"], after["score"]);
    // Anonymous visitors cannot publish.
    let res = client().post(app.url("/staff/results")).multipart(reqwest::multipart::Form::new().text("food", "x")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The business page shows its sampling record.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sampling\"") && page.contains("凉面"));
    app.stop().await;
}

/// A round's results are due at its `publish_at`: until then no public read shows a batch uploaded for it (the
/// results API and page, the lab report, the business page, the statistics), whatever staff have uploaded.
async fn a_rounds_results_stay_hidden_until_their_date(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let res = create_round(&staff, &app, 0, 3, "device").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let round = json(res).await["id"].as_i64().unwrap();
    let all = json(client().get(app.url("/api/v1/results?per_page=100")).send().await.unwrap()).await;
    let code = all["items"].as_array().unwrap().iter().find_map(|b| b["credit_code"].as_str()).unwrap().to_owned();
    let batches = || async { json(client().get(app.url("/api/v1/stats")).send().await.unwrap()).await["batches"].as_i64().unwrap() };
    let counted = batches().await;
    let form = reqwest::multipart::Form::new()
        .text("round_id", round.to_string())
        .text("food", "秘制凉糕")
        .text("food_category", "餐饮食品")
        .text("place", "restaurant")
        .text("credit_code", code.clone())
        .text("sampled_on", day(-1))
        .text("items", "菌落总数")
        .text("verdict", "pass")
        .part("report", reqwest::multipart::Part::bytes(&b"%PDF-1.4 lab"[..]).file_name("report.pdf"));
    let res = staff.post(app.url("/staff/results")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let batch = json(res).await["id"].as_i64().unwrap();
    let public = || async {
        let listed = json(client().get(app.url(&format!("/api/v1/results?round={round}"))).send().await.unwrap()).await;
        let everything = json(client().get(app.url("/api/v1/results?per_page=100")).send().await.unwrap()).await;
        let in_all = everything["items"].as_array().unwrap().iter().any(|b| b["id"] == batch);
        let report = client().get(app.url(&format!("/results/{batch}/report.pdf"))).send().await.unwrap().status();
        let page = client().get(app.url(&format!("/results?round={round}"))).send().await.unwrap().text().await.unwrap();
        let business = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
        (listed["total"].as_i64().unwrap(), in_all, report, page.contains("秘制凉糕"), business.contains("秘制凉糕"))
    };
    assert_eq!(public().await, (0, false, StatusCode::NOT_FOUND, false, false), "nothing before the round's date");
    assert_eq!(batches().await, counted, "the statistics do not count it yet");
    // Once the date has come, every read shows it.
    let t = backend::clock::now();
    sqlx::query("UPDATE rounds SET nominate_from = $1, vote_from = $2, vote_until = $3, publish_at = $4 WHERE id = $5")
        .bind(t - 40 * 86_400)
        .bind(t - 35 * 86_400)
        .bind(t - 30 * 86_400)
        .bind(t - 60)
        .bind(round)
        .execute(app.db.store().pool())
        .await
        .unwrap();
    app.shared.app.store.announce(backend::store::Change::Sampling);
    *app.shared.app.stats.lock().await = None;
    assert_eq!(public().await, (1, true, StatusCode::OK, true, true), "everything on the round's date");
    assert_eq!(batches().await, counted + 1);
    app.stop().await;
}
