//! 食安志愿者 over HTTP, on SQLite and on PostgreSQL: sign-up by the no-JS form and the API (bad input named,
//! nothing half-stored, twice 409 `phone`, the network's minute and day), the SMS code through the local gateway
//! (one code, five wrong tries spend it), staff approval (moderator, CSRF), the volunteer's cookie (HttpOnly,
//! SameSite=Lax; pages `private, no-store`), the three-tap report over plain form posts, the public board.

use crate::common::*;
use backend::config::Bound;
use std::sync::{Arc, Mutex};

on_both!(
    sign_up_by_form_and_api_names_fields_stores_nothing_and_is_bounded_per_minute,
    the_sms_code_confirms_the_phone_and_five_wrong_tries_spend_it,
    staff_approve_and_a_volunteer_reports_in_three_taps_without_javascript,
    concurrent_sign_ups_on_distinct_phones_all_succeed_within_the_days_bound,
);

async fn volunteers(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM volunteers").fetch_one(app.db.store().pool()).await.unwrap()
}

fn body(phone: &str) -> Value {
    serde_json::json!({ "group": "快递小哥", "district": "游仙区", "phone": phone, "consent": "on" })
}

async fn api_join(app: &TestApp, b: &Value) -> reqwest::Response {
    client().post(app.url("/api/v1/volunteers")).json(b).send().await.unwrap()
}

fn form(phone: &str) -> Vec<(&'static str, String)> {
    vec![
        ("group", "广场舞阿姨".into()),
        ("district", "涪城区".into()),
        ("phone", phone.into()),
        ("consent", "on".into()),
        ("website", String::new()),
    ]
}

async fn sign_up_by_form_and_api_names_fields_stores_nothing_and_is_bounded_per_minute(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.network_bounds.volunteers = Bound::new(3, 1000);
        c.rate_limits.write_per_min = 10_000;
    })
    .await;
    let before = volunteers(&app).await;
    for (b, field) in [
        (body("12345"), "phone"),
        (
            serde_json::json!({ "group": "厨师", "district": "游仙区", "phone": "13900000001", "consent": "on" }),
            "group",
        ),
        (
            serde_json::json!({ "group": "快递小哥", "district": "月球区", "phone": "13900000001", "consent": "on" }),
            "district",
        ),
        (serde_json::json!({ "group": "快递小哥", "district": "游仙区", "phone": "13900000001" }), "consent"),
    ] {
        let res = api_join(&app, &b).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{b}");
        assert_eq!(json(res).await["error"]["field"], field);
    }
    // The form, JavaScript off: back to the form with the field named.
    let res = client()
        .post(app.url("/volunteers/join"))
        .header(ACCEPT, "text/html")
        .form(&form("1390000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), "/volunteers/join?error=invalid_value&field=phone");
    assert_eq!(volunteers(&app).await, before, "nothing stored");
    let page = client().get(app.url("/volunteers/join?error=invalid_value&field=phone")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("id=\"phone-error\""), "the message beside the field");
    // A good sign-up: the receipt is shown once, privately.
    let res = client()
        .post(app.url("/volunteers/join"))
        .header(ACCEPT, "text/html")
        .form(&form("13900000002"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = header(res.headers(), "location").to_owned();
    assert!(to.starts_with("/volunteers/joined/"), "{to}");
    let receipt = client().get(app.url(&to)).send().await.unwrap();
    assert_eq!(header(receipt.headers(), "cache-control"), "private, no-store");
    let html = receipt.text().await.unwrap();
    let number: String = html.split("ZY").nth(1).unwrap().chars().take(8).collect();
    assert!(number.chars().all(|c| c.is_ascii_digit()), "{html}");
    let again = client().get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains(&format!("ZY{number}")), "shown once");
    // Twice: 409 naming the phone, nothing more stored.
    let res = api_join(&app, &body("13900000002")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(json(res).await["error"]["field"], "phone");
    assert_eq!(volunteers(&app).await, before + 1);
    // The network's minute: three sign-ups (the 409 counted), then 429 with Retry-After.
    let res = api_join(&app, &body("13900000003")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = api_join(&app, &body("13900000004")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!header(res.headers(), "retry-after").is_empty());
    assert_eq!(volunteers(&app).await, before + 2);
    // The public board: counts only.
    let res = client().get(app.url("/api/v1/volunteers/leaderboard")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let board = json(res).await;
    assert_eq!(board["by_group"].as_array().unwrap().len(), domain::volunteers::Group::ALL.len());
    let text = board.to_string();
    assert!(!text.contains("ZY") && !text.contains("1390000"), "{text}");
    let page = client().get(app.url("/volunteers")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("广场舞阿姨") && page.contains("/volunteers/join") && !page.contains("ZY"));
    let stats = client().get(app.url("/stats")).send().await.unwrap().text().await.unwrap();
    assert!(stats.contains("id=\"volunteers\""), "/stats shows the corps");
    app.stop().await;
}

fn sent_to(seen: &Arc<Mutex<Vec<Value>>>, phone: &str) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|m| m["phone"] == phone)
        .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn verify(app: &TestApp, number: &str, code: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/volunteers/verify"))
        .json(&serde_json::json!({ "number": number, "code": code }))
        .send()
        .await
        .unwrap()
}

async fn the_sms_code_confirms_the_phone_and_five_wrong_tries_spend_it(engine: Backend) {
    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| {
        c.sms_url = Some(url);
        c.network_bounds.volunteers = Bound::new(100, 1000);
        c.rate_limits.write_per_min = 10_000;
    })
    .await;
    let res = api_join(&app, &body("13900000011")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let j = json(res).await;
    assert_eq!(j["sms_sent"], true);
    let number = j["number"].as_str().unwrap().to_owned();
    let messages = sent_to(&seen, "13900000011");
    assert_eq!(messages.len(), 1, "one code");
    let code: String = messages[0].chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = verify(&app, &number, wrong).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let e = json(res).await;
        assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("invalid_code"), Some("code")));
    }
    assert_eq!(verify(&app, &number, &code).await.status(), StatusCode::BAD_REQUEST, "five wrong tries spend it");
    assert_eq!(sent_to(&seen, "13900000011").len(), 1, "nothing beyond the one code");
    // Another phone confirms, by the form (JavaScript off); a wrong code goes back to the form naming `code`.
    let j = json(api_join(&app, &body("13900000012")).await).await;
    let number = j["number"].as_str().unwrap().to_owned();
    let code: String = sent_to(&seen, "13900000012")[0].chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = client()
        .post(app.url("/volunteers/verify"))
        .header(ACCEPT, "text/html")
        .form(&[("number", number.as_str()), ("code", wrong)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(res.headers(), "location"),
        format!("/volunteers/verify?number={number}&error=invalid_code&field=code")
    );
    let res = client()
        .post(app.url("/volunteers/verify"))
        .header(ACCEPT, "text/html")
        .form(&[("number", number.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), "/volunteers/verify?done=1");
    let unconfirmed = json(api_join(&app, &body("13900000013")).await).await["number"].as_str().unwrap().to_owned();
    let list = backend::volunteers::staff_list(app.db.store()).await.unwrap();
    let by = |n: &str| list.iter().find(|v| v.number == n).unwrap().verified;
    assert!(by(&number), "confirmed");
    assert!(!by(&unconfirmed), "staff see an unconfirmed phone");
    // A day after their codes expired, the unconfirmed sign-ups are swept and their phones may sign up again.
    let later = backend::clock::now() + domain::volunteers::CODE_TTL_SECS + 86_400 + 60;
    assert_eq!(backend::volunteers::sweep(app.db.store(), later).await.unwrap(), 2);
    let list = backend::volunteers::staff_list(app.db.store()).await.unwrap();
    assert!(list.iter().any(|v| v.number == number) && !list.iter().any(|v| v.number == unconfirmed));
    assert_eq!(api_join(&app, &body("13900000011")).await.status(), StatusCode::CREATED);
    app.stop().await;
}

async fn staff_approve_and_a_volunteer_reports_in_three_taps_without_javascript(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.rate_limits.write_per_min = 10_000;
    })
    .await;
    let j = json(api_join(&app, &body("13900000021")).await).await;
    let (number, code) = (j["number"].as_str().unwrap().to_owned(), j["sign_in_code"].as_str().unwrap().to_owned());
    let id: i64 = sqlx::query_scalar("SELECT id FROM volunteers WHERE number = $1")
        .bind(&number)
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    // Signed in before approval: the report page explains.
    let volunteer = client_with_cookies();
    let res = volunteer
        .post(app.url("/volunteers/login"))
        .header(ACCEPT, "text/html")
        .form(&[("number", number.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status(), header(res.headers(), "location")), (StatusCode::SEE_OTHER, "/volunteers/me"));
    let set = header(res.headers(), "set-cookie").to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let bad = client()
        .post(app.url("/volunteers/login"))
        .form(&[("number", number.as_str()), ("code", "WRONGCODE2")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let biz: String = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id LIMIT 1")
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    let tap1 = format!("/volunteers/report?business={biz}");
    let page = volunteer.get(app.url(&tap1)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("待审核"), "not approved yet");
    // Staff: a viewer may not decide; another site cannot make a moderator's browser post it; a moderator can.
    let decide = app.url(&format!("/staff/volunteers/{id}/decision"));
    let viewer = app.client_as("demo_viewer").await;
    let res = viewer.post(&decide).form(&[("decision", "approve")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let moderator = app.client_as("demo_moderator").await;
    let res = moderator
        .post(&decide)
        .header("sec-fetch-site", "cross-site")
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let staff_page = moderator.get(app.url("/staff/volunteers")).send().await.unwrap().text().await.unwrap();
    assert!(staff_page.contains(&number) && !staff_page.contains("13900000021"), "no phone in the console");
    let res = moderator
        .post(&decide)
        .header("sec-fetch-site", "same-origin")
        .header(ACCEPT, "text/html")
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status(), header(res.headers(), "location")), (StatusCode::SEE_OTHER, "/staff/volunteers"));
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'volunteers.approved' AND target = $1")
            .bind(format!("volunteer:{number}"))
            .fetch_one(app.db.store().pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
    // The business page links to the report; so does a stall's.
    let business = client().get(app.url(&format!("/credit/{biz}"))).send().await.unwrap().text().await.unwrap();
    assert!(business.contains(&format!("/volunteers/report?business={biz}")));
    let stall: Option<String> = sqlx::query_scalar("SELECT code FROM stalls ORDER BY id LIMIT 1")
        .fetch_optional(app.db.store().pool())
        .await
        .unwrap();
    if let Some(stall) = stall {
        let page = client().get(app.url(&format!("/m/{stall}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("/volunteers/report?stall={stall}")));
    }
    // Tap 1: the problems as buttons, privately.
    let res = volunteer.get(app.url(&tap1)).send().await.unwrap();
    assert_eq!(header(res.headers(), "cache-control"), "private, no-store");
    let page = res.text().await.unwrap();
    let kind = domain::volunteers::Issue::Expired.as_str();
    assert!(page.contains("kind="), "{page}");
    // Tap 2: the confirmation.
    let tap2 = format!("{tap1}&kind={}", app::ui::encode(kind));
    let page = volunteer.get(app.url(&tap2)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("action=\"/volunteers/report\"") && page.contains(kind), "{page}");
    // Tap 3: 确认提交, then the tracking number.
    let res = volunteer
        .post(app.url("/volunteers/report"))
        .header(ACCEPT, "text/html")
        .form(&[("business", biz.as_str()), ("stall", ""), ("kind", kind), ("note", "冷柜里酸奶过期")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = header(res.headers(), "location").to_owned();
    let no = to.strip_prefix("/volunteers/me?filed=").expect("to my page").to_owned();
    let res = volunteer.get(app.url(&to)).send().await.unwrap();
    assert_eq!(header(res.headers(), "cache-control"), "private, no-store");
    assert!(res.text().await.unwrap().contains(&no));
    let row: (String, Option<i64>) = sqlx::query_as("SELECT channel, volunteer_id FROM cases WHERE tracking_no = $1")
        .bind(&no)
        .fetch_one(app.db.store().pool())
        .await
        .unwrap();
    assert_eq!(row, ("volunteer".to_owned(), Some(id)));
    // Without the cookie: the page explains, a post is refused naming the volunteer.
    let page = client().get(app.url(&tap1)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/volunteers/login") && !page.contains("action=\"/volunteers/report\""));
    let res = client()
        .post(app.url("/volunteers/report"))
        .form(&[("business", biz.as_str()), ("kind", kind)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(res).await["error"]["field"], "volunteer");
    app.stop().await;
}

async fn concurrent_sign_ups_on_distinct_phones_all_succeed_within_the_days_bound(engine: Backend) {
    let app = TestApp::start(engine, |c| {
        c.network_bounds.volunteers = Bound::new(1000, 12);
        c.rate_limits.write_per_min = 10_000;
    })
    .await;
    let before = volunteers(&app).await;
    let answers = futures_util::future::join_all((0..10).map(|i| {
        let app = &app;
        async move { api_join(app, &body(&format!("1370000{i:04}"))).await.status() }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == StatusCode::CREATED), "{answers:?}");
    assert_eq!(volunteers(&app).await, before + 10);
    for i in 10..12 {
        assert_eq!(api_join(&app, &body(&format!("1370000{i:04}"))).await.status(), StatusCode::CREATED);
    }
    let res = api_join(&app, &body("13700009999")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the day's bound");
    assert_eq!(volunteers(&app).await, before + 12);
    app.stop().await;
}
