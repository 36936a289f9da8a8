//! What every HTTP test file shares: the real app on port 0 over a fresh real database, clients, helpers, and
//! `on_both!`, which runs a test on SQLite and on PostgreSQL.

pub use backend::config::{Config, RateLimits};
pub use backend::testing::{Backend, TestDb};
pub use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION, SET_COOKIE};
pub use reqwest::{redirect, Client, StatusCode};
pub use serde_json::Value;

/// One app at a time per test process. Leptos' server rendering, run in several tokio runtimes of one process at
/// once (each `#[tokio::test]` has its own), occasionally never wakes a render: about one page in 2,000 with six
/// apps in parallel, in current-thread and multi-thread runtimes alike, never with one app at a time. Production runs
/// one runtime (64 concurrent connections for minutes: no such answer), so the tests take turns instead.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct TestApp {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    pub base: String,
    pub db: TestDb,
    /// The app's HTTP state (limiters, cache), for tests that look inside.
    pub shared: server::http::Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    pub async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        // The database and its data are made before the turn: only running apps must take turns, so the next
        // test's seeding overlaps this one's requests.
        let db = TestDb::with_config(backend, tweak).await;
        backend::seed::demo_with(&db.state, 300, backend::seed::DEMO_PASSWORD).await.expect("seed");
        let turn = ONE_APP_AT_A_TIME.lock().await;
        let config = (*db.state.config).clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::build(config, listener).await.expect("build app");
        let base = format!("http://{}", running.local_addr());
        let shared = running.shared.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(running.serve(async move {
            let _ = rx.await;
        }));
        TestApp { _turn: turn, base, db, shared, shutdown: Some(tx), task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(15), &mut self.task).await;
        self.db.cleanup().await;
    }

    /// A fresh round of this test's own, open for voting now (device voters, three picks, live counts), with
    /// eight candidates: its id and the candidates' ids. Tests do not depend on the demo seed's rounds.
    pub async fn voting_round(&self) -> (i64, Vec<i64>) {
        use domain::picks::{CandidateInput, RoundInput, Schedule, VoterCheck};
        let (t, day) = (backend::clock::now(), 86_400);
        let round = RoundInput {
            title: "测试期".into(),
            description: "测试用的投票期".into(),
            schedule: Schedule {
                nominate_from: t - 10 * day,
                vote_from: t - day,
                vote_until: t + 5 * day,
                publish_at: t + 30 * day,
            },
            max_picks: 3,
            show_live: true,
            voter_check: VoterCheck::Device,
        };
        let cli = backend::staff::audit::Actor::cli();
        let id = backend::picks::create_round(&self.db.state, &cli, &round).await.unwrap();
        let mut ids = Vec::new();
        for food in ["米粉", "豆芽", "卤肉", "凉粉", "蜂蜜", "腊肉", "豆腐", "面条"] {
            let c = CandidateInput { food: food.into(), category: "其他".into(), reason: String::new() };
            ids.push(backend::picks::add_candidate(self.db.store(), &cli, id, &c).await.unwrap());
        }
        (id, ids)
    }

    /// Signs in with a demo account; returns a client holding the session cookie.
    pub async fn client_as(&self, username: &str) -> Client {
        let c = client_with_cookies();
        let res = c
            .post(self.url("/staff/login"))
            .form(&[("username", username), ("password", backend::seed::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login as {username}");
        c
    }
}

pub fn client() -> Client {
    Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

pub fn client_with_cookies() -> Client {
    Client::builder().redirect(redirect::Policy::none()).cookie_store(true).build().unwrap()
}

pub async fn json(res: reqwest::Response) -> Value {
    res.json().await.expect("JSON body")
}

pub fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// One HTTP case on `engine` (each case starts its own app): how `backend::on_both!` runs it.
pub async fn case<F>(engine: Backend, case: F)
where
    F: FnOnce(Backend) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
{
    case(engine).await;
}

/// A valid credit code in Mianyang with a chosen serial.
pub fn code(prefix: &str, n: u32) -> String {
    let body = format!("{prefix}{n:07}");
    format!("{body}{}", domain::credit::credit_check_char(body.as_bytes()).unwrap())
}

/// A local SMS gateway: records every message it is asked to send (`{phone, message}`). Its URL and the record.
pub async fn gateway() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = seen.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}
