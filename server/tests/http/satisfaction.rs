//! 满意度评价 · 回访 and 投诉公示 over HTTP, on SQLite and on PostgreSQL: rating over the API and the track page's
//! form, the reopening back into the queue, staff phone call-backs, the statistics moving, the per-network
//! bound, and a business's disclosure of its decided cases.

use crate::common::*;
use reqwest::multipart::Form;

on_both!(
    a_reporter_rates_over_the_api_and_a_dissatisfied_case_comes_back,
    the_track_page_rates_without_javascript_and_names_the_field,
    staff_record_phone_call_backs_and_ratings_are_bounded_per_network,
    a_business_discloses_its_decided_complaints_only,
);

const PHONE: &str = "13912345678";

/// Files a case over the API (against `credit_code` when given): its id, number and code.
async fn file(app: &TestApp, credit_code: &str) -> (i64, String, String) {
    let mut form = Form::new()
        .text("kind", "举报")
        .text("business_name", "某某烧烤店")
        .text("category", "过期食品")
        .text("description", "货架上的酸奶已过期三天仍在销售。")
        .text("reporter_name", "李四")
        .text("reporter_phone", PHONE);
    if !credit_code.is_empty() {
        form = form.text("credit_code", credit_code.to_owned());
    }
    let res = client().post(app.url("/api/v1/complaints")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let r = json(res).await;
    let no = r["tracking_no"].as_str().unwrap().to_owned();
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&no)
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    (id, no, r["access_code"].as_str().unwrap().to_owned())
}

/// A moderator moves the case along `path` through the staff forms.
async fn decide(app: &TestApp, staff: &Client, id: i64, path: &[&str]) {
    for to in path {
        let res = staff
            .post(app.url(&format!("/staff/cases/{id}/transition")))
            .form(&[("to", *to), ("message", "已办结，感谢监督。")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "move to {to}");
    }
}

fn rate_url(app: &TestApp, no: &str) -> String {
    app.url(&format!("/api/v1/complaints/{no}/rating"))
}

async fn ratings(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM case_ratings").fetch_one(app.db.state.store.pool()).await.unwrap()
}

async fn a_reporter_rates_over_the_api_and_a_dissatisfied_case_comes_back(engine: Backend) {
    // An SMS gateway nobody answers: the invitations wait in the outbox, where the test reads their keys.
    let app = TestApp::start(engine, |c| c.sms_url = Some("http://127.0.0.1:9/sms".into())).await;
    let invitations = |no: String| {
        let pool = app.db.state.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE 'case-rate:%' \
                 AND idempotency_key LIKE $1 ORDER BY id",
            )
            .bind(format!("%{no}%"))
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let staff = app.client_as("demo_moderator").await;
    let (id, no, code) = file(&app, "").await;
    let rate =
        |code: &str, body: Value| client().post(rate_url(&app, &no)).header("x-access-code", code).json(&body).send();
    // Undecided: refused naming the field; nothing stored.
    let before = ratings(&app).await;
    let res = rate(&code, serde_json::json!({ "level": "satisfied" })).await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "level");
    decide(&app, &staff, id, &["accepted", "unsubstantiated"]).await;
    assert_eq!(invitations(no.clone()).await, [format!("case-rate:{no}:1")], "the decision invites a rating");
    let t = json(
        client().get(app.url(&format!("/api/v1/complaints/{no}"))).header("x-access-code", &code).send().await.unwrap(),
    )
    .await;
    assert_eq!((t["rating"]["can_rate"].as_bool(), t["rating"]["can_reopen"].as_bool()), (Some(true), Some(true)));
    // A wrong code is the same 404 as ever; bad bodies name their field.
    let res = rate("ZZZZZZZZZZ", serde_json::json!({ "level": "satisfied" })).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for (body, field) in [
        (serde_json::json!({ "level": "很好" }), "level"),
        (serde_json::json!({ "level": "satisfied", "reopen": true, "comment": "x" }), "reopen"),
        (serde_json::json!({ "level": "dissatisfied", "reopen": true }), "comment"),
        (serde_json::json!({ "level": "basic", "comment": "长".repeat(501) }), "comment"),
    ] {
        let res = rate(&code, body.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(json(res).await["error"]["field"], field, "{body}");
    }
    assert_eq!(ratings(&app).await, before, "nothing stored");
    // 不满意 with a reason: back in the moderators' queue, flagged; a line on the public timeline.
    let res =
        rate(&code, serde_json::json!({ "level": "dissatisfied", "comment": "仍在销售过期酸奶", "reopen": true }))
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(res.headers(), "cache-control").contains("no-store"), "an answer behind an access code");
    let body = json(res).await;
    assert!(body["reopened_at"].as_i64().is_some() && body["can_rate"] == false);
    let queue = staff.get(app.url("/staff/cases")).send().await.unwrap().text().await.unwrap();
    let row = queue.split("<tr").find(|r| r.contains(&no)).expect("the case is in the queue");
    assert!(row.contains("回访不满意"), "flagged in the queue");
    let t = json(
        client().get(app.url(&format!("/api/v1/complaints/{no}"))).header("x-access-code", &code).send().await.unwrap(),
    )
    .await;
    assert_eq!(t["state"], "investigating");
    assert_eq!(t["timeline"].as_array().unwrap().last().unwrap()["reopened"], true);
    // Decided again and rated again; never reopened twice, never rated twice.
    decide(&app, &staff, id, &["substantiated"]).await;
    assert_eq!(invitations(no.clone()).await, [format!("case-rate:{no}:1"), format!("case-rate:{no}:2")]);
    let res = rate(&code, serde_json::json!({ "level": "dissatisfied", "comment": "还是不行", "reopen": true }))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "reopen");
    let res = rate(&code, serde_json::json!({ "level": "very_satisfied" })).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = rate(&code, serde_json::json!({ "level": "very_satisfied" })).await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(ratings(&app).await, before + 2);
    app.stop().await;
}

async fn the_track_page_rates_without_javascript_and_names_the_field(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let stats = |app: &TestApp| {
        let url = app.url("/api/v1/stats?fresh=1");
        async move {
            json(client().get(url).send().await.unwrap()).await["satisfaction"]["overall"]["ratings"].as_i64().unwrap()
        }
    };
    let counted = stats(&app).await;
    let (id, no, code) = file(&app, "").await;
    decide(&app, &staff, id, &["accepted", "substantiated"]).await;
    let browser = Client::builder().cookie_store(true).redirect(redirect::Policy::none()).build().unwrap();
    let res = browser
        .post(app.url("/track"))
        .header(ACCEPT, "text/html")
        .form(&[("tracking_no", no.as_str()), ("access_code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = browser.get(app.url("/track")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("action=\"/track/rating\"") && page.contains("name=\"reopen\""), "the form is offered");
    // A level that is not one: back to the page, naming the field.
    let res = browser
        .post(app.url("/track/rating"))
        .header(ACCEPT, "text/html")
        .form(&[("level", "bogus")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = header(res.headers(), "location").to_owned();
    assert!(to.starts_with("/track") && to.contains("field=level"), "{to}");
    let res = browser
        .post(app.url("/track/rating"))
        .header(ACCEPT, "text/html")
        .form(&[("level", "satisfied"), ("comment", "处理及时")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(header(res.headers(), "location").starts_with("/track?rated=1"));
    let page = browser.get(app.url("/track?rated=1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("感谢您的评价") && page.contains("处理及时"));
    assert!(!page.contains("action=\"/track/rating\""), "rated once: no second form");
    // Without the track cookie there is nothing to rate.
    let res = client().post(app.url("/track/rating")).form(&[("level", "satisfied")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The statistics moved, and the page shows the rate.
    assert_eq!(stats(&app).await, counted + 1);
    let page = client().get(app.url("/stats")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("群众满意度") && page.contains("满意率"));
    app.stop().await;
}

async fn staff_record_phone_call_backs_and_ratings_are_bounded_per_network(engine: Backend) {
    let app = TestApp::start(engine, |c| c.network_bounds.ratings = backend::config::Bound::new(3, 5)).await;
    let staff = app.client_as("demo_moderator").await;
    // A hotline case typed in by staff, decided, rated on the phone.
    let res = staff
        .post(app.url("/staff/cases"))
        .form(&[
            ("channel", "hotline"),
            ("kind", "投诉"),
            ("business_name", "某某超市"),
            ("category", "过期食品"),
            ("description", "电话反映：超市销售过期面包。"),
            ("reporter_name", "王五"),
            ("reporter_phone", PHONE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM cases WHERE channel = 'hotline'")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    decide(&app, &staff, id, &["accepted", "substantiated"]).await;
    let audited = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'cases.callback'")
            .fetch_one(app.db.state.store.pool())
            .await
            .unwrap()
    };
    let audited_before = audited().await;
    let page = staff.get(app.url(&format!("/staff/cases/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("action=\"/staff/cases/{id}/callback\"")));
    let res = staff
        .post(app.url(&format!("/staff/cases/{id}/callback")))
        .form(&[("level", "basic"), ("comment", "电话回访：基本满意")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client()
        .post(app.url(&format!("/staff/cases/{id}/callback")))
        .form(&[("level", "basic")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (web, _, _) = file(&app, "").await;
    decide(&app, &staff, web, &["accepted", "substantiated"]).await;
    let res =
        staff.post(app.url(&format!("/staff/cases/{web}/callback"))).form(&[("level", "basic")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "channel", "a web reporter rates with the access code");
    assert_eq!(audited().await, audited_before + 1, "the call-back is audited, the refusal is not");
    // The network's bound: three a minute, wrong codes included, then 429 with Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let res = client()
            .post(rate_url(&app, "JB-20000101-000000"))
            .header("x-access-code", "ZZZZZZZZZZ")
            .json(&serde_json::json!({ "level": "satisfied" }))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(!header(res.headers(), "retry-after").is_empty());
        }
    }
    assert_eq!(statuses, [404, 404, 404, 429]);
    app.stop().await;
}

async fn a_business_discloses_its_decided_complaints_only(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    // A registry business with no demo case against it.
    let credit_code: String = sqlx::query_scalar(
        "SELECT credit_code FROM businesses b WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.business_id = b.id) \
         ORDER BY id LIMIT 1",
    )
    .fetch_one(app.db.state.store.pool())
    .await
    .unwrap();
    let (decided, _, _) = file(&app, &credit_code).await;
    let (open, _, _) = file(&app, &credit_code).await;
    decide(&app, &staff, decided, &["accepted", "substantiated"]).await;
    decide(&app, &staff, open, &["accepted"]).await;
    let b =
        json(client().get(app.url(&format!("/api/v1/businesses/{credit_code}?fresh=1"))).send().await.unwrap()).await;
    let c = &b["complaints"];
    assert_eq!((c["total"].as_i64(), c["substantiated"].as_i64()), (Some(1), Some(1)), "{c}");
    assert_eq!(c["by_category"][0]["category"], "过期食品");
    let text = b.to_string();
    assert!(!text.contains(PHONE) && !text.contains("李四") && !text.contains("酸奶"), "de-identified");
    let page =
        client().get(app.url(&format!("/credit/{credit_code}?fresh=1"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("投诉举报公示") && page.contains("disclosure-total"));
    assert!(!page.contains(PHONE) && !page.contains("李四"));
    app.stop().await;
}
