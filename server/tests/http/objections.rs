//! HTTP tests of 异议 · 信用修复 (#20): the demo's pending downgrade and 待检查 on pages and in the API, an
//! objection filed through the API and through the no-JavaScript form, refusals naming their field, staff
//! decisions, and a waiver; each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::testing::Backend;

on_both!(
    objections_are_filed_decided_and_shown,
    a_waiver_and_a_rejection_publish_the_pending_grade,
    with_a_gateway_the_contacts_phone_is_verified_by_a_code,
);

async fn registry(app: &TestApp) -> Vec<Value> {
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    all.as_array().unwrap().clone()
}

async fn detail(app: &TestApp, code: &str) -> Value {
    json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await
}

async fn page(app: &TestApp, code: &str) -> String {
    client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap()
}

fn no_redirects() -> Client {
    Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

async fn objections_are_filed_decided_and_shown(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = registry(&app).await;
    // The demo's own pending downgrade (other demo writes may leave some too): its penalty is the demo seed's own.
    let mut demo = None;
    for b in all.iter().filter(|b| b["new_rating_pending"] == true && b["licence_no"].is_string()) {
        let d = detail(&app, b["credit_code"].as_str().unwrap()).await;
        let own = d["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["description"].as_str().unwrap().contains("未按规定公示食品经营许可证"));
        if let Some(e) = own {
            demo = Some((b.clone(), e["id"].as_i64().unwrap(), d["grade"].clone()));
            break;
        }
    }
    let (pending, event, grade_before) = demo.expect("a pending downgrade in the demo");
    let code = pending["credit_code"].as_str().unwrap().to_owned();
    let licence = pending["licence_no"].as_str().unwrap().to_owned();
    assert!(pending["rating_date"].as_i64().is_some());
    assert!(page(&app, &code).await.contains("新评级待公布"));
    let awaiting = all.iter().find(|b| b["awaiting_inspection"] == true).expect("待检查 in the demo");
    assert!(page(&app, awaiting["credit_code"].as_str().unwrap()).await.contains("待检查"));
    let other = all.iter().find(|b| b["credit_code"] != code.as_str() && b["licence_no"].is_string()).unwrap();
    let other_code = other["credit_code"].as_str().unwrap();
    let url = app.url(&format!("/api/v1/businesses/{code}/objections"));
    let body = |licence: &str, event: i64| {
        serde_json::json!({
            "kind": "objection",
            "event_id": event.to_string(),
            "licence_no": licence,
            "statement": "检查当日我店并未营业，记录有误，附营业记录。",
            "contact": "王先生 13800001234",
        })
    };

    // Refusals name the field and store nothing.
    let wrong = other["licence_no"].as_str().unwrap();
    let res = client().post(&url).json(&body(wrong, event)).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "licence_no", "a credit code with another's licence");
    let theirs = detail(&app, other_code).await;
    if let Some(their_event) = theirs["events"][0]["id"].as_i64() {
        let res = client().post(&url).json(&body(&licence, their_event)).send().await.unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(json(res).await["error"]["field"], "event_id", "another business's event");
    }
    let res = client()
        .post(&url)
        .json(&serde_json::json!({"kind": "objection", "licence_no": licence, "statement": "理由足够长的一段文字。", "contact": "王先生 138"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(res).await["error"]["field"], "event_id", "an objection names its event");
    assert!(detail(&app, &code).await["open_objection"].is_null());

    // The no-JavaScript form: 303 back to the page with the request registered.
    let form = [
        ("kind", "objection".to_owned()),
        ("event_id", event.to_string()),
        ("licence_no", licence.clone()),
        ("statement", "检查当日我店并未营业，记录有误，附营业记录。".to_owned()),
        ("contact", "王先生 13800001234".to_owned()),
    ];
    let res = no_redirects()
        .post(app.url(&format!("/credit/{code}/objection")))
        .header(ACCEPT, "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), format!("/credit/{code}?objected=1#objections"));
    // A second open objection on the same event: refused, for programs and browsers alike.
    let res = client().post(&url).json(&body(&licence, event)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "event_id");
    let res = no_redirects()
        .post(app.url(&format!("/credit/{code}/objection")))
        .header(ACCEPT, "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/credit/{code}?error=conflict&field=event_id"));

    // The API shows the open objection's state; the page its deadline.
    let d = detail(&app, &code).await;
    assert_eq!((d["open_objection"]["state"].as_str(), d["new_rating_pending"].as_bool()), (Some("open"), Some(true)));
    assert!(d["open_objection"]["contact"].is_null() && d["open_objection"]["statement"].is_null(), "private");
    let id = d["open_objection"]["id"].as_i64().unwrap();
    assert!(page(&app, &code).await.contains("该商户有一项异议正在处理"));

    // Staff: viewers cannot decide; moderators see the statement and contact, and decide with reasons.
    let viewer = app.client_as("demo_viewer").await;
    let decide = format!("/staff/objections/{id}/decide");
    let res = viewer.post(app.url(&decide)).form(&[("decision", "upheld"), ("reasons", "理由")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let moderator = app.client_as("demo_moderator").await;
    let queue = moderator.get(app.url("/staff/objections")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("检查当日我店并未营业") && queue.contains("13800001234"));
    let res = moderator.post(app.url(&decide)).form(&[("decision", "upheld"), ("reasons", "")]).send().await.unwrap();
    assert_eq!(json(res).await["error"]["field"], "reasons", "a decision states its reasons");
    let res = moderator
        .post(app.url(&decide))
        .form(&[("decision", "upheld"), ("reasons", "营业记录属实，撤销该记录。")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = moderator.post(app.url(&decide)).form(&[("decision", "rejected"), ("reasons", "改判")]).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "decision", "a decided objection is not decided again");

    // Upheld: the event annulled, the old grade kept and no longer pending, the decision public with reasons.
    let d = detail(&app, &code).await;
    assert_eq!(d["grade"], grade_before);
    assert_eq!(d["new_rating_pending"], false);
    let annulled = d["events"].as_array().unwrap().iter().find(|e| e["id"] == event).unwrap();
    assert_eq!((annulled["annulled"].as_bool(), annulled["points"].as_i64()), (Some(true), Some(0)));
    assert_eq!(d["objections"][0]["state"], "upheld");
    assert_eq!(d["objections"][0]["reasons"], "营业记录属实，撤销该记录。");
    let html = page(&app, &code).await;
    assert!(!html.contains("新评级待公布") && html.contains("营业记录属实"));
    // The audit log has it.
    let admin = app.client_as("demo_admin").await;
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("credit.objection_upheld") || log.contains("异议（申请）予以支持"));
    app.stop().await;
}

async fn a_waiver_and_a_rejection_publish_the_pending_grade(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = registry(&app).await;
    let mut fresh = all
        .iter()
        .filter(|b| {
            b["grade"] == "A" && b["score"] == 100 && b["licence_no"].is_string() && b["new_rating_pending"] == false
        })
        .map(|b| (b["credit_code"].as_str().unwrap().to_owned(), b["licence_no"].as_str().unwrap().to_owned()));
    let (waiving, waiving_licence) = fresh.next().unwrap();
    let (objecting, objecting_licence) = fresh.next().unwrap();
    let moderator = app.client_as("demo_moderator").await;
    let today = domain::clock::format_date(backend::clock::now());
    for code in [&waiving, &objecting] {
        let res = moderator
            .post(app.url("/staff/events"))
            .form(&[
                ("credit_code", code.as_str()),
                ("kind", "penalty"),
                ("severity", "general"),
                ("occurred_at", today.as_str()),
                ("source", "市场监管局"),
                ("description", "未按规定公示许可证"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let d = detail(&app, code).await;
        assert_eq!((d["grade"].as_str(), d["new_rating_pending"].as_bool()), (Some("A"), Some(true)));
    }
    // A waiver with the wrong licence changes nothing; with its own, the new grade is published at once.
    let waiver = app.url(&format!("/api/v1/businesses/{waiving}/waiver"));
    let res = client().post(&waiver).json(&serde_json::json!({ "licence_no": objecting_licence })).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "licence_no");
    assert_eq!(detail(&app, &waiving).await["new_rating_pending"], true);
    let res = no_redirects()
        .post(app.url(&format!("/credit/{waiving}/waive")))
        .header(ACCEPT, "text/html")
        .form(&[("licence_no", waiving_licence.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), format!("/credit/{waiving}?waived=1"));
    let d = detail(&app, &waiving).await;
    assert_eq!((d["grade"].as_str(), d["new_rating_pending"].as_bool()), (Some("B"), Some(false)));
    assert!(d["score"].as_i64().unwrap() < 90);
    // Search shows the published grade at once.
    let q = format!("/api/v1/businesses?q={waiving}");
    let found = json(client().get(app.url(&q)).send().await.unwrap()).await;
    assert_eq!(found["items"][0]["grade"], "B");

    // An objection rejected: the pending grade is published.
    let event = detail(&app, &objecting).await["events"][0]["id"].as_i64().unwrap();
    let res = client()
        .post(app.url(&format!("/api/v1/businesses/{objecting}/objections")))
        .json(&serde_json::json!({
            "kind": "objection",
            "event_id": event.to_string(),
            "licence_no": objecting_licence,
            "statement": "我店已按要求公示许可证，检查时被遮挡。",
            "contact": "李女士 13900004321",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let filed = json(res).await;
    assert_eq!(filed["status"], "open");
    assert!(filed["due_at"].as_i64().unwrap() > backend::clock::now());
    let id = filed["id"].as_i64().unwrap();
    let res = moderator
        .post(app.url(&format!("/staff/objections/{id}/decide")))
        .form(&[("decision", "rejected"), ("reasons", "现场照片显示未公示，维持原记录。")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let d = detail(&app, &objecting).await;
    assert_eq!((d["grade"].as_str(), d["new_rating_pending"].as_bool()), (Some("B"), Some(false)));
    assert_eq!(d["objections"][0]["state"], "rejected");
    app.stop().await;
}

async fn with_a_gateway_the_contacts_phone_is_verified_by_a_code(engine: Backend) {
    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| c.sms_url = Some(url)).await;
    let all = registry(&app).await;
    let b = all
        .iter()
        .find(|b| b["grade"] == "A" && b["licence_no"].is_string() && b["new_rating_pending"] == false)
        .unwrap();
    let (code, licence) = (b["credit_code"].as_str().unwrap(), b["licence_no"].as_str().unwrap());
    let moderator = app.client_as("demo_moderator").await;
    let today = domain::clock::format_date(backend::clock::now());
    let res = moderator
        .post(app.url("/staff/events"))
        .form(&[
            ("credit_code", code),
            ("kind", "penalty"),
            ("severity", "major"),
            ("occurred_at", today.as_str()),
            ("source", "市场监管局"),
            ("description", "验证码测试事项"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let d = detail(&app, code).await;
    assert_eq!(d["sms_verification"], true);
    let event = d["events"].as_array().unwrap().iter().find(|e| e["description"] == "验证码测试事项").unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = app.url(&format!("/api/v1/businesses/{code}/objections"));
    let objection = |phone: &str, sms_code: &str| {
        serde_json::json!({
            "kind": "objection", "event_id": event.to_string(), "licence_no": licence,
            "statement": "检查当日我店并未营业，记录有误。", "contact": "王先生 13800005678",
            "phone": phone, "sms_code": sms_code,
        })
    };
    // Without a verified phone nothing is filed.
    let res = client().post(&url).json(&objection("", "")).send().await.unwrap();
    assert_eq!((res.status().as_u16(), json(res).await["error"]["field"].clone()), (400, Value::from("phone")));
    // A code goes only to a phone of the business's licence holder's choosing, once a minute.
    let code_url = app.url(&format!("/api/v1/businesses/{code}/objections/code"));
    let wrong =
        client().post(&code_url).json(&serde_json::json!({ "licence_no": "JY29999999999999", "phone": "13800005678" }));
    let res = wrong.send().await.unwrap();
    assert_eq!(json(res).await["error"]["field"], "licence_no");
    assert!(seen.lock().unwrap().is_empty(), "nothing sent for a wrong licence");
    let ask = || client().post(&code_url).json(&serde_json::json!({ "licence_no": licence, "phone": "138 0000 5678" }));
    assert_eq!(ask().send().await.unwrap().status(), StatusCode::ACCEPTED);
    assert_eq!(ask().send().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS, "one a minute");
    let text = seen.lock().unwrap().last().unwrap()["message"].as_str().unwrap().to_owned();
    let sms: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong_code = if sms == "000000" { "111111" } else { "000000" };
    let res = client().post(&url).json(&objection("13800005678", wrong_code)).send().await.unwrap();
    let e = json(res).await;
    assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("invalid_code"), Some("sms_code")));
    let res = client().post(&url).json(&objection("13800005678", &sms)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // Used up with the filing.
    let again = serde_json::json!({
        "kind": "reinspection", "licence_no": licence, "statement": "整改完成，申请复查。请安排。",
        "contact": "王先生 13800005678", "phone": "13800005678", "sms_code": sms,
    });
    let res = client().post(&url).json(&again).send().await.unwrap();
    assert_eq!(json(res).await["error"]["field"], "sms_code");
    app.stop().await;
}
