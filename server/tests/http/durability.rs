//! Every acknowledged ballot survives `kill -9`: the real `server` binary takes ballots from many voters at
//! once, is killed mid-flight, and restarted on the same database; each ballot that was answered 200 is there,
//! once; the same for cases filed with a photo each. On SQLite (both committed with `synchronous = FULL`) and on
//! PostgreSQL.

use crate::common::*;
use backend::picks::voter::{mint_device_token, voter_hash, Identity};
use domain::picks::{CandidateInput, RoundInput, Schedule, VoterCheck};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both!(acknowledged_ballots_survive_kill_9, acknowledged_cases_survive_kill_9_with_their_photos);

const KEY: &str = "durability-test-key-durability-test-key";

fn spawn(db_url: &str, dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PORTAL_DATA_DIR", dir)
        .env("PORTAL_SECRET_KEY", KEY)
        .env("PORTAL_RATE_VOTE_PER_MIN", "100000000")
        // One client files and votes as fast as it can: the per-network bounds would stop it first.
        .env("PORTAL_BOUND_CASES", "100000000/min,100000000/day")
        .env("PORTAL_BOUND_BALLOTS", "100000000/min,100000000/day")
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client().get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become ready");
}

async fn acknowledged_ballots_survive_kill_9(engine: Backend) {
    let db =
        TestDb::with_config(engine, |c| c.secret_key = backend::config::Secret::new(KEY.as_bytes().to_vec())).await;
    let t = backend::clock::now();
    let round = RoundInput {
        title: "kill -9".into(),
        description: String::new(),
        schedule: Schedule { nominate_from: t - 10, vote_from: t - 10, vote_until: t + 3600, publish_at: t + 7200 },
        max_picks: 1,
        show_live: true,
        voter_check: VoterCheck::Device,
    };
    let actor = backend::staff::audit::Actor::cli();
    let id = backend::picks::create_round(&db.state, &actor, &round).await.unwrap();
    let food = CandidateInput { food: "米粉".into(), category: "其他".into(), reason: String::new() };
    let candidate = backend::picks::add_candidate(db.store(), &actor, id, &food).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn(&db.url, &db.dir, port);
    wait_ready(&base).await;
    // 24 voters at a time, each request a new voter (a token signed with the server's key, as its pages issue
    // them); every 200 is remembered with its voter's token.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..24)
        .map(|_| {
            let (acknowledged, stop, url) =
                (acknowledged.clone(), stop.clone(), format!("{base}/api/v1/rounds/{id}/ballot"));
            tokio::spawn(async move {
                let c = client();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let voter = mint_device_token(KEY.as_bytes(), backend::clock::now());
                    let sent = c
                        .post(&url)
                        .header("cookie", format!("portal_voter={voter}"))
                        .json(&serde_json::json!({ "candidate_ids": [candidate] }));
                    let Ok(res) = sent.send().await else {
                        continue;
                    };
                    if res.status() == StatusCode::OK {
                        let token = voter.split('.').next().unwrap().to_owned();
                        // Only a complete answer counts as acknowledged.
                        if res.bytes().await.is_ok() {
                            acknowledged.lock().unwrap().push(token);
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(acked.len() > 50, "only {} ballots acknowledged before the kill", acked.len());
    // Restart on the same database: every acknowledged ballot is there, exactly once.
    let mut child = spawn(&db.url, &db.dir, port);
    wait_ready(&base).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT voter_hash FROM ballots WHERE round_id = $1")
        .bind(id)
        .fetch_all(db.store().pool())
        .await
        .unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    for token in &acked {
        let hash = voter_hash(KEY.as_bytes(), id, &Identity::Device(token.clone()));
        assert!(stored.contains(&hash), "an acknowledged ballot is missing after kill -9");
    }
    let detail = json(client().get(format!("{base}/api/v1/rounds/{id}")).send().await.unwrap()).await;
    assert_eq!(detail["ballots"].as_i64().unwrap() as usize, stored.len());
    child.kill().unwrap();
    child.wait().unwrap();
    db.cleanup().await;
}

async fn acknowledged_cases_survive_kill_9_with_their_photos(engine: Backend) {
    let db =
        TestDb::with_config(engine, |c| c.secret_key = backend::config::Secret::new(KEY.as_bytes().to_vec())).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn(&db.url, &db.dir, port);
    wait_ready(&base).await;
    let photo = backend::images::sample_png(64, 48, [30, 90, 200]);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (acknowledged, stop, url, photo) =
                (acknowledged.clone(), stop.clone(), format!("{base}/api/v1/complaints"), photo.clone());
            tokio::spawn(async move {
                let c = client();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let form = reqwest::multipart::Form::new()
                        .text("kind", "举报")
                        .text("business_name", "某店")
                        .text("category", "卫生状况")
                        .text("description", "后厨卫生很差，请核查处理。")
                        .part("photos", reqwest::multipart::Part::bytes(photo.clone()).file_name("p.png"));
                    let Ok(res) = c.post(&url).multipart(form).send().await else { continue };
                    if res.status() == StatusCode::CREATED {
                        if let Ok(body) = res.json::<serde_json::Value>().await {
                            acknowledged
                                .lock()
                                .unwrap()
                                .push(body["tracking_no"].as_str().unwrap_or_default().to_owned());
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(acked.len() > 10, "only {} cases acknowledged before the kill", acked.len());
    let mut child = spawn(&db.url, &db.dir, port);
    wait_ready(&base).await;
    for no in &acked {
        let photos: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_photos p JOIN cases c ON c.id = p.case_id WHERE c.tracking_no = $1",
        )
        .bind(no)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
        assert_eq!(photos, 1, "acknowledged case {no} is missing or lost its photo after kill -9");
    }
    // No case without its photo either (nothing half-written).
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_photos p WHERE p.case_id = c.id)",
    )
    .fetch_one(db.store().pool())
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    child.kill().unwrap();
    child.wait().unwrap();
    db.cleanup().await;
}
