//! 关注 by SMS and partner webhooks over HTTP, on SQLite and on PostgreSQL, through a local SMS gateway and a local
//! webhook receiver: double opt-in (a phone that never confirms gets its one code and nothing else; five wrong
//! codes spend the code), alerts through the outbox, the day's cap folding the rest into the evening's digest,
//! the unsubscribe link (altered: 404, nothing changed) and the reply word; a partner receiver that is down gets
//! everything afterwards, once each, in order per subject, signed with its own secret, every attempt logged.

use crate::common::*;
use backend::config::Secret;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both!(
    sms_alerts_need_a_confirmed_code_respect_the_cap_and_stop_by_link_or_reply,
    a_partner_down_for_a_while_gets_everything_in_order_once,
    a_burst_of_subscriptions_on_distinct_phones_all_get_their_codes,
);

const INBOUND_SECRET: &str = "gateway-and-portal-share-this";

fn to(seen: &Arc<Mutex<Vec<Value>>>, phone: &str) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|m| m["phone"] == phone)
        .map(|m| m["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn code_in(message: &str) -> String {
    message.chars().filter(char::is_ascii_digit).take(6).collect()
}

async fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A business of the test's own (the demo's may have happenings of their own while the test runs).
async fn a_business(app: &TestApp, n: u32) -> (String, String) {
    let name = format!("测试米粉店{n}");
    let b = domain::credit::BusinessFields {
        credit_code: crate::common::code("91510703MA", 7_000_000 + n),
        name: name.clone(),
        address: "涪城区临园路1号".into(),
        district: "涪城区".into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    backend::credit::save_business(app.db.store(), &backend::staff::audit::Actor::cli(), &b).await.unwrap();
    (b.credit_code.to_string(), name)
}

async fn record_event(app: &TestApp, code: &str) {
    let e = domain::credit::EventFields {
        credit_code: code.into(),
        kind: "inspection_finding".into(),
        severity: "minor".into(),
        occurred_at: domain::clock::format_date(backend::clock::now()),
        source: "日常检查".into(),
        description: "后厨地面有积水".into(),
    }
    .parse()
    .unwrap();
    backend::credit::add_event(app.db.store(), &backend::staff::audit::Actor::cli(), &e).await.unwrap();
}

async fn subs(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM follow_subscriptions").fetch_one(app.db.state.store.pool()).await.unwrap()
}

async fn subscribe(app: &TestApp, subject: &str, phone: &str, mode: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/follow/sms"))
        .json(&serde_json::json!({ "subject": subject, "phone": phone, "mode": mode }))
        .send()
        .await
        .unwrap()
}

async fn confirm(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/follow/sms/confirm"))
        .json(&serde_json::json!({ "token": token, "code": code }))
        .send()
        .await
        .unwrap()
}

/// Subscribes and confirms `phone`: the unsubscribe path.
async fn follow(app: &TestApp, seen: &Arc<Mutex<Vec<Value>>>, subject: &str, phone: &str, mode: &str) -> String {
    let r = subscribe(app, subject, phone, mode).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let token = json(r).await["confirm"].as_str().unwrap().to_owned();
    let code = code_in(to(seen, phone).last().expect("a code"));
    let r = confirm(app, &token, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    json(r).await["unsubscribe"].as_str().unwrap().to_owned()
}

async fn sms_alerts_need_a_confirmed_code_respect_the_cap_and_stop_by_link_or_reply(engine: Backend) {
    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| {
        c.sms_url = Some(url);
        c.sms_inbound_secret = Some(Secret::new(INBOUND_SECRET.to_owned()));
        c.network_bounds.follows = backend::config::Bound::new(100, 1000);
        c.network_bounds.follow_sms_per_phone_per_day = 2;
    })
    .await;
    let (code, name) = a_business(&app, 1).await;
    let subject = format!("business:{code}");
    // Bad input names the field and stores nothing.
    let before = subs(&app).await;
    let unknown = format!("business:{}", crate::common::code("91510703MA", 9_999_999));
    for (body, status, field) in [
        (serde_json::json!({ "subject": unknown, "phone": "13800000001" }), StatusCode::NOT_FOUND, "subject"),
        (
            serde_json::json!({ "subject": "district:月球区", "phone": "13800000001" }),
            StatusCode::BAD_REQUEST,
            "subject",
        ),
        (serde_json::json!({ "subject": subject, "phone": "12345" }), StatusCode::BAD_REQUEST, "phone"),
        (
            serde_json::json!({ "subject": subject, "phone": "13800000001", "mode": "hourly" }),
            StatusCode::BAD_REQUEST,
            "mode",
        ),
    ] {
        let r = client().post(app.url("/api/v1/follow/sms")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), status, "{body}");
        assert_eq!(json(r).await["error"]["field"], field, "{body}");
    }
    assert_eq!(subs(&app).await, before);
    assert!(seen.lock().unwrap().is_empty(), "no code sent for bad input");

    // A confirms; B guesses wrong five times (then even the right code is spent); C never confirms.
    let stop_a = follow(&app, &seen, &subject, "13800000001", "immediate").await;
    let r = subscribe(&app, &subject, "13800000002", "immediate").await;
    let token_b = json(r).await["confirm"].as_str().unwrap().to_owned();
    let right = code_in(&to(&seen, "13800000002")[0]);
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = confirm(&app, &token_b, wrong).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json(r).await["error"]["field"], "code");
    }
    assert_eq!(confirm(&app, &token_b, &right).await.status(), StatusCode::BAD_REQUEST, "five wrong spend the code");
    let altered = format!("{}0", token_b);
    assert_eq!(json(confirm(&app, &altered, &right).await).await["error"]["field"], "token");
    subscribe(&app, &subject, "13800000003", "immediate").await;
    // A second code for the same subscription within the minute: 429, nothing sent.
    assert_eq!(subscribe(&app, &subject, "13800000003", "immediate").await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(to(&seen, "13800000003").len(), 1);

    // Three records: A gets two alerts (the day's cap), the third waits for the digest; B and C get nothing.
    for _ in 0..3 {
        record_event(&app, &code).await;
    }
    wait_until("two alerts to A", 30, || to(&seen, "13800000001").len() >= 3).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let a = to(&seen, "13800000001");
    assert_eq!(a.len(), 3, "the code and two alerts: {a:?}");
    assert!(a[1].contains(&name) && a[1].contains(&stop_a) && a[1].contains("TD"), "{}", a[1]);
    assert_eq!(to(&seen, "13800000002").len(), 1, "B: its code only");
    assert_eq!(to(&seen, "13800000003").len(), 1, "C: its code only");
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_digest WHERE digest_day IS NULL")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    assert_eq!(waiting, 1, "the third alert is in the evening's digest");
    let t = backend::clock::now();
    let evening = t - (t + 8 * 3600).rem_euclid(86_400) + 21 * 3600;
    assert_eq!(backend::follow::sms::queue_digests(app.db.store(), evening).await.unwrap(), 1);
    // Queued as of the evening: due now for the test.
    sqlx::query("UPDATE outbox SET next_at = 0 WHERE kind = 'digest'")
        .execute(app.db.state.store.pool())
        .await
        .unwrap();
    wait_until("the digest", 30, || to(&seen, "13800000001").len() >= 4).await;
    let digest = to(&seen, "13800000001")[3].clone();
    assert!(digest.contains("1条") && digest.contains(&name), "{digest}");

    // The unsubscribe link: altered, 404 and nothing changes; as sent, one step; again, the same.
    let token = stop_a.trim_start_matches("/u/");
    let bad = format!("{}{}", &token[..token.len() - 1], if token.ends_with('0') { '1' } else { '0' });
    let r = client()
        .post(app.url("/api/v1/follow/sms/unsubscribe"))
        .json(&serde_json::json!({ "token": bad }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(r).await["error"]["field"], "token");
    let page = client().get(app.url(&stop_a)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        header(page.headers(), "cache-control").contains("no-store")
            || header(page.headers(), "cache-control").contains("private")
    );
    assert!(page.text().await.unwrap().contains(&name));
    for _ in 0..2 {
        let r =
            client().post(app.url(&stop_a)).form(&[("x", "")]).header(ACCEPT, "application/json").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    // D follows the district's records by reply: a signed "TD" from the gateway stops it; unsigned is refused.
    let d_stop = follow(&app, &seen, &subject, "13800000004", "immediate").await;
    assert!(d_stop.starts_with("/u/"));
    let body = serde_json::json!({ "phone": "13800000004", "text": " td " }).to_string();
    let unsigned = client()
        .post(app.url("/api/v1/sms/inbound"))
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let sig = backend::sealed::signature(INBOUND_SECRET.as_bytes(), backend::clock::now(), "inbound", body.as_bytes());
    let r = client()
        .post(app.url("/api/v1/sms/inbound"))
        .header(CONTENT_TYPE, "application/json")
        .header("x-portal-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["stopped"], 1);
    let before_a = to(&seen, "13800000001").len();
    let before_d = to(&seen, "13800000004").len();
    record_event(&app, &code).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(to(&seen, "13800000001").len(), before_a, "A unsubscribed by link");
    assert_eq!(to(&seen, "13800000004").len(), before_d, "D unsubscribed by reply");
    // Nothing was sent twice: every alert key went out once.
    let dupes: i64 = sqlx::query_scalar("SELECT COUNT(*) - COUNT(DISTINCT idempotency_key) FROM outbox")
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    assert_eq!(dupes, 0);
    app.stop().await;
}

#[derive(Default)]
struct Receiver {
    up: AtomicBool,
    refused: Mutex<u32>,
    /// (idempotency key, body, signature) in arrival order.
    got: Mutex<Vec<(String, Value, String)>>,
}

async fn receiver() -> (String, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    let state = r.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let r = state.clone();
            async move {
                if !r.up.load(Ordering::SeqCst) {
                    *r.refused.lock().unwrap() += 1;
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                r.got.lock().unwrap().push((
                    h("idempotency-key"),
                    serde_json::from_slice(&body).unwrap(),
                    h("x-portal-signature"),
                ));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, r)
}

async fn a_partner_down_for_a_while_gets_everything_in_order_once(engine: Backend) {
    let (url, rx) = receiver().await;
    let app = TestApp::start(engine, |_| {}).await;
    let admin = app.client_as("demo_admin").await;
    // A moderator may not register receivers; bad input names the field.
    let moderator = app.client_as("demo_moderator").await;
    let form = [("name", "涪城区局"), ("url", url.as_str()), ("events", "event"), ("events", "grade")];
    let r =
        moderator.post(app.url("/staff/webhooks")).form(&form).header(ACCEPT, "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = admin
        .post(app.url("/staff/webhooks"))
        .form(&[("name", "涪城区局"), ("url", "ftp://x"), ("events", "event")])
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(r).await["error"]["field"], "url");
    let r = admin.post(app.url("/staff/webhooks")).form(&form).header(ACCEPT, "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = json(r).await["id"].as_i64().unwrap();
    let secret =
        backend::follow::webhooks::secret(&app.db.state, &backend::staff::audit::Actor::cli(), id).await.unwrap();

    // Two businesses, three records each, while the receiver is down.
    let codes = vec![a_business(&app, 2).await.0, a_business(&app, 3).await.0];
    for _ in 0..3 {
        for c in &codes {
            record_event(&app, c).await;
        }
    }
    wait_until("the receiver refused", 30, || *rx.refused.lock().unwrap() >= 2).await;
    // Only the head of each subject's line is tried while it is down.
    let tried: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM outbox WHERE kind = 'partner' AND attempts > 0 \
         GROUP BY subject_key) per_subject",
    )
    .fetch_one(app.db.state.store.pool())
    .await
    .unwrap();
    if tried > 1 {
        let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT id, idempotency_key, subject_key, attempts FROM outbox WHERE kind = 'partner' ORDER BY id",
        )
        .fetch_all(app.db.state.store.pool())
        .await
        .unwrap();
        panic!("{tried} deliveries tried, at most one per subject: {rows:?}");
    }
    // Back up: the heads wait out their backoff; then everything arrives.
    sqlx::query("UPDATE outbox SET next_at = 0 WHERE kind = 'partner'")
        .execute(app.db.state.store.pool())
        .await
        .unwrap();
    rx.up.store(true, Ordering::SeqCst);
    let ours = |rx: &Receiver| -> Vec<(String, Value, String)> {
        rx.got
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, b, _)| codes.iter().any(|c| b["subject"]["business_code"] == c.as_str()))
            .cloned()
            .collect()
    };
    wait_until("six deliveries", 40, || ours(&rx).len() >= 6).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = ours(&rx);
    assert_eq!(got.len(), 6, "each once");
    let all = rx.got.lock().unwrap().clone();
    let mut keys: Vec<&String> = all.iter().map(|(k, _, _)| k).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len(), "nothing delivered twice");
    for c in &codes {
        let ids: Vec<String> = got
            .iter()
            .filter(|(_, b, _)| b["subject"]["business_code"] == c.as_str())
            .map(|(_, b, _)| b["id"].as_str().unwrap().to_owned())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|k| k.rsplit('-').next().unwrap().parse::<i64>().unwrap());
        assert_eq!(ids, sorted, "in order per subject");
        assert_eq!(ids.len(), 3);
    }
    for (key, body, sig) in &got {
        let t: i64 = sig.split(',').find_map(|p| p.strip_prefix("t=")).unwrap().parse().unwrap();
        assert!(backend::sealed::verify_signature(secret.as_bytes(), sig, key, body.to_string().as_bytes(), t));
        assert_eq!(body["type"], "event");
    }
    // The delivery log shows the refusals and the successes.
    let page = admin.get(app.url(&format!("/staff/webhooks/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("503") && page.contains("200"), "the log shows each attempt's status");
    assert!(page.contains(&secret), "admins see the secret");
    let viewed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'follow.webhook_secret_viewed'")
            .fetch_one(app.db.state.store.pool())
            .await
            .unwrap();
    assert!(viewed >= 1);
    app.stop().await;
}

async fn a_burst_of_subscriptions_on_distinct_phones_all_get_their_codes(engine: Backend) {
    let (url, seen) = gateway().await;
    let app = TestApp::start(engine, |c| {
        c.sms_url = Some(url);
        c.network_bounds.follows = backend::config::Bound::new(100, 1000);
    })
    .await;
    let answers =
        futures_util::future::join_all((0..16).map(|i| {
            let app = &app;
            async move {
                subscribe(app, "district:涪城区:grade_drops", &format!("139000000{i:02}"), "digest").await.status()
            }
        }))
        .await;
    assert!(answers.iter().all(|s| *s == StatusCode::ACCEPTED), "{answers:?}");
    assert_eq!(seen.lock().unwrap().len(), 16);
    assert_eq!(subs(&app).await, 16);
    app.stop().await;
}
