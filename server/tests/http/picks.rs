//! 你点我检 and sampling results over HTTP, on SQLite and on PostgreSQL: voting and changing a vote with a
//! cookie jar (API and plain forms), bad ballots, fifty concurrent ballots of one voter, two instances on one
//! database, nominations through moderation, SMS codes through a local gateway, results and lab reports; and
//! what holds against abuse: ballots without an issued voter, new voters bounded per network, SMS codes bounded
//! per phone, per network and by the city's budget, parallel code requests and parallel guesses.

use crate::common::*;
use std::sync::{Arc, Mutex};

on_both!(
    vote_then_change_the_vote_and_see_the_counts,
    bad_ballots_are_refused_with_the_field_and_store_nothing,
    fifty_concurrent_ballots_from_one_voter_leave_one,
    two_instances_on_one_database_keep_one_ballot_per_voter,
    nominations_go_through_moderation,
    sms_rounds_verify_phones_through_the_gateway,
    results_are_filtered_and_reports_downloaded,
    cookieless_ballots_are_refused_and_new_voters_bounded_per_network,
    two_hundred_parallel_code_requests_send_one_sms,
    fifty_parallel_wrong_codes_are_checked_at_most_five_times,
    sms_codes_stop_at_the_phone_cap_the_network_bound_and_the_budget,
    a_rounds_results_stay_hidden_until_their_date,
);

async fn ballots(app: &TestApp, id: i64) -> i64 {
    json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await["ballots"]
        .as_i64()
        .unwrap()
}

/// A device voter for the round, issued by `GET …/voter` as a program gets one: the `Cookie` header value.
async fn voter(app: &TestApp, id: i64) -> String {
    let res = client().get(app.url(&format!("/api/v1/rounds/{id}/voter"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = header(res.headers(), "set-cookie").split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("portal_voter="), "{cookie}");
    cookie
}

fn votes(detail: &Value, candidate: i64) -> i64 {
    detail["candidates"].as_array().unwrap().iter().find(|c| c["id"] == candidate).unwrap()["votes"].as_i64().unwrap()
}

async fn vote_then_change_the_vote_and_see_the_counts(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let (id, c) = app.voting_round().await;
    let before = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    let voter = client_with_cookies();
    // The round's page issues the voter (never cached, never stored by a shared cache); the ballot does not.
    let page = voter.get(app.url(&format!("/picks/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = header(page.headers(), "set-cookie").to_owned();
    assert!(cookie.starts_with("portal_voter=") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(header(page.headers(), "cache-control"), "private, no-store");
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let res = voter.post(&url).json(&serde_json::json!({ "candidate_ids": [c[0]] })).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("set-cookie").is_none(), "a ballot issues no voter");
    assert_eq!(json(res).await["replaced"], false);
    // The page again: the voter is known, nothing new is issued.
    let again = voter.get(app.url(&format!("/picks/{id}"))).send().await.unwrap();
    assert!(again.headers().get("set-cookie").is_none());
    let res = voter.get(app.url(&format!("/api/v1/rounds/{id}/voter"))).send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(header(res.headers(), "cache-control"), "private, no-store");
    assert_eq!(json(res).await["issued"], false);
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
    let (id, c) = app.voting_round().await;
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
    let res = client()
        .post(app.url("/api/v1/rounds/999999/ballot"))
        .json(&serde_json::json!({ "candidate_ids": [1] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A valid ballot with no voter (no cookie, or a forged one): refused, naming the voter, in both adapters.
    for cookie in ["", "portal_voter=00000000000000000000000000000000.1765000000.00000000000000000000000000000000"] {
        let res = client()
            .post(&url)
            .header("cookie", cookie)
            .json(&serde_json::json!({ "candidate_ids": [c[0]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let b = json(res).await;
        assert_eq!(
            (b["error"]["code"].as_str(), b["error"]["field"].as_str()),
            (Some("voter_required"), Some("voter"))
        );
    }
    let res = form(format!("candidate_ids={}", c[0])).await.unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?error=voter_required&field=voter"));
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
    let (id, c) = app.voting_round().await;
    let before = ballots(&app, id).await;
    // One voter: take a cookie from a first ballot, then fifty at once with it (the per-voter quota refuses
    // most: whatever is admitted replaces the one ballot).
    let cookie = voter(&app, id).await;
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let first = client()
        .post(&url)
        .header("cookie", &cookie)
        .json(&serde_json::json!({ "candidate_ids": [c[0]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (url, cookie) = (url.clone(), cookie.clone());
            let pick = c[i % 5];
            tokio::spawn(async move {
                client()
                    .post(url)
                    .header("cookie", cookie)
                    .json(&serde_json::json!({ "candidate_ids": [pick] }))
                    .send()
                    .await
                    .unwrap()
                    .status()
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
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (url, cookie) = (url.clone(), voter(&app, id).await);
        let pick = c[i % 5];
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .header("cookie", cookie)
                .json(&serde_json::json!({ "candidate_ids": [pick] }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(ballots(&app, id).await, before + 41);
    app.stop().await;
}

async fn two_instances_on_one_database_keep_one_ballot_per_voter(engine: Backend) {
    let app = TestApp::start(engine, |c| c.rate_limits.vote_per_min = 100_000).await;
    let (id, c) = app.voting_round().await;
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
        let cookie = voter(&app, id).await;
        let first = client()
            .post(app.url(&format!("/api/v1/rounds/{id}/ballot")))
            .header("cookie", &cookie)
            .json(&serde_json::json!({ "candidate_ids": [c[v % 5]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), StatusCode::OK);
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
    // The round's page issues the nominator's voter (a nomination never does).
    let page = citizen.get(app.url(&format!("/picks/{id}"))).send().await.unwrap();
    assert!(header(page.headers(), "set-cookie").starts_with("portal_voter="));
    let nominate = |food: String, website: &str| {
        citizen
            .post(app.url(&format!("/picks/{id}/nominate")))
            .header(ACCEPT, "text/html")
            .form(&[("food", food.as_str()), ("category", "水产品"), ("reason", "夏天吃得多"), ("website", website)])
            .send()
    };
    let res = nominate("小龙虾".into(), "").await.unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/picks/{id}?nominated=1"));
    for (food, website, field) in
        [("".to_owned(), "", "food"), ("长".repeat(10_000), "", "food"), ("辣条".into(), "x", "website")]
    {
        let res = nominate(food, website).await.unwrap();
        assert!(header(res.headers(), "location").ends_with(&format!("&field={field}")), "{:?}", res.headers());
    }
    let queue = app.db.state.store.pool().clone();
    let nomination: i64 =
        sqlx::query_scalar("SELECT id FROM nominations WHERE round_id = $1").bind(id).fetch_one(&queue).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM nominations WHERE round_id = $1")
        .bind(id)
        .fetch_one(&queue)
        .await
        .unwrap();
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
    // The JSON API takes nominations too, from a voter issued by `GET …/voter`; without one, 403.
    let nominate_api = |cookie: String| {
        client()
            .post(app.url(&format!("/api/v1/rounds/{id}/nominations")))
            .header("cookie", cookie)
            .json(&serde_json::json!({ "food": "米粉", "category": "粮食加工品" }))
            .send()
    };
    let res = nominate_api(String::new()).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(res).await["error"]["code"], "voter_required");
    let res = nominate_api(voter(&app, id).await).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}

async fn sms_rounds_verify_phones_through_the_gateway(engine: Backend) {
    // Without a gateway an SMS round cannot be opened.
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let res = create_round(&staff, &app, -2, -1, "sms").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e = json(res).await;
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("sms_not_configured"), Some("voter_check"))
    );
    app.stop().await;

    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| c.sms_url = Some(url)).await;
    let staff = app.client_as("demo_moderator").await;
    let id = json(create_round(&staff, &app, -2, -1, "sms").await).await["id"].as_i64().unwrap();
    let res = staff
        .post(app.url(&format!("/staff/rounds/{id}/candidates")))
        .form(&[("food", "腊肉"), ("category", "肉制品")])
        .send()
        .await
        .unwrap();
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
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM sms_codes").fetch_all(app.db.state.store.pool()).await.unwrap();
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
    assert!(
        !items.is_empty()
            && items.iter().all(|b| b["passed"] == false && !b["failures"].as_array().unwrap().is_empty())
    );
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
    let now_total =
        json(client().get(app.url("/api/v1/results")).send().await.unwrap()).await["total"].as_i64().unwrap();
    assert_eq!(now_total, total);
    let before = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert_eq!(publish(b"%PDF-1.4 lab").await.unwrap().status(), StatusCode::CREATED);
    let after = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    // The grade moves, or (a downgrade) waits for its objection window as 新评级待公布.
    assert!(
        after["score"].as_i64() < before["score"].as_i64() || after["new_rating_pending"] == true,
        "{} -> {}",
        before["score"],
        after["score"]
    );
    // Anonymous visitors cannot publish.
    let res = client()
        .post(app.url("/staff/results"))
        .multipart(reqwest::multipart::Form::new().text("food", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The business page shows its sampling record.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sampling\"") && page.contains("凉面"));
    app.stop().await;
}

/// Closes a round's voting by its dates (its integrity report shows from then on).
async fn close_voting(app: &TestApp, id: i64) {
    sqlx::query("UPDATE rounds SET vote_until = $1 WHERE id = $2")
        .bind(backend::clock::now() - 1)
        .bind(id)
        .execute(app.db.state.store.pool())
        .await
        .unwrap();
}

async fn cookieless_ballots_are_refused_and_new_voters_bounded_per_network(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits.vote_per_min = 100_000;
        c.rate_limits.api_per_min = 100_000;
        c.rate_limits.page_per_min = 100_000;
        c.network_bounds.new_devices_per_hour = 5;
    })
    .await;
    let (id, c) = app.voting_round().await;
    let before = ballots(&app, id).await;
    let seeded_refusals: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM ballot_refusals WHERE round_id = $1 AND reason = 'no_voter'",
    )
    .bind(id)
    .fetch_one(app.db.state.store.pool())
    .await
    .unwrap();
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    // A thousand ballots from one address with no cookie jar, a hundred at a time: none counted (each used to
    // mint a new voter and count).
    for round in 0..10 {
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let (url, pick) = (url.clone(), c[(round + i) % 5]);
                tokio::spawn(async move {
                    client()
                        .post(url)
                        .json(&serde_json::json!({ "candidate_ids": [pick] }))
                        .send()
                        .await
                        .unwrap()
                        .status()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::FORBIDDEN);
        }
    }
    assert_eq!(ballots(&app, id).await, before);
    // New voters from one network: five per round per hour, the page and the API together.
    let page = client().get(app.url(&format!("/picks/{id}"))).send().await.unwrap();
    let mut cookies = vec![header(page.headers(), "set-cookie").split(';').next().unwrap().to_owned()];
    assert!(cookies[0].starts_with("portal_voter="), "the page issues a voter");
    for _ in 0..4 {
        cookies.push(voter(&app, id).await);
    }
    let res = client().get(app.url(&format!("/api/v1/rounds/{id}/voter"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(res.headers(), "retry-after").parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert!(res.headers().get("set-cookie").is_none());
    // The page still answers, without a voter, and says why.
    let page = client().get(app.url(&format!("/picks/{id}"))).header("accept-language", "en").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("set-cookie").is_none());
    assert!(page.text().await.unwrap().contains("Too many new voters from your network"));
    // A second instance counts on the same database.
    let config = (*app.db.state.config).clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = server::build(config, listener).await.unwrap();
    let other = format!("http://{}", second.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(second.serve(async move {
        let _ = stopped.await;
    }));
    let res = client().get(format!("{other}/api/v1/rounds/{id}/voter")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), serving).await;
    // The issued voters vote and count, once each.
    for (i, cookie) in cookies.iter().enumerate() {
        let res = client()
            .post(&url)
            .header("cookie", cookie)
            .json(&serde_json::json!({ "candidate_ids": [c[i % 5]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(ballots(&app, id).await, before + 5);
    // Once voting closes, the report shows the refusals and how concentrated the ballots are.
    close_voting(&app, id).await;
    let detail = json(client().get(app.url(&format!("/api/v1/rounds/{id}"))).send().await.unwrap()).await;
    let report = &detail["integrity"];
    let refused =
        report["refused"].as_array().unwrap().iter().find(|r| r["reason"] == "no_voter").unwrap()["count"].as_i64();
    assert_eq!(refused, Some(seeded_refusals + 1000));
    let pool = app.db.state.store.pool();
    let key = app.db.state.config.secret_key.expose();
    let ours = backend::picks::voter::network_hash(key, id, "127.0.0.0/24");
    let (n, fresh): (i64, i64) = {
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE round_id = $1 AND network_hash = $2")
            .bind(id)
            .bind(&ours)
            .fetch_one(pool)
            .await
            .unwrap();
        let fresh = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE round_id = $1 AND network_hash = $2 AND created_at - device_minted_at < 3600")
            .bind(id)
            .bind(&ours)
            .fetch_one(pool)
            .await
            .unwrap();
        (n, fresh)
    };
    assert_eq!((n, fresh), (5, 5), "the five ballots record our network and their devices' age");
    let networks: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT network_hash) FROM ballots WHERE round_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    let all_fresh: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE round_id = $1 AND created_at - device_minted_at < 3600")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(report["networks"].as_i64(), Some(networks));
    assert_eq!(report["new_device_ballots"].as_i64(), Some(all_fresh));
    let top = report["top_networks_ballots"].as_i64().unwrap();
    assert!(top >= 5 && top <= report["ballots"].as_i64().unwrap(), "{report}");
    let page = client()
        .get(app.url(&format!("/picks/{id}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Share of ballots from the top 10 networks") && page.contains("No voter identity"));
    app.stop().await;
}

/// A local SMS gateway that counts what it is asked to send.
async fn sms_app(engine: Backend, tweak: impl FnOnce(&mut Config)) -> (TestApp, Arc<Mutex<Vec<Value>>>, i64, i64) {
    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| {
        c.sms_url = Some(url);
        c.rate_limits.write_per_min = 100_000;
        c.rate_limits.vote_per_min = 100_000;
        tweak(c);
    })
    .await;
    let staff = app.client_as("demo_moderator").await;
    let id = json(create_round(&staff, &app, -2, -1, "sms").await).await["id"].as_i64().unwrap();
    let res = staff
        .post(app.url(&format!("/staff/rounds/{id}/candidates")))
        .form(&[("food", "腊肉"), ("category", "肉制品")])
        .send()
        .await
        .unwrap();
    let candidate = json(res).await["id"].as_i64().unwrap();
    (app, seen, id, candidate)
}

async fn ask_code(app: &TestApp, id: i64, phone: &str) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/rounds/{id}/code")))
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await
        .unwrap()
}

async fn two_hundred_parallel_code_requests_send_one_sms(engine: Backend) {
    let (app, seen, id, _) = sms_app(engine, |c| c.network_bounds.sms = backend::config::Bound::new(1000, 1000)).await;
    let url = app.url(&format!("/api/v1/rounds/{id}/code"));
    // One address may hold 128 connections (`startup::MAX_PER_IP`): 200 requests, 100 in flight at once.
    let in_flight = Arc::new(tokio::sync::Semaphore::new(100));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (url, in_flight) = (url.clone(), in_flight.clone());
            tokio::spawn(async move {
                let _permit = in_flight.acquire().await.unwrap();
                client().post(url).json(&serde_json::json!({ "phone": "13800001234" })).send().await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(seen.lock().unwrap().len(), 1, "one SMS sent");
    // The refused requests spent nothing of the phone's day or the city's budget.
    let (sent, _) = backend::picks::sms::sent_today(&app.db.state).await.unwrap();
    assert_eq!(sent, 1);
    app.stop().await;
}

async fn fifty_parallel_wrong_codes_are_checked_at_most_five_times(engine: Backend) {
    let (app, seen, id, candidate) = sms_app(engine, |_| {}).await;
    assert_eq!(ask_code(&app, id, "13800005678").await.status(), StatusCode::ACCEPTED);
    let text = seen.lock().unwrap()[0]["message"].as_str().unwrap().to_owned();
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let url = app.url(&format!("/api/v1/rounds/{id}/ballot"));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let body = serde_json::json!({ "candidate_ids": [candidate], "phone": "13800005678", "code": wrong });
                client().post(url).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::BAD_REQUEST);
    }
    let attempts: Vec<i64> = sqlx::query_scalar("SELECT attempts FROM sms_codes WHERE round_id = $1")
        .bind(id)
        .fetch_all(app.db.state.store.pool())
        .await
        .unwrap();
    assert_eq!(attempts, vec![5], "at most five compared");
    // The right code after that is refused too.
    let res = client()
        .post(&url)
        .json(&serde_json::json!({ "candidate_ids": [candidate], "phone": "13800005678", "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["code"], "invalid_code");
    assert_eq!(ballots(&app, id).await, 0);
    app.stop().await;
}

async fn sms_codes_stop_at_the_phone_cap_the_network_bound_and_the_budget(engine: Backend) {
    // Five codes a day per phone (each a minute apart: the test moves the last one back).
    let (app, seen, id, _) = sms_app(engine, |_| {}).await;
    let pool = app.db.state.store.pool().clone();
    for n in 0..5 {
        assert_eq!(ask_code(&app, id, "13900000001").await.status(), StatusCode::ACCEPTED, "code {n}");
        sqlx::query("UPDATE sms_codes SET created_at = created_at - 120").execute(&pool).await.unwrap();
    }
    let res = ask_code(&app, id, "13900000001").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = header(res.headers(), "retry-after").parse().unwrap();
    assert_eq!(wait, backend::picks::sms::secs_to_china_midnight(backend::clock::now()), "until midnight China time");
    assert_eq!(seen.lock().unwrap().len(), 5);
    app.stop().await;

    // The network's bound per minute.
    let (app, seen, id, _) = sms_app(engine, |c| c.network_bounds.sms = backend::config::Bound::new(3, 100)).await;
    for n in 0..3 {
        assert_eq!(ask_code(&app, id, &format!("1390000010{n}")).await.status(), StatusCode::ACCEPTED);
    }
    let res = ask_code(&app, id, "13900000109").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(seen.lock().unwrap().len(), 3);
    app.stop().await;

    // The city's budget: refused with a clear message until midnight, and staff see it on the console.
    let (app, seen, id, _) = sms_app(engine, |c| c.network_bounds.sms_daily_budget = 4).await;
    for n in 0..4 {
        assert_eq!(ask_code(&app, id, &format!("1390000020{n}")).await.status(), StatusCode::ACCEPTED);
    }
    let res = client()
        .post(app.url(&format!("/api/v1/rounds/{id}/code")))
        .header("accept-language", "en")
        .json(&serde_json::json!({ "phone": "13900000209" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let wait: i64 = header(res.headers(), "retry-after").parse().unwrap();
    assert_eq!(wait, backend::picks::sms::secs_to_china_midnight(backend::clock::now()));
    let e = json(res).await;
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("sms_budget_exhausted"), Some("phone"))
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("budget"), "{e}");
    assert_eq!(seen.lock().unwrap().len(), 4);
    // Other messages (notices) count against the same budget.
    let refused = backend::picks::sms::spend_budget(&app.db.state).await.unwrap_err();
    assert_eq!(refused.code, domain::ErrCode::SmsBudgetExhausted);
    // The refused phone got nothing and may ask again once the budget allows: its code was not replaced.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_codes WHERE round_id = $1")
        .bind(id)
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 4);
    let staff = app.client_as("demo_viewer").await;
    let home = staff.get(app.url("/staff")).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
    assert!(home.contains("SMS codes today") && home.contains("4 / 4"), "{home}");
    assert!(home.contains("SMS budget is spent"));
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
    let batches = || async {
        json(client().get(app.url("/api/v1/stats")).send().await.unwrap()).await["batches"].as_i64().unwrap()
    };
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
        let page =
            client().get(app.url(&format!("/results?round={round}"))).send().await.unwrap().text().await.unwrap();
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
