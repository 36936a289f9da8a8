//! The database: plumbing only. One sqlx `AnyPool` serves SQLite and PostgreSQL (queries use `$n` placeholders,
//! which both accept), the engine's dialect (`crate::dialect`, where every difference lives), the embedded
//! migrations, and the change notifier. No capability keeps its state here: each keeps its own in `AppState`.

use crate::config::{redact_url, DbKind};
use anyhow::{bail, Context};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    kind: DbKind,
    changes: tokio::sync::broadcast::Sender<Change>,
    /// How many changes of each kind this instance has announced (an in-memory index compares it with the count
    /// it has caught up with, without a receiver of its own).
    announced: std::sync::Arc<[std::sync::atomic::AtomicU64; Change::COUNT]>,
    /// When the database last answered a readiness check.
    last_ready: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
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
    /// Case ratings and reopenings (the satisfaction figures of the statistics follow them).
    Cases,
    /// Markets, stalls, rapid tests and certificates (一码通).
    Markets,
    /// Volunteers signed up or decided on (食安志愿者: the leaderboard).
    Volunteers,
}

impl Change {
    const COUNT: usize = 8;

    fn slot(self) -> usize {
        match self {
            Change::Registry => 0,
            Change::Figures => 1,
            Change::Picks => 2,
            Change::Sampling => 3,
            Change::News => 4,
            Change::Cases => 5,
            Change::Markets => 6,
            Change::Volunteers => 7,
        }
    }
}

impl Store {
    /// Connects, creating the SQLite file and its folder when needed. Errors name `DATABASE_URL` and say why.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let mut url = url.to_owned();
        if kind == DbKind::Sqlite {
            if let Some(path) = crate::dialect::sqlite_path(&url) {
                crate::dialect::prepare_sqlite_folder(&path)?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(kind.max_connections())
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
        Ok(Store { pool, kind, changes, announced: Default::default(), last_ready: Default::default() })
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.kind.migrator().run(&self.pool).await.context("applying database migrations")?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine's dialect: the one place that knows how SQLite and PostgreSQL differ.
    pub fn dialect(&self) -> DbKind {
        self.kind
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a transaction
    /// that reads and then writes would otherwise fail with "database is locked" when another writer got in
    /// between (found by the concurrent-events test). PostgreSQL transactions lock the rows they touch.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.pool.begin_with(self.kind.begin_write()).await
    }

    /// Tells subscribers that something changed (a no-op when nobody listens).
    pub fn announce(&self, change: Change) {
        self.announced[change.slot()].fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let _ = self.changes.send(change);
    }

    /// How many changes of this kind this instance has announced so far.
    pub fn announced(&self, change: Change) -> u64 {
        self.announced[change.slot()].load(std::sync::atomic::Ordering::Acquire)
    }

    /// Hears every later [`Store::announce`] of this instance.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Readiness for load balancers, which poll it unthrottled: the database answered a trivial query within
    /// the last second, or answers one now.
    pub async fn ready(&self) -> Result<(), sqlx::Error> {
        let recent = |g: &Option<std::time::Instant>| g.is_some_and(|t| t.elapsed() < Duration::from_secs(1));
        if self.last_ready.lock().map(|g| recent(&g)).unwrap_or(false) {
            return Ok(());
        }
        self.ping().await?;
        if let Ok(mut g) = self.last_ready.lock() {
            *g = Some(std::time::Instant::now());
        }
        Ok(())
    }

    /// The database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// A consistent online backup: SQLite `VACUUM INTO`; PostgreSQL through `pg_dump` (plain SQL).
    pub async fn backup(&self, to: &Path, database_url: &str) -> anyhow::Result<()> {
        if to.exists() {
            bail!("{} already exists; choose a new file", to.display());
        }
        self.kind.backup(&self.pool, to, database_url).await
    }

    /// Restores a backup made by [`Store::backup`] into an empty database (`database_url`), then applies any
    /// newer migrations (see [`DbKind::restore`]).
    pub async fn restore(from: &Path, database_url: &str) -> anyhow::Result<Store> {
        if !from.is_file() {
            bail!("{}: no such backup file", from.display());
        }
        sqlx::any::install_default_drivers();
        DbKind::from_url(database_url)?.restore(from, database_url).await?;
        let store = Store::connect(database_url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads a column, mapping a decode failure to our internal error.
pub fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, domain::AppError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(|e| domain::AppError::internal(format!("column {name}: {e}")))
}
