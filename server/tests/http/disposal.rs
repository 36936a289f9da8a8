//! 核查处置 over HTTP, on SQLite and on PostgreSQL: staff record steps by form (browsers) and by post (programs),
//! refusals name the field and store nothing, the timeline shows on the results, the business page, the round
//! and in the API; 消费提示 from the news form onto the home page.

use crate::common::*;

on_both!(
    staff_record_steps_and_the_public_sees_the_timeline,
    refused_steps_name_their_field_and_store_nothing,
    a_consumer_alert_is_on_the_home_page_and_linked_from_its_batch,
    concurrent_steps_of_distinct_batches,
);

const DAY: i64 = 86_400;

/// A form's fields.
type Fields = Vec<(&'static str, String)>;

fn day(offset: i64) -> String {
    domain::clock::format_date(backend::clock::now() + offset * DAY)
}

/// A failing batch of a registry business, sampled `days_ago`, published through the staff form; its id.
async fn failing_batch(app: &TestApp, staff: &Client, credit_code: &str, days_ago: i64) -> i64 {
    let form = reqwest::multipart::Form::new()
        .text("food", "米粉")
        .text("food_category", "粮食加工品")
        .text("place", "restaurant")
        .text("credit_code", credit_code.to_owned())
        .text("sampled_on", day(-days_ago))
        .text("items", "苯甲酸\n二氧化硫残留量")
        .text("verdict", "fail")
        .text("failures", "苯甲酸 | 0.6 g/kg | 不得使用");
    let res = staff.post(app.url("/staff/results")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    json(res).await["id"].as_i64().unwrap()
}

/// A business of this test's own, with no sampling record yet.
async fn some_business(app: &TestApp) -> String {
    let b = domain::credit::BusinessFields {
        credit_code: code("91510703MA", 7_700_001),
        name: "处置测试米粉店".into(),
        address: "涪城区临园路9号".into(),
        district: "涪城区".into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    backend::credit::save_business(app.db.store(), &backend::staff::audit::Actor::cli(), &b).await.unwrap();
    b.credit_code.as_str().to_owned()
}

async fn steps_stored(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM disposal_steps WHERE batch_id = $1")
        .bind(id)
        .fetch_one(app.db.store().pool())
        .await
        .unwrap()
}

async fn staff_record_steps_and_the_public_sees_the_timeline(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let code = some_business(&app).await;
    let id = failing_batch(&app, &staff, &code, 3).await;
    let url = app.url(&format!("/staff/results/{id}/disposal"));

    // Nothing done yet: the API shows every step expected, 核查 due.
    let d = json(client().get(app.url(&format!("/api/v1/results/{id}/disposal"))).send().await.unwrap()).await;
    assert_eq!(d["overdue"], false);
    assert_eq!((d["steps"][0]["kind"].as_str(), d["steps"][0]["status"].as_str()), (Some("check"), Some("due")));
    assert!(d["steps"][0]["deadline"].as_i64().is_some());

    // A browser's form post: 303 to the batch's page, which says so.
    let res = staff
        .post(&url)
        .header(ACCEPT, "text/html")
        .form(&[("kind", "check"), ("done_on", &day(-1)), ("note", "已约谈经营者")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), format!("/staff/results/{id}?saved=1"));
    let page = staff.get(app.url(&format!("/staff/results/{id}?saved=1"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("处置步骤已记录") && page.contains("已约谈经营者"), "the batch page shows the step");
    // A program's post: 201 and JSON.
    let res = staff
        .post(&url)
        .form(&[("kind", "control"), ("done_on", &day(0)), ("removed", "200"), ("unit", "kg")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json(res).await["ok"], true);
    staff.post(&url).form(&[("kind", "case_filed"), ("done_on", &day(0))]).send().await.unwrap();

    // The API, the results list, the business page and the audit log.
    let d = json(client().get(app.url(&format!("/api/v1/results/{id}/disposal"))).send().await.unwrap()).await;
    let steps = d["steps"].as_array().unwrap();
    let control = steps.iter().find(|s| s["kind"] == "control").unwrap();
    assert_eq!(control["step"]["removed"], 200.0);
    assert_eq!(control["step"]["unit"], "kg");
    assert_eq!(steps.iter().find(|s| s["kind"] == "penalty").unwrap()["status"], "due");
    let list = json(client().get(app.url("/api/v1/results?verdict=fail&per_page=100")).send().await.unwrap()).await;
    let mine = list["items"].as_array().unwrap().iter().find(|b| b["id"] == id).unwrap();
    assert_eq!(mine["disposal"], d, "the list carries the same timeline");
    let passing = json(client().get(app.url("/api/v1/results?verdict=pass&per_page=1")).send().await.unwrap()).await;
    assert!(passing["items"][0]["disposal"].is_null());
    let business = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    for shown in ["核查处置", "已下架 200 千克", "已立案", "已约谈经营者"] {
        assert!(business.contains(shown), "business page shows {shown}");
    }
    let results = client().get(app.url("/results?verdict=fail")).send().await.unwrap().text().await.unwrap();
    assert!(results.contains(&format!("id=\"disposal-{id}\"")));
    let admin = app.client_as("demo_admin").await;
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("记录核查处置步骤") || log.contains("sampling.disposal_step"));

    // The demo's round shows one summary line per candidate sampled, with what was done.
    let rounds = json(client().get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    let done = rounds.as_array().unwrap().iter().find(|r| r["phase"] == "published").unwrap();
    let page = client().get(app.url(&format!("/picks/{}", done["id"]))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("2 批抽检，1 批不合格，已下架 200 千克，已立案"), "the round's summary line");
    app.stop().await;
}

async fn refused_steps_name_their_field_and_store_nothing(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let code = some_business(&app).await;
    let id = failing_batch(&app, &staff, &code, 3).await;
    let post = |path: String, form: Fields| staff.post(app.url(&path)).form(&form).send();
    let path = format!("/staff/results/{id}/disposal");
    let cases: Vec<(Fields, u16, &str)> = vec![
        (
            vec![("kind", "control".into()), ("done_on", day(0)), ("removed", "1".into()), ("unit", "kg".into())],
            400,
            "kind",
        ),
        (
            vec![
                ("kind", "penalty".into()),
                ("done_on", day(0)),
                ("decision_no", "1号".into()),
                ("measures", "罚款".into()),
            ],
            400,
            "kind",
        ),
        (vec![("kind", "check".into()), ("done_on", day(-4))], 400, "done_on"),
        (vec![("kind", "check".into()), ("done_on", day(2))], 400, "done_on"),
        (vec![("kind", "check".into()), ("done_on", "2026-13-01".into())], 400, "done_on"),
        (vec![("kind", "dance".into()), ("done_on", day(0))], 400, "kind"),
        (vec![("kind", "check".into()), ("done_on", day(0)), ("note", "x".repeat(501))], 400, "note"),
    ];
    for (form, status, field) in cases {
        let res = post(path.clone(), form.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{form:?}");
        assert_eq!(json(res).await["error"]["field"], field, "{form:?}");
    }
    staff.post(app.url(&path)).form(&[("kind", "check"), ("done_on", &day(-1))]).send().await.unwrap();
    for (form, field) in [
        (vec![("kind", "control"), ("done_on", &*day(0)), ("removed", "两百"), ("unit", "kg")], "removed"),
        (vec![("kind", "control"), ("done_on", &*day(0)), ("removed", "1e3"), ("unit", "kg")], "removed"),
        (vec![("kind", "control"), ("done_on", &*day(0)), ("recalled", "-5"), ("unit", "kg")], "recalled"),
        (vec![("kind", "control"), ("done_on", &*day(0)), ("removed", "5"), ("unit", "吨")], "unit"),
        (vec![("kind", "control"), ("done_on", &*day(-2))], "removed"),
        (vec![("kind", "retest"), ("done_on", &*day(0)), ("retest_result", "maybe")], "retest_result"),
    ] {
        let res = staff.post(app.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(json(res).await["error"]["field"], field, "{form:?}");
    }
    // The same step twice: 409 naming it.
    let res = staff.post(app.url(&path)).form(&[("kind", "check"), ("done_on", &day(0))]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "kind");
    assert_eq!(steps_stored(&app, id).await, 1, "only the valid step stored");

    // A passing batch, an unknown one, an id that cannot exist: 404.
    let pass = json(client().get(app.url("/api/v1/results?verdict=pass&per_page=1")).send().await.unwrap()).await;
    let pass = pass["items"][0]["id"].as_i64().unwrap();
    for bad in [pass.to_string(), "999999".into(), "x".into()] {
        let res = staff
            .post(app.url(&format!("/staff/results/{bad}/disposal")))
            .form(&[("kind", "check"), ("done_on", &day(0))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        let res = client().get(app.url(&format!("/api/v1/results/{bad}/disposal"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(steps_stored(&app, pass).await, 0);

    // A browser is sent back to the batch's page, the message next to the field.
    let res = staff
        .post(app.url(&path))
        .header(ACCEPT, "text/html")
        .form(&[("kind", "control"), ("done_on", &day(0)), ("removed", "两百"), ("unit", "kg")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = header(res.headers(), "location").to_owned();
    assert!(back.starts_with(&format!("/staff/results/{id}?")) && back.contains("field=removed"), "{back}");
    let page = staff.get(app.url(&back)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("role=\"alert\""), "the error shows on the page");

    // A viewer may not record steps; nobody signed out either.
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.post(app.url(&path)).form(&[("kind", "control")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client().post(app.url(&path)).form(&[("kind", "control")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(steps_stored(&app, id).await, 1);
    app.stop().await;
}

async fn a_consumer_alert_is_on_the_home_page_and_linked_from_its_batch(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let code = some_business(&app).await;
    let id = failing_batch(&app, &staff, &code, 3).await;
    // The batch's page offers the alert; the news form comes filled with the batch and the tag.
    let page = staff.get(app.url(&format!("/staff/results/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/staff/news?batch={id}")));
    let form = staff.get(app.url(&format!("/staff/news?batch={id}"))).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(&format!("value=\"{id}\"")), "batch filled in");
    let article = |batch: String| {
        reqwest::multipart::Form::new()
            .text("title", "消费提示：某米粉店米粉抽检不合格")
            .text("body", "请停止食用，凭票退货。")
            .text("tags", "消费提示")
            .text("status", "publish")
            .text("batch_id", batch)
    };
    let res = staff.post(app.url("/staff/news")).multipart(article("9999999".into())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(res).await["error"]["field"], "batch_id");
    let res = staff.post(app.url("/staff/news")).multipart(article("abc".into())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["field"], "batch_id");
    let res = staff.post(app.url("/staff/news")).multipart(article(id.to_string())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let article_id = json(res).await["id"].as_i64().unwrap();
    let home = client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("id=\"alerts-title\"") && home.contains("某米粉店米粉抽检不合格"));
    let d = json(client().get(app.url(&format!("/api/v1/results/{id}/disposal"))).send().await.unwrap()).await;
    assert!(d["alerts"].as_array().unwrap().iter().any(|a| a == article_id));
    let news = json(client().get(app.url("/api/v1/news?tag=消费提示")).send().await.unwrap()).await;
    assert!(news["items"].as_array().unwrap().iter().any(|a| a["id"] == article_id && a["batch_id"] == id));
    app.stop().await;
}

async fn concurrent_steps_of_distinct_batches(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let staff = app.client_as("demo_moderator").await;
    let code = some_business(&app).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(failing_batch(&app, &staff, &code, 2).await);
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (staff, url, on) = (staff.clone(), app.url(&format!("/staff/results/{id}/disposal")), day(0));
            tokio::spawn(async move {
                staff.post(url).form(&[("kind", "check"), ("done_on", &on)]).send().await.unwrap().status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    for id in ids {
        assert_eq!(steps_stored(&app, id).await, 1);
    }
    app.stop().await;
}
