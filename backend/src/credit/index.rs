//! The in-process search index: every business's summary and the posting lists of the bigrams of its name and
//! address, held in memory by each server instance, so a text search costs no database query at all.
//!
//! **Fed by the database, not by the callers.** The index is built on the first search (all rows, one query) and
//! then kept current from the `changed_at` column, which triggers stamp with the database's clock in
//! milliseconds on every insert and update (migration 0010). Before a search the index re-reads the rows changed
//! since its last look, minus [`SLACK_MS`] (a transaction stamps its rows before it commits; re-reading a row is
//! harmless), when either this instance announced a registry change since ([`crate::store::Change::Registry`]:
//! visible to the very next search) or [`POLL`] has passed (writes by other instances, the CLI, another process on
//! the SQLite file). Only one search refreshes at a time; the others answer from the index as it is, unless they
//! wait for their own instance's write.
//!
//! **Semantics are those of the SQL search** (`search::search_sql`, kept as the reference the tests compare
//! against): a match is a business whose name or address contains the query (ASCII letters in any case), ranked
//! exact name > name prefix > name substring > address, then shorter names, then name and credit code in byte
//! order. Unlike the SQL search it examines every match, so totals are exact.
//!
//! Updates never move entries inside the posting lists: a business whose name or address changed gets a new slot
//! at the end (lists stay sorted by appending) and its old slot is marked dead; the lists are rebuilt when a
//! quarter of the slots are dead.

use super::registry::{summary, SUMMARY_COLS};
use crate::config::DbKind;
use crate::store::{col, Store};
use domain::credit::{BusinessSummary, Page, SearchQuery};
use domain::text::to_half_width;
use domain::AppError;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How often a search looks for rows changed by others (other instances, the CLI).
pub const POLL: Duration = Duration::from_secs(2);
/// How far back each look re-reads: a transaction that takes longer than this between writing a business row and
/// committing would be missed until the next rebuild.
pub const SLACK_MS: i64 = 30_000;

/// One business in the index.
struct Doc {
    id: i64,
    summary: BusinessSummary,
    /// `LENGTH(name)` in characters, the second ranking key.
    name_chars: u32,
    alive: bool,
}

/// The index proper, behind a lock held only while searching or applying rows (never across an `.await`).
#[derive(Default)]
struct Data {
    docs: Vec<Doc>,
    by_id: FxHashMap<i64, u32>,
    postings: FxHashMap<u64, Vec<u32>>,
    dead: usize,
}

/// The index and its refresh state; one per [`Store`].
#[derive(Default)]
pub struct SearchIndex {
    data: RwLock<Option<Data>>,
    /// Held by the one search that refreshes; holds the database clock (ms) of the last look.
    refresh: tokio::sync::Mutex<Option<i64>>,
    /// The instance's registry generation (see [`Store::registry_generation`]) the index has caught up with.
    applied_gen: AtomicU64,
    /// When the last look happened, in ms since `epoch`.
    last_look_ms: AtomicU64,
    epoch: std::sync::OnceLock<Instant>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let docs = self.data.read().map(|d| d.as_ref().map(|d| d.docs.len())).unwrap_or(None);
        f.debug_struct("SearchIndex").field("docs", &docs).finish()
    }
}

/// The bigram keys of a text: lower-cased, half-width, letters and digits only (as `domain::credit::bigrams`),
/// each pair of characters packed into a `u64`, sorted, without duplicates.
fn keys(text: &str) -> Vec<u64> {
    let chars: Vec<char> =
        text.chars().map(to_half_width).flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric()).collect();
    let mut k: Vec<u64> = chars.windows(2).map(|w| (u64::from(w[0]) << 32) | u64::from(w[1])).collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// `hay` contains `needle`, ASCII letters in any case (as SQLite's `LIKE`). A match starts at a character
/// boundary because `needle` starts with one.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if !needle.bytes().any(|b| b.is_ascii_alphabetic()) {
        return hay.contains(needle);
    }
    let n = needle.len();
    hay.len() >= n && hay.as_bytes().windows(n).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn starts_with_ci(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len() && hay.as_bytes()[..needle.len()].eq_ignore_ascii_case(needle.as_bytes())
}

/// Sorted intersection of posting lists, the shortest first; each further list is searched by galloping from
/// the last position, so a rare bigram next to a common one costs little.
fn intersect(mut lists: Vec<&[u32]>) -> Vec<u32> {
    lists.sort_by_key(|l| l.len());
    let Some((first, rest)) = lists.split_first() else { return Vec::new() };
    let mut out: Vec<u32> = first.to_vec();
    for list in rest {
        let mut from = 0;
        out.retain(|&slot| {
            let tail = &list[from..];
            // Gallop, then binary search inside the step.
            let mut step = 1;
            while step < tail.len() && tail[step] < slot {
                step *= 2;
            }
            let window = &tail[..(step + 1).min(tail.len())];
            match window.binary_search(&slot) {
                Ok(i) => {
                    from += i + 1;
                    true
                }
                Err(i) => {
                    from += i;
                    false
                }
            }
        });
        if out.is_empty() {
            break;
        }
    }
    out
}

impl Data {
    fn push(&mut self, id: i64, summary: BusinessSummary) {
        let slot = self.docs.len() as u32;
        let mut k = keys(&summary.name);
        k.extend(keys(&summary.address));
        k.sort_unstable();
        k.dedup();
        for key in k {
            self.postings.entry(key).or_default().push(slot);
        }
        let name_chars = summary.name.chars().count() as u32;
        self.docs.push(Doc { id, summary, name_chars, alive: true });
        self.by_id.insert(id, slot);
    }

    /// Applies one row as read from the database (new, changed or unchanged).
    fn apply(&mut self, id: i64, summary: BusinessSummary) {
        match self.by_id.get(&id).copied() {
            Some(slot) => {
                let doc = &mut self.docs[slot as usize];
                if doc.summary.name == summary.name && doc.summary.address == summary.address {
                    doc.summary = summary;
                } else {
                    doc.alive = false;
                    self.dead += 1;
                    self.push(id, summary);
                }
            }
            None => self.push(id, summary),
        }
    }

    /// Rebuilds the posting lists without the dead slots once they are a quarter of all.
    fn compact_if_needed(&mut self) {
        if self.dead < 1_000.max(self.docs.len() / 4) {
            return;
        }
        let docs = std::mem::take(&mut self.docs);
        let mut fresh = Data::default();
        for d in docs.into_iter().filter(|d| d.alive) {
            fresh.push(d.id, d.summary);
        }
        *self = fresh;
    }

    fn search(&self, text: &str, q: &SearchQuery) -> Page<BusinessSummary> {
        let per_page = q.per_page.max(1);
        let offset = ((q.page.max(1) - 1) * per_page) as usize;
        let empty = |total| Page { items: Vec::new(), total, page: q.page, per_page, total_is_lower_bound: false };
        let mut lists = Vec::new();
        for key in keys(text) {
            match self.postings.get(&key) {
                Some(l) => lists.push(l.as_slice()),
                None => return empty(0),
            }
        }
        let grade = q.grade;
        let keep = |d: &BusinessSummary| {
            q.district.as_deref().is_none_or(|x| d.district == x)
                && grade.is_none_or(|g| d.grade == g)
                && q.category.as_deref().is_none_or(|x| d.category == x)
                && q.watch_list.is_none_or(|w| d.watch_list == w)
        };
        // (rank, name length, slot) of every match.
        let mut hits: Vec<(u8, u32, u32)> = Vec::new();
        for slot in intersect(lists) {
            let doc = &self.docs[slot as usize];
            let s = &doc.summary;
            if !doc.alive || !keep(s) {
                continue;
            }
            let rank = if s.name == text {
                0
            } else if starts_with_ci(&s.name, text) {
                1
            } else if contains_ci(&s.name, text) {
                2
            } else if contains_ci(&s.address, text) {
                3
            } else {
                continue;
            };
            hits.push((rank, doc.name_chars, slot));
        }
        let total = hits.len();
        if offset >= total {
            return empty(total as i64);
        }
        let order = |a: &(u8, u32, u32), b: &(u8, u32, u32)| {
            let (da, db) = (&self.docs[a.2 as usize].summary, &self.docs[b.2 as usize].summary);
            (a.0, a.1, da.name.as_str(), da.credit_code.as_str()).cmp(&(b.0, b.1, db.name.as_str(), db.credit_code.as_str()))
        };
        let end = (offset + per_page as usize).min(total);
        if end < total {
            hits.select_nth_unstable_by(end, order);
            hits.truncate(end);
        }
        hits.sort_unstable_by(order);
        let items = hits[offset..].iter().map(|h| self.docs[h.2 as usize].summary.clone()).collect();
        Page { items, total: total as i64, page: q.page, per_page, total_is_lower_bound: false }
    }
}

/// The database's clock in milliseconds, as the triggers stamp `changed_at`.
async fn db_now_ms(store: &Store) -> Result<i64, AppError> {
    let sql = match store.kind() {
        DbKind::Sqlite => "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS t",
        DbKind::Postgres => "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS t",
    };
    col(&sqlx::query(sql).fetch_one(store.pool()).await?, "t")
}

/// Rows of the businesses changed after `since` (ms), or all of them.
async fn read_rows(store: &Store, since: Option<i64>) -> Result<Vec<(i64, BusinessSummary)>, AppError> {
    let rows = match since {
        None => sqlx::query(&format!("SELECT id, {SUMMARY_COLS} FROM businesses")).fetch_all(store.pool()).await?,
        Some(t) => {
            sqlx::query(&format!("SELECT id, {SUMMARY_COLS} FROM businesses WHERE changed_at > $1"))
                .bind(t)
                .fetch_all(store.pool())
                .await?
        }
    };
    rows.iter().map(|r| Ok((col::<i64>(r, "id")?, summary(r)?))).collect()
}

impl SearchIndex {
    fn now_ms(&self) -> u64 {
        self.epoch.get_or_init(Instant::now).elapsed().as_millis() as u64
    }

    /// Whether the next search must wait for a refresh: not built yet, or this instance wrote since.
    fn behind(&self, store: &Store) -> bool {
        self.applied_gen.load(Ordering::Acquire) < store.registry_generation()
            || self.data.read().map(|d| d.is_none()).unwrap_or(true)
    }

    fn due(&self) -> bool {
        self.now_ms().saturating_sub(self.last_look_ms.load(Ordering::Relaxed)) >= POLL.as_millis() as u64
    }

    /// Builds the index or reads what changed, as needed (see the module documentation).
    pub async fn refresh(&self, store: &Store) -> Result<(), AppError> {
        let mut last = if self.behind(store) {
            self.refresh.lock().await
        } else if self.due() {
            match self.refresh.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(()),
            }
        } else {
            return Ok(());
        };
        // Another search may have refreshed while this one waited.
        if !self.behind(store) && !self.due() {
            return Ok(());
        }
        let generation = store.registry_generation();
        let look = db_now_ms(store).await?;
        let built = self.data.read().map(|d| d.is_some()).unwrap_or(false);
        let since = if built { last.map(|t| t - SLACK_MS) } else { None };
        let rows = read_rows(store, since).await?;
        {
            let mut guard = self.data.write().map_err(|_| AppError::internal("search index lock poisoned"))?;
            let data = guard.get_or_insert_with(Data::default);
            for (id, s) in rows {
                data.apply(id, s);
            }
            data.compact_if_needed();
        }
        *last = Some(look);
        self.last_look_ms.store(self.now_ms(), Ordering::Relaxed);
        self.applied_gen.store(generation, Ordering::Release);
        Ok(())
    }

    /// A text search (the query already normalised, not an identifier), answered from memory.
    pub async fn search(&self, store: &Store, text: &str, q: &SearchQuery) -> Result<Page<BusinessSummary>, AppError> {
        self.refresh(store).await?;
        let guard = self.data.read().map_err(|_| AppError::internal("search index lock poisoned"))?;
        let data = guard.as_ref().ok_or_else(|| AppError::internal("search index not built"))?;
        Ok(data.search(text, q))
    }

    /// Businesses held (alive), for the health figures and tests.
    pub fn len(&self) -> usize {
        self.data.read().map(|d| d.as_ref().map_or(0, |d| d.docs.len() - d.dead)).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn biz(code: &str, name: &str, address: &str, district: &str) -> BusinessSummary {
        BusinessSummary {
            credit_code: code.into(),
            licence_no: None,
            name: name.into(),
            address: address.into(),
            district: district.into(),
            category: "餐饮服务".into(),
            status: "在营".into(),
            score: 100,
            grade: domain::credit::Grade::A,
            watch_list: false,
            dynamic_grade: None,
            last_inspected_at: None,
        }
    }

    fn query(q: &str) -> SearchQuery {
        SearchQuery { q: Some(q.into()), page: 1, per_page: 20, ..Default::default() }
    }

    fn names(p: &Page<BusinessSummary>) -> Vec<&str> {
        p.items.iter().map(|b| b.name.as_str()).collect()
    }

    #[test]
    fn intersection_is_exact() {
        let a = [1, 3, 5, 7, 9, 11, 13, 100, 200];
        let b = [0, 3, 4, 5, 13, 14, 150, 200, 300];
        let c: Vec<u32> = (0..400).collect();
        assert_eq!(intersect(vec![&a, &b, &c]), vec![3, 5, 13, 200]);
        assert_eq!(intersect(vec![&a, &[]]), Vec::<u32>::new());
        assert_eq!(intersect(vec![&c[..], &[399]]), vec![399]);
    }

    #[test]
    fn ranks_like_the_sql_search_and_counts_every_match() {
        let mut d = Data::default();
        d.push(1, biz("C1", "米粉店", "涪城区临园路", "涪城区"));
        d.push(2, biz("C2", "王记米粉", "游仙区", "游仙区"));
        d.push(3, biz("C3", "米粉", "涪城区", "涪城区"));
        d.push(4, biz("C4", "面馆", "米粉街1号", "涪城区"));
        d.push(5, biz("C5", "米·粉", "江油市", "江油市"));
        let r = d.search("米粉", &query("米粉"));
        assert_eq!(names(&r), ["米粉", "米粉店", "王记米粉", "面馆"], "exact, prefix, substring, address; 米·粉 is no match");
        assert_eq!(r.total, 4);
        let mut q = query("米粉");
        q.district = Some("涪城区".into());
        assert_eq!(names(&d.search("米粉", &q)), ["米粉", "米粉店", "面馆"]);
        q.per_page = 2;
        q.page = 2;
        let p2 = d.search("米粉", &q);
        assert_eq!((names(&p2), p2.total), (vec!["面馆"], 3));
        q.page = 3;
        assert!(d.search("米粉", &q).items.is_empty());
    }

    #[test]
    fn updates_move_a_business_and_compaction_keeps_it() {
        let mut d = Data::default();
        for i in 0..2_000 {
            d.push(i, biz(&format!("C{i}"), &format!("老字号{i}"), "科学城", "涪城区"));
        }
        d.apply(7, biz("C7", "新名字", "科学城", "涪城区"));
        assert_eq!(d.search("老字号", &query("老字号")).total, 1_999);
        assert_eq!(names(&d.search("新名字", &query("新名字"))), ["新名字"]);
        // Grade-only change: same slot.
        let mut s = biz("C8", "老字号8", "科学城", "涪城区");
        s.grade = domain::credit::Grade::C;
        d.apply(8, s);
        assert_eq!(d.dead, 1);
        for i in 0..1_200 {
            d.apply(i, biz(&format!("C{i}"), &format!("改名{i}"), "科学城", "涪城区"));
            d.compact_if_needed();
        }
        assert!(d.dead < 1_000, "compacted");
        assert_eq!(d.search("改名", &query("改名")).total, 1_200);
        assert_eq!(d.search("科学城", &query("科学城")).total, 2_000);
    }

    #[test]
    fn ascii_letters_match_in_any_case() {
        assert!(contains_ci("KFC肯德基", "kfc"));
        assert!(starts_with_ci("KFC肯德基", "kf"));
        assert!(!contains_ci("肯德基", "kfc"));
        assert!(contains_ci("a肯德基b", "德基b"));
    }
}
