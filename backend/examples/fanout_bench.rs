#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
//! 关注 fan-out: one new record on a business followed by N phones (default 10,000). Measures, cold (a fresh
//! database, nothing read before): the time until every alert is queued (the record's transaction, then the
//! dispatcher's), as a ratio to a baseline measured in the same run on the same database — writing N rows into a
//! scratch table in one `INSERT … SELECT`, the floor of any fan-out that writes a row per subscriber; then the
//! time until the outbox worker delivered every alert to a local SMS gateway, and whether any phone got one twice.
//! Usage: DATABASE_URL=sqlite:///tmp/f.db|postgres://… cargo run --release -p backend --example fanout_bench -- [N]

use backend::config::{Bound, Config};
use backend::staff::audit::Actor;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let url = std::env::var("DATABASE_URL")?;
    let dir = std::env::temp_dir();
    let e = |e: domain::AppError| anyhow::anyhow!("{e:?}");

    // A local gateway that counts what each phone got.
    let got: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let seen = got.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let seen = seen.clone();
            async move {
                *seen
                    .lock()
                    .expect("gateway lock")
                    .entry(body["phone"].as_str().unwrap_or_default().to_owned())
                    .or_default() += 1;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let gateway = format!("http://{}/sms", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut config = Config::for_tests(&url, &dir);
    config.sms_url = Some(gateway);
    config.network_bounds.sms_daily_budget = 10 * n;
    config.network_bounds.follows = Bound::new(n, n);
    let store = backend::Store::connect(&url).await?;
    store.migrate().await?;
    let state = backend::AppState::new(store.clone(), config);
    let b = domain::credit::BusinessFields {
        credit_code: "91510703MA6C8UYL26".into(),
        name: "涪城老王米粉".into(),
        address: "涪城区临园路1号".into(),
        district: "涪城区".into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .map_err(e)?;
    backend::credit::save_business(&store, &Actor::cli(), &b).await.map_err(e)?;
    // N confirmed subscriptions, each phone sealed to its row as the service does.
    let key = state.config.secret_key.expose().clone();
    let t = backend::clock::now();
    let mut tx = store.begin_write().await?;
    for i in 0..n {
        let phone = format!("139{i:08}");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO follow_subscriptions (subject_kind, subject, only_filter, phone_hash, phone, mode, lang, \
             attempts, confirmed_at, created_at) VALUES ('business', $1, '', $2, $3, 'immediate', 'zh', 0, $4, $4) \
             RETURNING id",
        )
        .bind(b.credit_code.as_str())
        .bind(backend::sealed::keyed_hash(&key, "sms-phone", &phone))
        .bind(Vec::<u8>::new())
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        let sealed =
            backend::sealed::seal(&key, "follow-phone", &format!("follow/{id}"), phone.as_bytes()).map_err(e)?;
        sqlx::query("UPDATE follow_subscriptions SET phone = $1 WHERE id = $2")
            .bind(sealed)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;

    // Baseline: N rows written in one INSERT … SELECT, on the same database.
    sqlx::query("CREATE TABLE bench_rows (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").execute(store.pool()).await?;
    let started = Instant::now();
    let mut tx = store.begin_write().await?;
    sqlx::query("INSERT INTO bench_rows (k, v) SELECT 'row:' || CAST(id AS TEXT), id FROM follow_subscriptions")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let baseline = started.elapsed();

    // The record, then the dispatcher: until every alert is queued.
    let started = Instant::now();
    let ev = domain::credit::EventFields {
        credit_code: b.credit_code.to_string(),
        kind: "penalty".into(),
        severity: "serious".into(),
        occurred_at: domain::clock::format_date(t),
        source: "行政处罚决定书".into(),
        description: "使用超过保质期的食品原料".into(),
    }
    .parse()
    .map_err(e)?;
    backend::credit::add_event(&store, &Actor::cli(), &ev).await.map_err(e)?;
    let d = backend::follow::dispatch::dispatch_due(&store, backend::clock::now()).await.map_err(e)?;
    let queued = started.elapsed();
    let in_outbox: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT idempotency_key) FROM outbox WHERE kind = 'follow'")
        .fetch_one(store.pool())
        .await?;

    // Delivery through the outbox worker's rounds to the local gateway.
    let started = Instant::now();
    let client = reqwest::Client::new();
    loop {
        let sent = backend::outbox::deliver_due(&state, &client).await.map_err(e)?;
        if sent == 0 {
            break;
        }
    }
    let delivered = started.elapsed();
    let got = got.lock().expect("gateway lock");
    let twice = got.values().filter(|c| **c > 1).count();
    let engine = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("engine: {engine}; subscribers: {n}");
    println!("baseline (N rows, one INSERT … SELECT): {:.1} ms", baseline.as_secs_f64() * 1e3);
    println!(
        "queued: {} alerts in {:.1} ms (record + dispatch), ratio to baseline {:.2}; outbox rows {in_outbox}",
        d.messages,
        queued.as_secs_f64() * 1e3,
        queued.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "delivered: {} phones in {:.1} s ({:.0}/s); phones that got an alert twice: {twice}",
        got.len(),
        delivered.as_secs_f64(),
        got.len() as f64 / delivered.as_secs_f64()
    );
    anyhow::ensure!(
        d.messages == n as u64 && in_outbox == n && got.len() == n as usize && twice == 0,
        "fan-out incomplete or doubled"
    );
    Ok(())
}
