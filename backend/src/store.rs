//! The database. One sqlx `AnyPool` serves SQLite and PostgreSQL; queries use `$n` placeholders, which both
//! accept. Dialect differences are few and handled where they occur (`Store::kind`).

use crate::config::{redact_url, DbKind};
use anyhow::{bail, Context};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    kind: DbKind,
    changes: tokio::sync::broadcast::Sender<Change>,
    /// The credit deduction rules as last read, for public lookups (see `credit::events::rules_cached`).
    pub(crate) rules: std::sync::Arc<std::sync::RwLock<Option<(std::time::Instant, domain::credit::CreditRules)>>>,
    /// How many registry changes this instance has announced; the search index catches up before answering.
    registry_gen: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The in-memory registry search index (see `credit::index`).
    pub(crate) search_index: std::sync::Arc<crate::credit::index::SearchIndex>,
}

/// What a service changed. Services announce their writes here; caches and in-process indexes subscribe, so no
/// adapter (page, form, API, CLI) has to remember to invalidate anything. Each instance hears its own writes;
/// other instances' caches expire by their TTL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Businesses, grades, events or replies.
    Registry,
    /// The campaign figures.
    Figures,
    /// 你点我检 rounds, candidates, nominations (not ballots: they would empty the caches thousands of times a
    /// second; pages with counts are not cached).
    Picks,
    /// Published sampling results.
    Sampling,
    /// News articles.
    News,
}

/// The SQLite file a URL names, if it is a file (not `:memory:`).
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Store {
    /// Connects, creating the SQLite file and its folder when needed. Errors name `DATABASE_URL` and say why.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let mut url = url.to_owned();
        if kind == DbKind::Sqlite {
            if let Some(path) = sqlite_path(&url) {
                prepare_sqlite_folder(&path)?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let max = match kind {
            DbKind::Sqlite => 8,
            DbKind::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        // WAL for concurrent readers; NORMAL loses nothing on a process crash (see DESIGN.md §7).
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("DATABASE_URL: cannot connect to {}", redact_url(&url)))?;
        let (changes, _) = tokio::sync::broadcast::channel(256);
        Ok(Store {
            pool,
            kind,
            changes,
            rules: Default::default(),
            registry_gen: Default::default(),
            search_index: Default::default(),
        })
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.context("applying database migrations")?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a transaction
    /// that reads and then writes would otherwise fail with "database is locked" when another writer got in
    /// between (found by the concurrent-events test). PostgreSQL transactions lock the rows they touch.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    /// Tells subscribers that something changed (a no-op when nobody listens).
    pub fn announce(&self, change: Change) {
        if change == Change::Registry {
            self.registry_gen.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        let _ = self.changes.send(change);
    }

    /// How many registry changes this instance has announced so far.
    pub fn registry_generation(&self) -> u64 {
        self.registry_gen.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The in-memory registry search index of this instance.
    pub fn search_index(&self) -> &crate::credit::index::SearchIndex {
        &self.search_index
    }

    /// Hears every later [`Store::announce`] of this instance.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// A consistent online backup: SQLite `VACUUM INTO`; PostgreSQL through `pg_dump` (plain SQL).
    pub async fn backup(&self, to: &Path, database_url: &str) -> anyhow::Result<()> {
        if to.exists() {
            bail!("{} already exists; choose a new file", to.display());
        }
        match self.kind {
            DbKind::Sqlite => {
                let target = to.to_str().context("backup path is not valid UTF-8")?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target.to_owned())
                    .execute(&self.pool)
                    .await
                    .with_context(|| format!("backup to {}", to.display()))?;
            }
            DbKind::Postgres => {
                // The password goes through the environment: arguments are visible in the process list.
                let (url, password) = split_password(database_url);
                let mut cmd = tokio::process::Command::new("pg_dump");
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
                let status = cmd
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg("--dbname")
                    .arg(url)
                    .arg("--file")
                    .arg(to)
                    .status()
                    .await
                    .context("running pg_dump (is the PostgreSQL client installed?)")?;
                if !status.success() {
                    bail!("pg_dump failed with {status}");
                }
            }
        }
        Ok(())
    }

    /// Restores a backup made by [`Store::backup`] into an empty database (`database_url`), then applies any
    /// newer migrations. SQLite: the backup file is copied into place (the target file must not exist yet) and
    /// checked with `integrity_check`, removed again if damaged. PostgreSQL: the dump is replayed with `psql` in one transaction (password through
    /// the environment); the target database must have no tables.
    pub async fn restore(from: &Path, database_url: &str) -> anyhow::Result<Store> {
        if !from.is_file() {
            bail!("{}: no such backup file", from.display());
        }
        match DbKind::from_url(database_url)? {
            DbKind::Sqlite => {
                let target = sqlite_path(database_url).context("DATABASE_URL: restore needs an SQLite file")?;
                if target.exists() && std::fs::metadata(&target).map(|m| m.len() > 0).unwrap_or(true) {
                    bail!("{} already exists: restore only into a new database", target.display());
                }
                prepare_sqlite_folder(&target)?;
                std::fs::copy(from, &target).with_context(|| format!("copying into {}", target.display()))?;
                let check = Store::connect(database_url).await?;
                let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&check.pool).await?;
                check.close().await;
                if verdict != "ok" {
                    let _ = std::fs::remove_file(&target);
                    bail!("{}: the backup is damaged ({verdict})", from.display());
                }
            }
            DbKind::Postgres => {
                let store = Store::connect(database_url).await?;
                let tables: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(&store.pool)
                .await?;
                store.close().await;
                if tables > 0 {
                    bail!("the target database has {tables} tables: restore only into an empty database");
                }
                let (url, password) = split_password(database_url);
                let mut cmd = tokio::process::Command::new("psql");
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
                let out = cmd
                    .args(["--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1"])
                    .arg("--dbname")
                    .arg(url)
                    .arg("--file")
                    .arg(from)
                    .output()
                    .await
                    .context("running psql (is the PostgreSQL client installed?)")?;
                if !out.status.success() {
                    bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr).trim());
                }
            }
        }
        let store = Store::connect(database_url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A PostgreSQL URL without its password, and the password (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_owned(), None) };
    let (authority, tail) = rest.split_once('/').map(|(a, t)| (a, format!("/{t}"))).unwrap_or((rest, String::new()));
    let Some((userinfo, host)) = authority.rsplit_once('@') else { return (url.to_owned(), None) };
    let Some((user, password)) = userinfo.split_once(':') else { return (url.to_owned(), None) };
    (format!("{scheme}://{user}@{host}{tail}"), Some(percent_decode(password)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && s.is_char_boundary(i + 3) {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates the SQLite file's folder and checks we can write there, so a read-only data folder is a one-line
/// startup error naming the setting rather than an obscure SQLite code later.
fn prepare_sqlite_folder(path: &Path) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("DATABASE_URL: cannot create the folder {}", dir.display()))?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("DATABASE_URL: the folder {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    if path.exists() && std::fs::OpenOptions::new().append(true).open(path).is_err() {
        bail!("DATABASE_URL: the database file {} is read-only", path.display());
    }
    Ok(())
}

/// Reads a column, mapping a decode failure to our internal error.
pub fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, domain::AppError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(|e| domain::AppError::internal(format!("column {name}: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_password_leaves_the_url() {
        let (url, pw) = super::split_password("postgres://app:s%40cret:x@db.internal:5432/portal?sslmode=require");
        assert_eq!(url, "postgres://app@db.internal:5432/portal?sslmode=require");
        assert_eq!(pw.as_deref(), Some("s@cret:x"));
        assert_eq!(super::split_password("postgres://postgres@127.0.0.1/test"), ("postgres://postgres@127.0.0.1/test".into(), None));
    }
}
