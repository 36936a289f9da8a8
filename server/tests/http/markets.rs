//! HTTP tests of 一码通 (#22): the public reads and the stall's QR code, a market's key issued by staff and a
//! signed batch stored, replayed and refused (per row, naming the field), a CSV upload from the console, and a
//! burst of batches in parallel; each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::markets::keys::sign;
use domain::clock::{format_date, format_datetime_local};
use reqwest::multipart::{Form, Part};
use serde_json::json;

on_both!(
    markets_and_stalls_are_public_and_cacheable,
    a_signed_batch_is_stored_replayed_and_refused_by_row,
    the_console_issues_keys_and_takes_csv_uploads,
    a_burst_of_batches_on_distinct_keys_all_land,
);

fn now() -> i64 {
    backend::clock::now()
}

async fn first_market(app: &TestApp) -> (i64, Value) {
    let list = json(client().get(app.url("/api/v1/markets")).send().await.unwrap()).await;
    let m = list[0].clone();
    let id = m["id"].as_i64().unwrap();
    (id, json(client().get(app.url(&format!("/api/v1/markets/{id}"))).send().await.unwrap()).await)
}

async fn markets_and_stalls_are_public_and_cacheable(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let list = json(client().get(app.url("/api/v1/markets")).send().await.unwrap()).await;
    assert_eq!(list.as_array().unwrap().len(), 6, "the demo's markets");
    let (id, detail) = first_market(&app).await;
    assert_eq!(detail["stalls"].as_array().unwrap().len(), backend::markets::seed::stalls_for(300));
    assert!(detail["market"]["tests_today"].as_i64().unwrap() >= 1);
    assert!(!detail["failing"].as_array().unwrap().is_empty(), "the demo's failing test today");
    let flagged = detail["failing"][0]["stall"].as_str().unwrap().to_owned();
    assert!(detail["failing"][0].get("case_no").is_none(), "cases are staff-only");

    let res = client().get(app.url(&format!("/api/v1/stalls/{flagged}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(res.headers(), "cache-control").contains("public"), "no credential: public");
    let stall = json(res).await;
    assert!(stall["stall"]["flagged_at"].is_i64());
    assert_eq!(stall["market_id"], id);
    assert!(stall["today"].as_array().unwrap().iter().any(|t| t["result"] == "不合格"));
    assert!(!stall["certificates"].as_array().unwrap().is_empty());
    let lower = client().get(app.url(&format!("/api/v1/stalls/{}", flagged.to_lowercase()))).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "a code typed in lower case");

    let bad = client().get(app.url("/api/v1/stalls/OOOOOOO")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(bad).await["error"]["field"], "stall");
    let none = client().get(app.url("/api/v1/stalls/2222222")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(client().get(app.url("/api/v1/markets/999999")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let qr = client().get(app.url(&format!("/m/{flagged}/qr.svg"))).send().await.unwrap();
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(header(qr.headers(), "content-type"), "image/svg+xml");

    // The pages, server-rendered: what a phone scanning the stall's code opens.
    let page = client().get(app.url(&format!("/m/{flagged}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(!header(page.headers(), "cache-control").contains("no-store"), "no credential: in the shared page cache");
    let html = page.text().await.unwrap();
    for text in ["今日快检", "不合格", "承诺达标合格证", "不使用禁用农药兽药及非法添加物", &flagged]
    {
        assert!(html.contains(text), "the stall page shows {text}");
    }
    assert!(!html.contains("<leptos-island"), "no script needed");
    let html = client().get(app.url(&format!("/markets/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("今日快检") && html.contains("批次 · 合格") && html.contains("近30天快检不合格"));
    let html = client().get(app.url("/markets")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("涪城区临园路农贸市场"));
    assert_eq!(client().get(app.url("/m/2222222")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let moderator = app.client_as("demo_moderator").await;
    let html = moderator.get(app.url(&format!("/staff/markets/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("数据接口密钥") && html.contains("上传记录"));

    let cert = stall["certificates"][0]["cert_no"].as_str().unwrap();
    let html = client().get(app.url(&format!("/trace/{cert}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("合格证追溯"));
    let trace = json(client().get(app.url(&format!("/api/v1/certificates/{cert}/trace"))).send().await.unwrap()).await;
    assert!(trace["stalls"].as_array().unwrap().len() >= 2, "the demo's certificates are shared by several stalls");
    app.stop().await;
}

/// Issues a key for `market` as the demo admin (the program's answer carries the secret).
async fn issue(app: &TestApp, market: i64) -> (String, String) {
    let admin = app.client_as("demo_admin").await;
    let res = admin.post(app.url(&format!("/staff/markets/{market}/keys"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let key = json(res).await;
    (key["key_id"].as_str().unwrap().to_owned(), key["secret"].as_str().unwrap().to_owned())
}

async fn post_batch(app: &TestApp, market: i64, key: &(String, String), body: &Value, lang: &str) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    client()
        .post(app.url(&format!("/api/v1/markets/{market}/batches")))
        .header(CONTENT_TYPE, "application/json")
        .header("accept-language", lang)
        .header("x-market-key", &key.0)
        .header("x-market-signature", sign(&key.1, now(), &bytes))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn test_row(no: &str, stall: &str, result: &str) -> Value {
    json!({"test_no": no, "stall": stall, "sample": "菠菜", "item": "有机磷和氨基甲酸酯类农药", "method": "酶抑制率法",
        "result": result, "tested_at": format_datetime_local(now() - 120), "tester": "李娜"})
}

fn cert_row(no: &str, stall: &str, issued: i64) -> Value {
    let commitments = domain::markets::Commitment::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";");
    json!({"cert_no": no, "stall": stall, "product": "菠菜", "quantity": "30千克", "origin": "四川省绵阳市盐亭县",
        "producer": "盐亭县嫘祖蔬菜基地", "producer_contact": "0816-7212606", "issued_on": format_date(issued),
        "commitments": commitments, "basis": "委托检测"})
}

async fn a_signed_batch_is_stored_replayed_and_refused_by_row(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let list = json(client().get(app.url("/api/v1/markets")).send().await.unwrap()).await;
    let (a, b) = (list[0]["id"].as_i64().unwrap(), list[1]["id"].as_i64().unwrap());
    let detail_b = json(client().get(app.url(&format!("/api/v1/markets/{b}"))).send().await.unwrap()).await;
    let other_stall = detail_b["stalls"][0]["code"].as_str().unwrap().to_owned();
    let detail_a = json(client().get(app.url(&format!("/api/v1/markets/{a}"))).send().await.unwrap()).await;
    let stall = detail_a["stalls"][3]["code"].as_str().unwrap().to_owned();
    let key = issue(&app, a).await;

    let body = json!({"batch_id": "http-1", "rapid_tests": [test_row("H1", &stall, "合格"), test_row("H2", &stall, "不合格")],
        "certificates": [cert_row("HG-H1", &stall, now())]});
    let res = post_batch(&app, a, &key, &body, "zh").await;
    assert_eq!(res.status(), StatusCode::OK);
    let receipt = json(res).await;
    assert_eq!((receipt["tests_added"].as_i64(), receipt["replayed"].as_bool()), (Some(2), Some(false)));
    assert_eq!(receipt["flagged"][0], stall.as_str());
    let replay = json(post_batch(&app, a, &key, &body, "zh").await).await;
    assert_eq!(replay["replayed"], true);
    let stall_now = json(client().get(app.url(&format!("/api/v1/stalls/{stall}"))).send().await.unwrap()).await;
    assert!(
        stall_now["today"].as_array().unwrap().iter().any(|t| t["test_no"] == "H2"),
        "seen at once: the cache cleared"
    );

    // Unsigned, or signed with another market's key.
    let res = client()
        .post(app.url(&format!("/api/v1/markets/{a}/batches")))
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(res).await["error"]["field"], "x-market-key");
    let key_b = issue(&app, b).await;
    let res = post_batch(
        &app,
        a,
        &key_b,
        &json!({"batch_id": "http-2", "rapid_tests": [test_row("H3", &stall, "合格")]}),
        "zh",
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Rows refused, each named, in English too; nothing stored.
    let bad = json!({"batch_id": "http-3", "rapid_tests": [test_row("H4", &stall, "合格"), test_row("H5", &other_stall, "合格")],
        "certificates": [cert_row("HG-H2", &stall, now() + 3 * 86_400)]});
    let res = post_batch(&app, a, &key, &bad, "en").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = json(res).await;
    assert_eq!(body["error"]["field"], "certificates[0].issued_on");
    assert_eq!(body["rows"][0]["field"], "issued_on");
    let bad = json!({"batch_id": "http-3", "rapid_tests": [test_row("H4", &stall, "合格"), test_row("H5", &other_stall, "合格")]});
    let res = post_batch(&app, a, &key, &bad, "zh").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = json(res).await;
    assert_eq!(body["error"]["field"], "rapid_tests[1].stall", "a stall of another market");
    let stall_after = json(client().get(app.url(&format!("/api/v1/stalls/{stall}"))).send().await.unwrap()).await;
    assert!(!stall_after["today"].as_array().unwrap().iter().any(|t| t["test_no"] == "H4"), "nothing half-stored");

    let res = client()
        .post(app.url(&format!("/api/v1/markets/{a}/batches")))
        .header("x-market-key", &key.0)
        .header("x-market-signature", sign(&key.1, now(), b"{not json"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["code"], "invalid_json");
    app.stop().await;
}

async fn the_console_issues_keys_and_takes_csv_uploads(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let (id, detail) = first_market(&app).await;
    let stall = detail["stalls"][5]["code"].as_str().unwrap().to_owned();
    let moderator = app.client_as("demo_moderator").await;
    // Keys are for admins only.
    let res = moderator.post(app.url(&format!("/staff/markets/{id}/keys"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let admin = app.client_as("demo_admin").await;
    let res =
        admin.post(app.url(&format!("/staff/markets/{id}/keys"))).header(ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "a browser is sent to the page that shows the key once");
    assert!(header(res.headers(), "location").starts_with(&format!("/staff/markets/{id}?key=")));
    let key = json(admin.post(app.url(&format!("/staff/markets/{id}/keys"))).send().await.unwrap()).await;
    let key_id = key["key_id"].as_str().unwrap();
    let res = admin
        .post(app.url(&format!("/staff/markets/{id}/keys/revoke")))
        .form(&[("key_id", key_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let upload = |csv: String| {
        Form::new().text("kind", "rapid_tests").part("file", Part::bytes(csv.into_bytes()).file_name("tests.csv"))
    };
    let res = moderator
        .post(app.url(&format!("/staff/markets/{id}/upload")))
        .multipart(upload("test_no,stall,sample\nC1,X,Y\n".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "wrong columns");
    let body = json(res).await;
    assert!(body["rows"].as_array().unwrap().iter().any(|r| r["field"] == "method" && r["row"] == 1));
    let t = format_datetime_local(now() - 60);
    let csv = format!(
        "test_no,stall,sample,item,method,result,tested_at,tester\nC1,{stall},韭菜,有机磷和氨基甲酸酯类农药,酶抑制率法,合格,{t},刘洋\n"
    );
    let res = moderator
        .post(app.url(&format!("/staff/markets/{id}/upload")))
        .multipart(upload(csv.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json(res).await["tests_added"], 1);
    let res = moderator
        .post(app.url(&format!("/staff/markets/{id}/upload")))
        .header(ACCEPT, "text/html")
        .multipart(upload(csv))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(header(res.headers(), "location").contains("upload="));
    // A failing test opens a case, once.
    let test = detail["failing"][0]["id"].as_i64().unwrap();
    let res = moderator.post(app.url(&format!("/staff/rapid-tests/{test}/case"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let no = json(res).await["tracking_no"].as_str().unwrap().to_owned();
    let again = json(moderator.post(app.url(&format!("/staff/rapid-tests/{test}/case"))).send().await.unwrap()).await;
    assert_eq!(again["tracking_no"], no.as_str());
    let html = moderator.get(app.url(&format!("/staff/markets/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&no));
    let anonymous = client().post(app.url(&format!("/staff/markets/{id}/upload"))).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn a_burst_of_batches_on_distinct_keys_all_land(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let list = json(client().get(app.url("/api/v1/markets")).send().await.unwrap()).await;
    let mut sends = Vec::new();
    for (m, market) in list.as_array().unwrap().iter().take(4).enumerate() {
        let id = market["id"].as_i64().unwrap();
        let detail = json(client().get(app.url(&format!("/api/v1/markets/{id}"))).send().await.unwrap()).await;
        let key = issue(&app, id).await;
        for n in 0..6 {
            let stall = detail["stalls"][n]["code"].as_str().unwrap().to_owned();
            let body = json!({"batch_id": format!("burst-{m}-{n}"), "rapid_tests": [test_row(&format!("B{m}-{n}"), &stall, "合格")]});
            sends.push((id, key.clone(), body));
        }
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(id, key, body)| {
            let app = app.clone();
            tokio::spawn(async move { post_batch(&app, id, &key, &body, "zh").await.status() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let app = std::sync::Arc::into_inner(app).unwrap();
    app.stop().await;
}
