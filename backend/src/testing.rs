//! Fresh databases for tests: a new SQLite file in a temporary folder, or a new PostgreSQL database created on
//! the server named by `PORTAL_TEST_PG_URL` (default: the local one, database `test`). Not a mock: the real
//! engines, with the real migrations.

use crate::config::Config;
use crate::{AppState, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server tests use (its database is only used to create and drop per-test databases).
pub fn pg_admin_url() -> String {
    std::env::var("PORTAL_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database and a state over it. Call [`TestDb::cleanup`] at the end.
pub struct TestDb {
    pub state: AppState,
    pub url: String,
    pub dir: PathBuf,
    pg_name: Option<String>,
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), n, t % 1_000_000_000)
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        Self::with_config(backend, |_| {}).await
    }

    /// A fresh database; `tweak` adjusts the configuration before the state is made.
    pub async fn with_config(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestDb {
        let dir = std::env::temp_dir().join(unique("portal_test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (url, pg_name) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/portal.db", dir.display()), None),
            Backend::Postgres => {
                let admin = pg_admin_url();
                let name = unique("portal_test");
                let admin_store = Store::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL for tests ({admin}) is required: {e:#}"));
                sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))
                    .execute(admin_store.pool())
                    .await
                    .expect("create test database");
                admin_store.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                (format!("{base}/{name}"), Some(name))
            }
        };
        let store = Store::connect(&url).await.expect("connect test database");
        store.migrate().await.expect("migrate test database");
        let mut config = Config::for_tests(&url, &dir);
        tweak(&mut config);
        TestDb { state: AppState::new(store, config), url, dir, pg_name }
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Closes the pool and removes the database.
    pub async fn cleanup(self) {
        self.state.store.close().await;
        if let Some(name) = self.pg_name {
            if let Ok(admin) = Store::connect(&pg_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await;
                admin.close().await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
