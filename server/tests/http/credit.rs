//! HTTP tests of the registry API, business pages, badges, imports, replies and staff registry tools: the real app (real database, real middleware) on port 0,
//! driven with reqwest, each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::testing::Backend;

on_both!(
    business_api_search_detail_and_errors,
    bulk_downloads_badge_and_qr,
    csv_import_reports_rows_and_is_idempotent,
    right_to_reply_is_moderated_then_published,
    staff_edit_businesses_and_record_events,
    json_api_errors_name_the_problem,
    an_import_over_its_cap_is_refused_naming_the_file,
);

async fn business_api_search_detail_and_errors(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    // Search: the list shape outside clients rely on.
    let res = client().get(app.url("/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=5")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let etag = header(res.headers(), "etag").to_owned();
    assert!(etag.starts_with('"'), "ETag on API reads");
    let page = json(res).await;
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 5);
    assert!(page["total"].as_i64().unwrap() > 0);
    let first = &page["items"][0];
    assert!(first["name"].as_str().unwrap().contains("米粉"));
    let code = first["credit_code"].as_str().unwrap().to_owned();
    // Conditional GET.
    let res = client()
        .get(app.url("/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=5"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(header(res.headers(), "etag"), etag);
    assert!(res.bytes().await.unwrap().is_empty(), "a 304 has no body");
    // One business, with the record behind its grade.
    let res = client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let d = json(res).await;
    assert_eq!(d["credit_code"], code.as_str());
    assert!(["A", "B", "C", "D"].contains(&d["grade"].as_str().unwrap()));
    assert!(d["events"].is_array() && d["history"].is_array());
    // An invalid code is a 400 naming the field, not a 404.
    for bad in ["123", "91510703MA0000001X", "%27%3B--"] {
        let res = client().get(app.url(&format!("/api/v1/businesses/{bad}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let body = json(res).await;
        assert_eq!(body["error"]["code"], "invalid_credit_code");
        assert_eq!(body["error"]["field"], "credit_code");
    }
    // A valid code nobody has is a 404.
    let body = "91510703MA0000099";
    let valid = format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap());
    let res = client().get(app.url(&format!("/api/v1/businesses/{valid}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // The type-ahead's plain-text source: code, grade and name per line, at most six.
    let text =
        client().get(app.url("/credit/suggest?q=%E7%B1%B3%E7%B2%89")).send().await.unwrap().text().await.unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert!(!lines.is_empty() && lines.len() <= 6, "{text}");
    assert!(lines.iter().all(|l| l.len() == 3 && l[0].len() == 18 && l[2].contains("米粉")), "{text}");
    assert_eq!(client().get(app.url("/credit/suggest?q=%25")).send().await.unwrap().text().await.unwrap(), "");
    // Bad parameters.
    for (qs, field) in [
        ("per_page=1000", "per_page"),
        ("q=%25", "q"),
        ("grade=E", "grade"),
        ("district=%E5%8C%97%E4%BA%AC", "district"),
        ("page=", "page"),
        ("watch_list=", "watch_list"),
    ] {
        let res = client().get(app.url(&format!("/api/v1/businesses?{qs}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "{qs}");
        assert_eq!(json(res).await["error"]["field"], field, "{qs}");
    }
    app.stop().await;
}

async fn bulk_downloads_badge_and_qr(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let res = client().get(app.url("/api/v1/downloads/businesses.csv")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(res.headers(), "content-type").starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().contains("credit_code,licence_no,name"));
    assert_eq!(lines.count(), 300);
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[0]["credit_code"].as_str().unwrap().to_owned();
    assert_eq!(all.as_array().unwrap().len(), 300);
    let res = client().get(app.url(&format!("/credit/{code}/badge.svg"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(res.headers(), "content-type"), "image/svg+xml");
    assert_eq!(header(res.headers(), "cross-origin-resource-policy"), "cross-origin");
    // The badge shows this business's grade and its meaning, or 待检查 when it was never inspected.
    let grade = all[0]["grade"].as_str().unwrap().to_owned();
    let label = domain::credit::Grade::parse(&grade).unwrap().label().get(domain::Lang::Zh);
    let expected =
        if all[0]["awaiting_inspection"] == true { "— 待检查".to_owned() } else { format!("{grade} {label}") };
    assert!(res.text().await.unwrap().contains(&expected), "badge of grade {grade}");
    if let Some(awaiting) = all.as_array().unwrap().iter().find(|b| b["awaiting_inspection"] == true) {
        let url = app.url(&format!("/credit/{}/badge.svg", awaiting["credit_code"].as_str().unwrap()));
        assert!(client().get(url).send().await.unwrap().text().await.unwrap().contains("待检查"));
    }
    // The QR code encodes this business's page on the host that was asked.
    let res = client().get(app.url(&format!("/credit/{code}/qr.svg"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let host = app.base.trim_start_matches("http://");
    let expected = qrcode::QrCode::new(format!("http://{host}/credit/{code}").as_bytes())
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    assert_eq!(res.text().await.unwrap(), expected, "the QR code points at the business page");
    // The page itself, rendered on the server.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&code) && html.contains("信用记录"));
    let res = client().get(app.url("/credit/NOT-A-CODE")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    app.stop().await;
}

async fn csv_import_reports_rows_and_is_idempotent(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let code = |n: u32| {
        let body = format!("91510781MA{n:07}");
        format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap())
    };
    let csv = format!(
        "credit_code,name,address,district,category,licence_no\n\
         {},江油白酒厂,四川省绵阳市江油市中坝镇1号,江油市,生产,SC15107810000011\n\
         {},太白面馆,四川省绵阳市江油市太白路2号,江油市,餐饮,\n\
         BADCODE,坏数据,地址,江油市,餐饮,\n\
         {},无区县,地址,北京市,餐饮,\n\
         {},重复一,地址,江油市,餐饮,\n\
         {},重复二,地址,江油市,餐饮,\n",
        code(1),
        code(2),
        code(3),
        code(4),
        code(4)
    );
    let actor = backend::staff::audit::Actor::cli();
    let import = |data: Vec<u8>| {
        let store = app.db.store().clone();
        let actor = actor.clone();
        async move { backend::credit::import::import_now(&store, &actor, &data, |_, _| {}).await.unwrap() }
    };
    let r = import(csv.clone().into_bytes()).await;
    assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));
    let lines: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(lines, [(4, "credit_code"), (5, "district"), (6, "credit_code"), (7, "credit_code")]);
    let again = import(csv.into_bytes()).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "re-running changes nothing");
    // Missing columns: refused whole, on line 1.
    let r = import(b"credit_code,name\n".to_vec()).await;
    assert_eq!((r.created, r.errors.len(), r.errors[0].line), (0, 1, 1));
    assert!(r.errors[0].message.contains("address"), "{}", r.errors[0].message);
    // Bad encoding is a row error naming the column, not a crash.
    let mut bad = b"credit_code,name,address,district,category\n".to_vec();
    bad.extend_from_slice(format!("{},", code(9)).as_bytes());
    bad.extend_from_slice(&[0xB4, 0xED, 0xCE, 0xF3]);
    bad.extend_from_slice(",地址,江油市,餐饮\n".as_bytes());
    let r = import(bad).await;
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].field, "name");
    app.stop().await;
}

async fn right_to_reply_is_moderated_then_published(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[3]["credit_code"].as_str().unwrap().to_owned();
    let reply = "我店已于上月完成后厨整改，欢迎监督。";
    // Validation names the field.
    let res = client()
        .post(app.url(&format!("/credit/{code}/reply")))
        .form(&[("kind", "reply"), ("body", "太短"), ("contact", "张先生 13800000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["field"], "body");
    let res = client()
        .post(app.url(&format!("/credit/{code}/reply")))
        .form(&[("kind", "reply"), ("body", reply), ("contact", "张先生 13800000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = json(res).await["id"].as_i64().unwrap();
    // Not public before review; the contact never is.
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(reply));
    // Viewers cannot moderate; moderators can.
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "approve")]).send();
    assert_eq!(res.await.unwrap().status(), 403);
    let moderator = app.client_as("demo_moderator").await;
    let queue = moderator.get(app.url("/staff/replies")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains(reply) && queue.contains("13800000000"), "staff see the text and the contact");
    let res = moderator.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "approve")]).send();
    assert_eq!(res.await.unwrap().status(), 200);
    let page = client().get(app.url(&format!("/credit/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(reply) && page.contains("商户自述"), "published as the business's own words");
    assert!(!page.contains("13800000000"), "the contact is never public");
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap()).await;
    assert_eq!(detail["replies"][0]["body"], reply);
    assert!(detail["replies"][0]["contact"].is_null());
    // Deciding twice is a 404 (nothing pending).
    let res = moderator.post(app.url(&format!("/staff/replies/{id}/decide"))).form(&[("decision", "reject")]).send();
    assert_eq!(res.await.unwrap().status(), 404);
    app.stop().await;
}

async fn staff_edit_businesses_and_record_events(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let body = "91510704MA0000777";
    let code = format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap());
    let form = |name: &'static str| {
        vec![
            ("credit_code", code.clone()),
            ("name", name.to_owned()),
            ("address", "四川省绵阳市游仙区东街9号".to_owned()),
            ("district", "游仙区".to_owned()),
            ("category", "餐饮".to_owned()),
            ("licence_no", "JY25107040009999".to_owned()),
        ]
    };
    let viewer = app.client_as("demo_viewer").await;
    assert_eq!(viewer.post(app.url("/staff/businesses")).form(&form("仙海鱼庄")).send().await.unwrap().status(), 403);
    assert_eq!(viewer.get(app.url("/staff/businesses")).send().await.unwrap().status(), 403);
    let moderator = app.client_as("demo_moderator").await;
    let res = moderator.post(app.url("/staff/businesses")).form(&form("仙海鱼庄")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = moderator.post(app.url("/staff/businesses")).form(&form("仙海鱼庄（东街店）")).send().await.unwrap();
    assert_eq!(json(res).await["outcome"], "updated");
    let mut bad = form("x");
    bad[0].1 = "91510704MA0000777Q".into();
    let res = moderator.post(app.url("/staff/businesses")).form(&bad).send().await.unwrap();
    assert_eq!(json(res).await["error"]["code"], "invalid_credit_code");
    let res = moderator
        .post(app.url("/staff/events"))
        .form(&[
            ("credit_code", code.as_str()),
            ("kind", "sampling_failure"),
            ("severity", "major"),
            ("occurred_at", &domain::clock::format_date(backend::clock::now())),
            ("source", "2026年第40期抽检通告"),
            ("description", "鱼肉检出孔雀石绿"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap();
    let etag_before = header(res.headers(), "etag").to_owned();
    let d = json(res).await;
    assert_eq!(d["name"], "仙海鱼庄（东街店）");
    // The downgrade waits for the objection window: the grade in force stays, marked 新评级待公布.
    assert_eq!((d["score"].as_i64().unwrap(), d["grade"].as_str().unwrap()), (100, "A"));
    assert_eq!(d["new_rating_pending"], true);
    assert_eq!(d["open_objection"], serde_json::Value::Null);
    assert_eq!(d["events"][0]["points"], -20);
    assert_eq!(d["events"][0]["source"], "2026年第40期抽检通告");
    // A staff write clears the cached answer at once, and the ETag follows the content.
    let res = moderator.post(app.url("/staff/businesses")).form(&form("仙海鱼庄（新店）")).send().await.unwrap();
    assert_eq!(json(res).await["outcome"], "updated");
    let res = client().get(app.url(&format!("/api/v1/businesses/{code}"))).send().await.unwrap();
    assert_ne!(header(res.headers(), "etag"), etag_before);
    assert_eq!(json(res).await["name"], "仙海鱼庄（新店）");
    let admin = app.client_as("demo_admin").await;
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("business.create") && log.contains("business.update") && log.contains("credit.event_add"));
    // CSV upload from the console.
    let csv = format!("credit_code,name,address,district,category\n{code},仙海鱼庄,四川省绵阳市游仙区东街9号,游仙区,餐饮\nBAD,x,y,游仙区,餐饮\n");
    let part = reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("registry.csv");
    let res = moderator
        .post(app.url("/staff/businesses/import"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    // The import runs as a background job; its page shows the report when it is done.
    assert_eq!(res.status(), 202);
    let job = json(res).await["job_id"].as_i64().unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        page = moderator.get(app.url(&format!("/staff/imports/{job}"))).send().await.unwrap().text().await.unwrap();
        if !page.contains("正在导入") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("导入完成"), "{page}");
    let job = backend::credit::import::job(app.db.store(), job).await.unwrap().unwrap();
    assert_eq!((job.report.updated, job.report.errors.len(), job.report.errors[0].line), (1, 1, 3));
    assert_eq!(viewer.get(app.url("/staff/imports/1")).send().await.unwrap().status(), 403);
    let log = admin.get(app.url("/staff/audit")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains("business.import_started") && log.contains("business.import"), "imports are audited");
    app.stop().await;
}

async fn json_api_errors_name_the_problem(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let all = json(client().get(app.url("/api/v1/downloads/businesses.json")).send().await.unwrap()).await;
    let code = all[5]["credit_code"].as_str().unwrap().to_owned();
    let licence = all[5]["licence_no"].as_str().unwrap().to_owned();
    let url = app.url(&format!("/api/v1/businesses/{code}/replies"));
    // Malformed JSON.
    let res = client().post(&url).header(CONTENT_TYPE, "application/json").body("{\"kind\": ").send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["code"], "invalid_json");
    // Wrong content type.
    let res = client().post(&url).header(CONTENT_TYPE, "text/plain").body("hello").send().await.unwrap();
    assert_eq!(res.status(), 415);
    // Missing field, named.
    let res = client()
        .post(&url)
        .json(&serde_json::json!({"kind": "reply", "body": "一二三四五六七八九十"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body = json(res).await;
    assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("required"), Some("contact")));
    // Wrong type, named.
    let res =
        client().post(&url).json(&serde_json::json!({"kind": 3, "body": "x", "contact": "y"})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body = json(res).await;
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
        (Some("invalid_value"), Some("kind"))
    );
    // A good one, then the per-business cap on pending submissions.
    let ok =
        serde_json::json!({"kind": "repair", "body": "已整改完毕，申请信用修复。", "contact": "李女士 13900000000"});
    for _ in 0..backend::credit::replies::MAX_PENDING_PER_BUSINESS {
        assert_eq!(client().post(&url).json(&ok).send().await.unwrap().status(), 201);
    }
    assert_eq!(client().post(&url).json(&ok).send().await.unwrap().status(), 409);
    // Exact licence lookup through the search.
    let res = client().get(app.url(&format!("/api/v1/businesses?q={licence}"))).send().await.unwrap();
    let page = json(res).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["credit_code"], code.as_str());
    app.stop().await;
}

/// The registry upload's cap is the file's: a CSV one byte over it is refused 413 naming `file` (not a bare
/// "body too large"), and no import starts.
async fn an_import_over_its_cap_is_refused_naming_the_file(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let moderator = app.client_as("demo_moderator").await;
    let jobs = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM import_jobs").fetch_one(app.db.store().pool()).await.unwrap()
    };
    let before = jobs().await;
    let csv =
        reqwest::multipart::Part::bytes(vec![b'x'; server::credit::IMPORT_MAX_BYTES + 1]).file_name("registry.csv");
    let res = moderator
        .post(app.url("/staff/businesses/import"))
        .multipart(reqwest::multipart::Form::new().part("file", csv))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(res).await["error"]["field"], "file");
    assert_eq!(jobs().await, before, "no import started");
    app.stop().await;
}
