//! HTTP tests of 阳光餐饮 (#22 part 2): a vendor's key issued by an admin and a signed batch stored, replayed
//! and refused (per row, naming the field), the `sunshine` object of a business and the `?sunshine=1` filter,
//! the review in the console (moderators, CSRF-checked) and what the public page shows, a burst of batches from
//! distinct vendors; each case on SQLite and on PostgreSQL.

use crate::common::*;
use backend::kitchens::keys::sign;
use domain::clock::{format_date, format_datetime_local};
use serde_json::json;

on_both!(
    a_signed_batch_is_stored_replayed_and_refused_by_row,
    the_api_shows_sunshine_and_filters_by_it,
    the_review_needs_a_moderator_and_only_confirmed_flags_are_public,
    a_burst_of_batches_from_distinct_vendors_all_land,
);

fn now() -> i64 {
    backend::clock::now()
}

/// A new vendor and its key, made by the demo admin (the program's answer carries the secret).
async fn vendor(app: &TestApp, name: &str) -> (String, String) {
    let admin = app.client_as("demo_admin").await;
    let res = admin.post(app.url("/staff/kitchens/vendors")).form(&[("name", name)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json(res).await["id"].as_i64().unwrap();
    let res = admin.post(app.url(&format!("/staff/kitchens/vendors/{id}/keys"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let key = json(res).await;
    (key["key_id"].as_str().unwrap().to_owned(), key["secret"].as_str().unwrap().to_owned())
}

async fn post_batch(app: &TestApp, key: &(String, String), body: &Value) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    client()
        .post(app.url("/api/v1/kitchens/batches"))
        .header(CONTENT_TYPE, "application/json")
        .header("x-kitchen-key", &key.0)
        .header("x-kitchen-signature", sign(&key.1, now(), &bytes))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// Credit codes of businesses not in the programme (from the demo registry).
async fn outsiders(app: &TestApp, n: usize) -> Vec<String> {
    let page = json(client().get(app.url("/api/v1/businesses?sunshine=0&per_page=50")).send().await.unwrap()).await;
    page["items"].as_array().unwrap().iter().take(n).map(|b| b["credit_code"].as_str().unwrap().to_owned()).collect()
}

fn status(cc: &str, uptime: &str, consent: &str) -> Value {
    json!({"credit_code": cc, "day": format_date(now()), "uptime": uptime, "camera_connected": "1",
        "live_url": "https://live.example.invalid/http/1", "live_consent": consent})
}

fn flag(id: &str, cc: &str, kind: &str) -> Value {
    json!({"event_id": id, "credit_code": cc, "kind": kind, "detected_at": format_datetime_local(now() - 600)})
}

async fn a_signed_batch_is_stored_replayed_and_refused_by_row(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let key = vendor(&app, "HTTP测试平台").await;
    let cc = outsiders(&app, 1).await.remove(0);
    let body = json!({"batch_id": "h1", "status": [status(&cc, "99.5", "1")], "flags": [flag("H1", &cc, "no_mask")]});
    let res = post_batch(&app, &key, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = json(res).await;
    assert_eq!((r["kitchens_joined"].as_i64(), r["flags_added"].as_i64()), (Some(1), Some(1)));
    let again = json(post_batch(&app, &key, &body).await).await;
    assert_eq!(again["replayed"], true);

    // Unknown business and a bad uptime: every row named, nothing stored.
    let body17 = "91510703MB9999999";
    let unknown = &format!("{body17}{}", domain::credit::credit_check_char(body17.as_bytes()).unwrap());
    let bad = json!({"batch_id": "h2", "status": [status(&cc, "99", "0"), status(&cc, "abc", "0")],
        "flags": [flag("H2", &cc, "no_hat"), flag("H3", &cc, "dragon")]});
    let res = post_batch(&app, &key, &bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = json(res).await;
    let rows: Vec<(String, i64, String)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["section"].as_str().unwrap().into(), r["row"].as_i64().unwrap(), r["field"].as_str().unwrap().into())
        })
        .collect();
    assert!(rows.contains(&("status".into(), 1, "uptime".into())), "{rows:?}");
    assert!(rows.contains(&("flags".into(), 1, "kind".into())), "{rows:?}");
    assert!(body["error"]["field"].as_str().unwrap().contains('['));
    let bad = json!({"batch_id": "h3", "flags": [flag("H4", &cc, "rodent"), flag("H5", unknown, "rodent")]});
    let res = post_batch(&app, &key, &bad).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(res).await["error"]["field"], "flags[1].credit_code");
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{cc}"))).send().await.unwrap()).await;
    assert!(
        detail["kitchen"]["flags"].as_array().unwrap().is_empty(),
        "nothing of the refused batches, no pending flag"
    );

    // Unsigned, stale, and a wrong signature.
    let bytes = serde_json::to_vec(&json!({"batch_id": "h4", "status": [status(&cc, "99", "1")]})).unwrap();
    let res = client()
        .post(app.url("/api/v1/kitchens/batches"))
        .header(CONTENT_TYPE, "application/json")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(res).await["error"]["field"], "x-kitchen-key");
    let res = client()
        .post(app.url("/api/v1/kitchens/batches"))
        .header(CONTENT_TYPE, "application/json")
        .header("x-kitchen-key", &key.0)
        .header("x-kitchen-signature", sign(&key.1, now() - 3600, &bytes))
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a replay after the signature's five minutes");
    assert_eq!(json(res).await["error"]["field"], "x-kitchen-signature");
    app.stop().await;
}

async fn the_api_shows_sunshine_and_filters_by_it(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let page = json(client().get(app.url("/api/v1/businesses?sunshine=1&per_page=100")).send().await.unwrap()).await;
    let total = page["total"].as_i64().unwrap();
    assert_eq!(total, backend::kitchens::seed::kitchens_for(300) as i64, "the demo's kitchens");
    assert!(page["items"].as_array().unwrap().iter().all(|b| b["sunshine"] == true));
    let cc = page["items"][0]["credit_code"].as_str().unwrap();
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{cc}"))).send().await.unwrap()).await;
    // One key each: the summary's flag and the kitchen's section (a duplicate key would be invalid JSON for
    // strict readers).
    assert_eq!(detail["sunshine"], true);
    let s = &detail["kitchen"];
    assert!(s["uptime_permille"].as_i64().unwrap() > 0);
    assert!(s["camera_connected"].is_boolean());
    assert_eq!(s["days_reported"], 30);
    let other = outsiders(&app, 1).await.remove(0);
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{other}"))).send().await.unwrap()).await;
    assert!(detail["kitchen"].is_null(), "null when not in the programme");
    assert_eq!(detail["sunshine"], false);
    let res = client().get(app.url("/api/v1/businesses?sunshine=maybe")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["field"], "sunshine");
    // The search page: a GET form with the checkbox, the filter applied without JavaScript.
    let html = client().get(app.url("/credit?sunshine=1")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("name=\"sunshine\"") && html.contains("阳光餐饮"));
    assert!(html.contains(cc), "the filtered list");
    let html = client().get(app.url(&format!("/credit/{cc}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("阳光餐饮 · 明厨亮灶") && html.contains("近30天在线率"));
    app.stop().await;
}

async fn the_review_needs_a_moderator_and_only_confirmed_flags_are_public(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let key = vendor(&app, "HTTP审核平台").await;
    let cc = outsiders(&app, 1).await.remove(0);
    let body = json!({"batch_id": "r1", "status": [status(&cc, "98", "0")],
        "flags": [flag("R1", &cc, "rodent"), flag("R2", &cc, "smoking")]});
    assert_eq!(post_batch(&app, &key, &body).await.status(), StatusCode::OK);
    let mut ids = Vec::new();
    for e in ["R1", "R2"] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM kitchen_flags WHERE event_id = $1")
            .bind(e)
            .fetch_one(app.db.store().pool())
            .await
            .unwrap();
        ids.push(id);
    }
    let public =
        || async { client().get(app.url(&format!("/credit/{cc}"))).send().await.unwrap().text().await.unwrap() };
    assert!(!public().await.contains("已加装防鼠设施"));
    let action = [("action_taken", "已加装防鼠设施，复查合格"), ("credit_event", "1")];
    let confirm = format!("/staff/kitchen-flags/{}/confirm", ids[0]);
    // Anonymous and viewer: refused; a cross-site post: refused; the page needs a session too.
    assert_eq!(client().post(app.url(&confirm)).form(&action).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let viewer = app.client_as("demo_viewer").await;
    assert_eq!(viewer.post(app.url(&confirm)).form(&action).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let moderator = app.client_as("demo_moderator").await;
    let res =
        moderator.post(app.url(&confirm)).header("sec-fetch-site", "cross-site").form(&action).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(res).await["error"]["code"], "csrf_rejected");
    // Keys are for admins only.
    let res = moderator.post(app.url("/staff/kitchens/vendors/1/keys")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = moderator.get(app.url("/staff/kitchens")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("待审核的AI抓拍") && html.contains(&format!("/staff/kitchen-flags/{}/confirm", ids[0])));
    assert_eq!(client().get(app.url("/staff/kitchens")).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    let res = moderator.post(app.url(&confirm)).form(&[("action_taken", " ")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(res).await["error"]["field"], "action_taken");
    let res = moderator.post(app.url(&confirm)).form(&action).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = moderator
        .post(app.url(&format!("/staff/kitchen-flags/{}/dismiss", ids[1])))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = moderator.post(app.url(&confirm)).form(&action).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT, "reviewed once");

    let html = public().await;
    assert!(html.contains("已加装防鼠设施，复查合格") && html.contains("鼠患"), "the confirmed flag");
    assert!(!html.contains("吸烟"), "the dismissed flag is never shown");
    assert!(!html.contains("live.example.invalid/http"), "no consent, no live view");
    let detail = json(client().get(app.url(&format!("/api/v1/businesses/{cc}"))).send().await.unwrap()).await;
    assert_eq!(detail["kitchen"]["flags"].as_array().unwrap().len(), 1);
    assert!(detail["events"].as_array().unwrap().iter().any(|e| e["source"].as_str().unwrap().starts_with("阳光餐饮")));
    app.stop().await;
}

async fn a_burst_of_batches_from_distinct_vendors_all_land(engine: Backend) {
    let app = TestApp::start(engine, |_| {}).await;
    let codes = outsiders(&app, 12).await;
    let mut sends = Vec::new();
    for v in 0..3 {
        let key = vendor(&app, &format!("并发平台{v}")).await;
        for n in 0..4 {
            let cc = &codes[v * 4 + n];
            let body = json!({"batch_id": format!("burst-{v}-{n}"), "status": [status(cc, "99", "1")],
                "flags": [flag(&format!("B{v}-{n}"), cc, "no_hat")]});
            sends.push((key.clone(), body));
        }
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(key, body)| {
            let app = app.clone();
            tokio::spawn(async move { post_batch(&app, &key, &body).await.status() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let page = json(client().get(app.url("/api/v1/businesses?sunshine=1&per_page=100")).send().await.unwrap()).await;
    assert_eq!(page["total"].as_i64().unwrap(), backend::kitchens::seed::kitchens_for(300) as i64 + 12);
    let app = std::sync::Arc::into_inner(app).unwrap();
    app.stop().await;
}
