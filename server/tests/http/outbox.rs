//! The outbox over HTTP, on SQLite and on PostgreSQL: accepting a case forwards it to the webhook receiver,
//! HMAC-signed with an idempotency key, and sends the reporter's SMS notice; a receiver that is down (503, then
//! refusing connections) gets every message once it is back, exactly once; staff see what is still waiting; two
//! workers whose sends outlast a batch's claim still send each message once; the receiver verifies the signature
//! (timestamp, idempotency key and body) and refuses replays.

use crate::common::*;
use backend::config::Secret;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both!(
    messages_reach_a_receiver_that_was_down_exactly_once,
    three_instances_deliver_each_message_once,
    slow_sends_are_never_sent_twice_by_two_workers,
    sms_notices_wait_while_the_citys_budget_is_spent,
);

/// The webhook secret the receiver shares with the portal.
const WEBHOOK_SECRET: &str = "receiver-and-portal-share-this";

/// What a receiver does with `X-Portal-Signature: t=<unix>,v1=<hex>`: the HMAC-SHA256 of `t.idempotency_key.body`
/// under the shared secret must match (compared in constant time), and `t` must be within five minutes of now,
/// so a captured request replayed later, or with another key or body, is refused.
fn verify(secret: &str, header: &str, key: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    use hmac::Mac;
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", x)) => t = x.parse::<i64>().ok(),
            Some(("v1", x)) => v1 = hex::decode(x).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return Err("malformed") };
    if (now - t).abs() > 300 {
        return Err("too old");
    }
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("{t}.{key}.").as_bytes());
    m.update(body);
    m.verify_slice(&v1).map_err(|_| "bad signature")
}

#[derive(Default)]
struct Receiver {
    up: AtomicBool,
    refused: Mutex<u32>,
    /// How long the receiver takes to answer, in milliseconds.
    delay_ms: std::sync::atomic::AtomicU64,
    /// Webhooks whose signature did not verify.
    bad_signatures: Mutex<Vec<String>>,
    /// Delivered messages by idempotency key: (count, body, signature).
    got: Mutex<HashMap<String, (u32, Value, String)>>,
}

async fn receiver() -> (String, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    let state = r.clone();
    let router = axum::Router::new().route(
        "/{kind}",
        axum::routing::post(
            move |axum::extract::Path(kind): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                let r = state.clone();
                async move {
                    if !r.up.load(Ordering::SeqCst) {
                        *r.refused.lock().unwrap() += 1;
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let sig = headers.get("x-portal-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    if kind == "webhook" {
                        if let Err(why) = verify(WEBHOOK_SECRET, &sig, &key, &body, backend::clock::now()) {
                            r.bad_signatures.lock().unwrap().push(format!("{key}: {why} ({sig})"));
                            return axum::http::StatusCode::UNAUTHORIZED;
                        }
                    }
                    {
                        let mut got = r.got.lock().unwrap();
                        let e = got.entry(key).or_insert((0, v, sig));
                        e.0 += 1;
                    }
                    let delay = r.delay_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, r)
}

async fn messages_reach_a_receiver_that_was_down_exactly_once(engine: Backend) {
    let (base, rx) = receiver().await;
    let app = TestApp::start(engine, |c| {
        c.webhook_url = Some(format!("{base}/webhook"));
        c.webhook_secret = Some(Secret::new(WEBHOOK_SECRET.to_owned()));
        c.sms_url = Some(format!("{base}/sms"));
    })
    .await;
    // A resident files a 举报 with a phone; the receiver is down.
    let form = reqwest::multipart::Form::new()
        .text("kind", "举报")
        .text("business_name", "某某烧烤店")
        .text("category", "卫生状况")
        .text("description", "后厨老鼠出没，餐具未消毒。")
        .text("reporter_name", "李四")
        .text("reporter_phone", "13912345678");
    let r = json(client().post(app.url("/api/v1/complaints")).multipart(form).send().await.unwrap()).await;
    let no = r["tracking_no"].as_str().unwrap().to_owned();
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&no)
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    let staff = app.client_as("demo_moderator").await;
    let res = staff
        .post(app.url(&format!("/staff/cases/{id}/transition")))
        .form(&[("to", "accepted"), ("message", "已受理，三日内检查。")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Refused for a while, and staff see the messages waiting.
    let deadline = Instant::now() + Duration::from_secs(20);
    while *rx.refused.lock().unwrap() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(*rx.refused.lock().unwrap() >= 2, "the worker tried while the receiver was down");
    let waiting = backend::outbox::pending(&app.db.state.store).await.unwrap();
    assert!(waiting.iter().any(|p| p.kind == "webhook" && p.attempts > 0 && p.last_error.is_some()));
    let page = staff.get(app.url("/staff/cases")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("case-accepted:{no}")), "staff see the message waiting");
    // The receiver comes back: both messages arrive, once each.
    rx.up.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(30);
    while rx.got.lock().unwrap().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = rx.got.lock().unwrap().clone();
    let hook = got.get(&format!("case-accepted:{no}")).expect("webhook delivered");
    assert_eq!(hook.0, 1, "exactly once");
    assert_eq!(hook.1["tracking_no"], no.as_str());
    assert!(!hook.1.to_string().contains("13912345678"), "no reporter data in the forwarded case");
    assert!(rx.bad_signatures.lock().unwrap().is_empty(), "{:?}", rx.bad_signatures.lock().unwrap());
    // The signature covers the time, the idempotency key and the body: a replay is refused after five minutes,
    // and the signature does not carry over to another key or another body.
    let t: i64 = hook.2.split(',').find_map(|p| p.strip_prefix("t=")).unwrap().parse().unwrap();
    let body = hook.1.to_string();
    let key = format!("case-accepted:{no}");
    assert_eq!(verify(WEBHOOK_SECRET, &hook.2, &key, body.as_bytes(), t + 60), Ok(()));
    assert_eq!(verify(WEBHOOK_SECRET, &hook.2, &key, body.as_bytes(), t + 301), Err("too old"));
    assert_eq!(verify(WEBHOOK_SECRET, &hook.2, "case-accepted:JB-OTHER", body.as_bytes(), t), Err("bad signature"));
    assert_eq!(verify(WEBHOOK_SECRET, &hook.2, &key, b"{}", t), Err("bad signature"));
    assert_eq!(hook.2, backend::outbox::signature(&app.db.state, t, &key, body.as_bytes()));
    let sms = got.get(&format!("case-sms:{no}:accepted")).expect("SMS notice delivered");
    assert_eq!(sms.0, 1);
    assert_eq!(sms.1["phone"], "13912345678");
    assert!(sms.1["message"].as_str().unwrap().contains("已受理，三日内检查。"));
    assert!(backend::outbox::pending(&app.db.state.store).await.unwrap().is_empty());
    app.stop().await;
}

async fn three_instances_deliver_each_message_once(engine: Backend) {
    let (base, rx) = receiver().await;
    rx.up.store(true, Ordering::SeqCst);
    let app = TestApp::start(engine, |c| {
        c.webhook_url = Some(format!("{base}/webhook"));
        c.webhook_secret = Some(Secret::new(WEBHOOK_SECRET.to_owned()));
    })
    .await;
    let state = app.db.state.clone();
    {
        let mut conn = state.store.pool().acquire().await.unwrap();
        for i in 0..60 {
            backend::outbox::enqueue_in(
                &mut conn,
                &state,
                "webhook",
                &format!("m-{i}"),
                &serde_json::json!({ "n": i }),
            )
            .await
            .unwrap();
        }
    }
    // Two more instances' workers (their own pools) next to the app's own.
    let mut others = Vec::new();
    for _ in 0..2 {
        let store = backend::Store::connect(&app.db.url).await.unwrap();
        let other = backend::AppState::new(store, (*state.config).clone());
        others.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for _ in 0..20 {
                backend::outbox::deliver_due(&other, &client).await.unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    for o in others {
        o.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let ours = |got: &HashMap<String, (u32, Value, String)>| got.keys().filter(|k| k.starts_with("m-")).count();
    while ours(&rx.got.lock().unwrap()) < 60 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(ours(&got), 60);
    assert_eq!(got.len(), 60, "the demo data sends nothing out (its phone numbers are made up)");
    assert!(got.values().all(|(n, _, _)| *n == 1), "a message was sent twice");
    app.stop().await;
}

/// A claim taken for a whole batch ran out while the batch was still being sent (20 messages × 10 s against 60 s),
/// and another instance sent the rest again. Here with short times: a receiver taking 300 ms, claims of one second.
async fn slow_sends_are_never_sent_twice_by_two_workers(engine: Backend) {
    let (base, rx) = receiver().await;
    rx.up.store(true, Ordering::SeqCst);
    rx.delay_ms.store(300, Ordering::SeqCst);
    let db = TestDb::with_config(engine, |c| {
        c.webhook_url = Some(format!("{base}/webhook"));
        c.webhook_secret = Some(Secret::new(WEBHOOK_SECRET.to_owned()));
    })
    .await;
    {
        let mut conn = db.state.store.pool().acquire().await.unwrap();
        for i in 0..12 {
            backend::outbox::enqueue_in(
                &mut conn,
                &db.state,
                "webhook",
                &format!("slow-{i}"),
                &serde_json::json!({ "n": i }),
            )
            .await
            .unwrap();
        }
    }
    let timing = backend::outbox::Timing { claim_secs: 1, send_timeout: Duration::from_millis(900) };
    let mut workers = Vec::new();
    for _ in 0..2 {
        let store = backend::Store::connect(&db.url).await.unwrap();
        let state = backend::AppState::new(store, (*db.state.config).clone());
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                backend::outbox::deliver_due_with(&state, &client, timing).await.unwrap();
                let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
                    .fetch_one(state.store.pool())
                    .await
                    .unwrap();
                if left == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let got = rx.got.lock().unwrap().clone();
    let twice: Vec<_> = got.iter().filter(|(_, (n, _, _))| *n > 1).map(|(k, (n, _, _))| format!("{k} ×{n}")).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(got.len(), 12, "every message delivered");
    assert!(rx.bad_signatures.lock().unwrap().is_empty());
    db.cleanup().await;
}

/// A notice by SMS costs the city like a code: once the day's budget is spent it waits (staff see why), while the
/// webhook of the same move goes out.
async fn sms_notices_wait_while_the_citys_budget_is_spent(engine: Backend) {
    let (base, rx) = receiver().await;
    rx.up.store(true, Ordering::SeqCst);
    let app = TestApp::start(engine, |c| {
        c.webhook_url = Some(format!("{base}/webhook"));
        c.webhook_secret = Some(Secret::new(WEBHOOK_SECRET.to_owned()));
        c.sms_url = Some(format!("{base}/sms"));
        c.network_bounds.sms_daily_budget = 1;
    })
    .await;
    backend::picks::sms::spend_budget(&app.db.state).await.unwrap();
    let form = reqwest::multipart::Form::new()
        .text("kind", "举报")
        .text("business_name", "某某烧烤店")
        .text("category", "卫生状况")
        .text("description", "后厨老鼠出没，餐具未消毒。")
        .text("reporter_name", "李四")
        .text("reporter_phone", "13912345678");
    let r = json(client().post(app.url("/api/v1/complaints")).multipart(form).send().await.unwrap()).await;
    let no = r["tracking_no"].as_str().unwrap().to_owned();
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&no)
        .fetch_one(app.db.state.store.pool())
        .await
        .unwrap();
    let staff = app.client_as("demo_moderator").await;
    let res = staff
        .post(app.url(&format!("/staff/cases/{id}/transition")))
        .form(&[("to", "accepted"), ("message", "已受理。")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !rx.got.lock().unwrap().contains_key(&format!("case-accepted:{no}")) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = rx.got.lock().unwrap().clone();
    assert!(got.contains_key(&format!("case-accepted:{no}")), "the webhook goes out");
    assert!(!got.contains_key(&format!("case-sms:{no}:accepted")), "the SMS waits for the budget");
    let waiting = backend::outbox::pending(&app.db.state.store).await.unwrap();
    assert!(
        waiting.iter().any(|p| p.kind == "sms" && p.last_error.as_deref() == Some("daily SMS budget spent")),
        "{waiting:?}"
    );
    app.stop().await;
}
