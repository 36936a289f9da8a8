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

/// A fresh, migrated database and a state over it. Call [`TestDb::cleanup`] at the end; a test that panics
/// first still removes its database and folder when the value is dropped.
pub struct TestDb {
    pub state: AppState,
    pub url: String,
    pub dir: PathBuf,
    pg_name: Option<String>,
    cleaned: bool,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.cleaned {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_name.take() {
            // Dropping runs inside the test's runtime, which cannot be blocked on: a thread of its own does it.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(drop_pg(Some(name)));
                }
            })
            .join();
        }
    }
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), n, t % 1_000_000_000)
}

fn pg_url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

/// A migrated template database named after the migrations' content, made once and kept across runs (the
/// test script drops only `portal_test_*`); a change to any migration makes a new one.
async fn pg_template(admin_store: &Store, admin: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use sha2::{Digest, Sha256};
            let mut h = Sha256::new();
            for m in crate::dialect::POSTGRES_MIGRATIONS.iter() {
                h.update(&m.checksum);
            }
            let name = format!("portal_tpl_{}", &hex::encode(h.finalize())[..16]);
            let exists = sqlx::query("SELECT 1 AS x FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(admin_store.pool())
                .await
                .expect("look up the template")
                .is_some();
            if !exists {
                let building = format!("{name}_build_{}", std::process::id());
                sqlx::query(&format!("CREATE DATABASE {building} TEMPLATE template0 ENCODING 'UTF8'"))
                    .execute(admin_store.pool())
                    .await
                    .expect("create the template");
                let store = Store::connect(&pg_url(admin, &building)).await.expect("connect the template");
                store.migrate().await.expect("migrate the template");
                store.close().await;
                // Renamed only once complete: a half-built template is never used.
                let renamed = sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(admin_store.pool())
                    .await;
                if renamed.is_err() {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {building}")).execute(admin_store.pool()).await;
                }
            }
            name
        })
        .await
        .clone()
}

/// A URL for a new, empty database of `backend` (no tables, not migrated) and what removes it.
pub async fn empty_database(backend: Backend) -> (String, EmptyDb) {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("portal_test_empty"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            (format!("sqlite://{}/restored.db", dir.display()), EmptyDb { dir: Some(dir), pg_name: None })
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let name = unique("portal_test");
            let admin_store = Store::connect(&admin).await.expect("PostgreSQL for tests");
            sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))
                .execute(admin_store.pool())
                .await
                .expect("create an empty database");
            admin_store.close().await;
            (pg_url(&admin, &name), EmptyDb { dir: None, pg_name: Some(name) })
        }
    }
}

/// Removes a database made by [`empty_database`].
pub struct EmptyDb {
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

impl EmptyDb {
    pub async fn cleanup(self) {
        drop_pg(self.pg_name).await;
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn drop_pg(name: Option<String>) {
    if let Some(name) = name {
        if let Ok(admin) = Store::connect(&pg_admin_url()).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await;
            admin.close().await;
        }
    }
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
                let template = pg_template(&admin_store, &admin).await;
                // Copying a migrated template is much faster than migrating; concurrent copies of one template
                // can collide ("being accessed by other users"), so retry briefly.
                let mut tries = 0;
                loop {
                    let created = sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                        .execute(admin_store.pool())
                        .await;
                    match created {
                        Ok(_) => break,
                        Err(e) if tries < 50 && e.to_string().contains("being accessed by other users") => {
                            tries += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(20 + 10 * tries)).await;
                        }
                        Err(e) => panic!("create test database: {e}"),
                    }
                }
                admin_store.close().await;
                (pg_url(&admin, &name), Some(name))
            }
        };
        let store = Store::connect(&url).await.expect("connect test database");
        store.migrate().await.expect("migrate test database");
        let mut config = Config::for_tests(&url, &dir);
        tweak(&mut config);
        TestDb { state: AppState::new(store, config), url, dir, pg_name, cleaned: false }
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Closes the pool and removes the database.
    pub async fn cleanup(mut self) {
        self.cleaned = true;
        self.state.store.close().await;
        drop_pg(self.pg_name.take()).await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs each named test case as two tests, `name::sqlite` and `name::postgres`, through the test crate's own
/// `common::case(engine, case)`: storage tests hand each case a fresh database, HTTP tests a fresh app.
#[macro_export]
#[expect(clippy::crate_in_macro_def, reason = "`crate::common` is the calling test crate's own module, by design")]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    crate::common::case($crate::testing::Backend::Sqlite, |t| Box::pin(super::$name(t))).await;
                }
                #[tokio::test]
                async fn postgres() {
                    crate::common::case($crate::testing::Backend::Postgres, |t| Box::pin(super::$name(t))).await;
                }
            }
        )*
    };
}

/// A PNG of `w` × `h` 16-bit RGBA pixels, all zeros: a few hundred KB that decode to `w·h·8` bytes (a
/// decompression bomb for the photo checks).
pub fn bomb_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Sixteen);
        enc.set_compression(png::Compression::High);
        let mut writer = enc.write_header().expect("PNG header");
        let mut stream = writer.stream_writer().expect("PNG stream");
        let row = vec![0u8; w as usize * 8];
        for _ in 0..h {
            std::io::Write::write_all(&mut stream, &row).expect("PNG row");
        }
        stream.finish().expect("PNG end");
    }
    out
}
