//! The in-process search index: every business's summary and the posting lists of the bigrams of its name and
//! address, held in memory by each server instance, so a text search costs no database query at all.
//!
//! **Fed by the database, not by the callers.** The index is built on the first search (all rows, one query) and
//! then kept current from the `changed_at` column, which triggers stamp with the database's clock in
//! milliseconds on every insert and update (migration 0010). Before a search the index re-reads the rows changed
//! since its last look, minus [`SLACK_MS`] (a transaction stamps its rows before it commits; re-reading a row is
//! harmless), when either this instance announced a registry change since ([`crate::store::Change::Registry`]:
//! visible to the very next search) or [`POLL`] has passed (writes by other instances, the CLI, another process on
//! the SQLite file) — the latter in a background task, so no search waits for it. Only one refresh runs at a time;
//! searches answer from the index as it is, unless they wait for their own instance's write.
//!
//! **Semantics are those of the SQL search** (`search::search_sql`, kept as the reference the tests compare
//! against): a match is a business whose name or address contains the query (ASCII letters in any case), ranked
//! exact name > name prefix > name substring > address, then shorter names, then name and credit code in byte
//! order. Totals are exact up to tens of thousands of matches (the SQL search stopped at 1,000).
//!
//! **Slots are in ranking order** (name length, name, credit code), so within a rank the posting lists are already
//! sorted the way results are: a common term fills its page from the first candidates, and counting the rest is
//! bounded ([`EXAMINE`]). Names have posting lists of their own, so the name ranks never wade through address
//! matches. Updates never move entries inside the lists: a business whose name or address changed gets a new
//! slot at the end (lists stay sorted by slot) and its old slot is marked dead; that unsorted tail is examined in
//! full by every search, and the index is rebuilt in order when tail and dead slots pass 5 %.

use super::registry::{summary, SUMMARY_COLS};
use crate::store::{col, Change, Store};
use domain::credit::geo::{distance_m, BoundingBox, Near, Point};
use domain::credit::{BusinessSummary, Page, SearchQuery};
use domain::text::to_half_width;
use domain::AppError;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How often a search looks for rows changed by others (other instances, the CLI).
pub const POLL: Duration = Duration::from_secs(2);
/// Address candidates examined per search once its page is filled: beyond, the total is a lower bound (as the
/// SQL search's 1,000 candidates; `涪城` matches a fifth of all addresses).
pub const EXAMINE: usize = 20_000;
/// The side of a 附近 grid cell in degrees: about 1.1 km north–south and 0.95 km east–west at Mianyang's
/// latitude, so a 2 km circle touches some 20 cells and a 20 km one some 1,600.
pub const CELL_DEG: f64 = 0.01;
/// How far back each look re-reads: a transaction that takes longer than this between writing a business row and
/// committing would be missed until the next rebuild.
pub const SLACK_MS: i64 = 30_000;

/// One business in the index: what a result shows.
struct Doc {
    id: i64,
    /// The row's `changed_at` when read.
    changed_at: i64,
    summary: BusinessSummary,
}

/// What a search examines of each candidate, packed and in slot order next to its neighbours (a common term
/// walks tens of thousands of them: chasing each summary's own allocations cost 5× more in cache misses).
#[derive(Clone, Copy)]
struct Hot {
    /// Name then address in `Data::text`, from here.
    start: u32,
    name_len: u32,
    address_len: u32,
    /// `LENGTH(name)` in characters, the second ranking key.
    name_chars: u32,
    district: u32,
    category: u32,
    grade: domain::credit::Grade,
    watch_list: bool,
    sunshine: bool,
    alive: bool,
}

/// The index proper, behind a lock held only while searching or applying rows (never across an `.await`).
#[derive(Default)]
struct Data {
    docs: Vec<Doc>,
    hot: Vec<Hot>,
    /// Every name and address, in slot order.
    text: String,
    /// District and category names, interned.
    strings: FxHashMap<String, u32>,
    by_id: FxHashMap<i64, u32>,
    /// Bigrams of name and address together: every match is among their intersection.
    postings: FxHashMap<u64, Vec<u32>>,
    /// Bigrams of the name alone: the candidates for the three name ranks.
    name_postings: FxHashMap<u64, Vec<u32>>,
    /// Slots below this are in ranking order (name length, name, credit code); later ones were appended since.
    sorted: u32,
    dead: usize,
    /// Where each slot's business is, if known.
    coords: Vec<Option<Point>>,
    /// 附近: the slots of the businesses in each grid cell ([`CELL_DEG`]), in slot order.
    cells: FxHashMap<(i32, i32), Vec<u32>>,
}

/// The index and its refresh state; one per [`Store`].
#[derive(Default)]
pub struct SearchIndex {
    data: RwLock<Option<Data>>,
    /// Held by the one search that refreshes; holds the database clock (ms) of the last look.
    refresh: tokio::sync::Mutex<Option<i64>>,
    /// The instance's registry generation (see [`Store::announced`]) the index has caught up with.
    applied_gen: AtomicU64,
    /// When the last look happened, in ms since `epoch`.
    last_look_ms: AtomicU64,
    /// A background look is under way.
    polling: std::sync::atomic::AtomicBool,
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

/// One business as read from the database: id, `changed_at`, summary, place.
type Row = (i64, i64, BusinessSummary, Option<Point>);

/// The grid cell of a point.
fn cell_of(p: Point) -> (i32, i32) {
    ((p.lat / CELL_DEG).floor() as i32, (p.lng / CELL_DEG).floor() as i32)
}

/// A lower bound of the distance from `at` to any point of a cell: the distance to the cell's point nearest in
/// latitude and longitude, less 1 % and 10 m (on a cell of a kilometre the clamped point is the nearest to well
/// within that).
fn cell_min_m(at: Point, (la, lo): (i32, i32)) -> f64 {
    let (lat0, lng0) = (f64::from(la) * CELL_DEG, f64::from(lo) * CELL_DEG);
    let p = Point { lat: at.lat.clamp(lat0, lat0 + CELL_DEG), lng: at.lng.clamp(lng0, lng0 + CELL_DEG) };
    (distance_m(at, p) * 0.99 - 10.0).max(0.0)
}

/// A near candidate ordered by distance, then registration order (as `credit::near_sql`).
#[derive(Clone, Copy, PartialEq)]
struct ByDistance {
    d: f64,
    id: i64,
    slot: u32,
}

impl Eq for ByDistance {}

impl Ord for ByDistance {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.d.total_cmp(&o.d).then_with(|| self.id.cmp(&o.id))
    }
}

impl PartialOrd for ByDistance {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// The ranking order within one rank: shorter names first, then name and credit code in byte order.
fn order_key(s: &BusinessSummary) -> (usize, &str, &str) {
    (s.name.chars().count(), s.name.as_str(), s.credit_code.as_str())
}

impl Data {
    /// A fresh index of these businesses, slots assigned in ranking order.
    fn build(mut rows: Vec<Row>) -> Data {
        rows.sort_by(|a, b| order_key(&a.2).cmp(&order_key(&b.2)));
        let mut d = Data::default();
        for (id, changed_at, s, at) in rows {
            d.push(id, changed_at, s, at);
        }
        d.sorted = d.docs.len() as u32;
        d
    }

    fn push(&mut self, id: i64, changed_at: i64, summary: BusinessSummary, at: Option<Point>) {
        let slot = self.docs.len() as u32;
        if let Some(p) = at {
            self.cells.entry(cell_of(p)).or_default().push(slot);
        }
        self.coords.push(at);
        let name = keys(&summary.name);
        let mut all = name.clone();
        all.extend(keys(&summary.address));
        all.sort_unstable();
        all.dedup();
        for key in all {
            self.postings.entry(key).or_default().push(slot);
        }
        for key in name {
            self.name_postings.entry(key).or_default().push(slot);
        }
        let start = self.text.len() as u32;
        self.text.push_str(&summary.name);
        self.text.push_str(&summary.address);
        let hot = Hot {
            start,
            name_len: summary.name.len() as u32,
            address_len: summary.address.len() as u32,
            name_chars: summary.name.chars().count() as u32,
            district: self.intern(&summary.district),
            category: self.intern(&summary.category),
            grade: summary.grade,
            watch_list: summary.watch_list,
            sunshine: summary.sunshine,
            alive: true,
        };
        self.hot.push(hot);
        self.docs.push(Doc { id, changed_at, summary });
        self.by_id.insert(id, slot);
    }

    fn intern(&mut self, s: &str) -> u32 {
        let next = self.strings.len() as u32;
        *self.strings.entry(s.to_owned()).or_insert(next)
    }

    fn name(&self, h: &Hot) -> &str {
        &self.text[h.start as usize..(h.start + h.name_len) as usize]
    }

    fn address(&self, h: &Hot) -> &str {
        let from = (h.start + h.name_len) as usize;
        &self.text[from..from + h.address_len as usize]
    }

    /// Applies one row as read from the database (new, changed or unchanged).
    fn apply(&mut self, (id, changed_at, summary, at): Row) {
        match self.by_id.get(&id).copied() {
            Some(slot) => {
                let doc = &mut self.docs[slot as usize];
                if doc.summary.name == summary.name
                    && doc.summary.address == summary.address
                    && doc.summary.credit_code == summary.credit_code
                    && self.coords[slot as usize] == at
                {
                    let (district, category) = (summary.district.clone(), summary.category.clone());
                    let (grade, watch_list, sunshine) = (summary.grade, summary.watch_list, summary.sunshine);
                    doc.summary = summary;
                    doc.changed_at = changed_at;
                    let (district, category) = (self.intern(&district), self.intern(&category));
                    let hot = &mut self.hot[slot as usize];
                    (hot.district, hot.category, hot.grade, hot.watch_list) = (district, category, grade, watch_list);
                    hot.sunshine = sunshine;
                } else {
                    // Renamed or moved: a new slot (posting lists and cells stay sorted by slot).
                    self.hot[slot as usize].alive = false;
                    self.dead += 1;
                    self.push(id, changed_at, summary, at);
                }
            }
            None => self.push(id, changed_at, summary, at),
        }
    }

    /// Of these (id, `changed_at`) pairs, the ids the index does not hold as they are.
    fn stale(&self, stamps: &[(i64, i64)]) -> Vec<i64> {
        stamps
            .iter()
            .filter(|(id, at)| self.by_id.get(id).is_none_or(|&slot| self.docs[slot as usize].changed_at != *at))
            .map(|&(id, _)| id)
            .collect()
    }

    /// Rebuilds in ranking order once the unsorted tail (new and renamed businesses) or the dead slots grow
    /// past 5 % (at least 2,000): every search examines the whole tail of its candidates.
    fn compact_if_needed(&mut self) {
        let tail = self.docs.len() - self.sorted as usize;
        if tail + self.dead < 2_000.max(self.docs.len() / 20) {
            return;
        }
        let docs = std::mem::take(&mut self.docs);
        let hot = std::mem::take(&mut self.hot);
        let coords = std::mem::take(&mut self.coords);
        *self = Data::build(
            docs.into_iter()
                .zip(hot)
                .zip(coords)
                .filter(|((_, h), _)| h.alive)
                .map(|((d, _), at)| (d.id, d.changed_at, d.summary, at))
                .collect(),
        );
    }

    fn search(&self, text: &str, q: &SearchQuery) -> Page<BusinessSummary> {
        let per_page = q.per_page.max(1) as usize;
        let offset = (q.page.max(1) as usize - 1) * per_page;
        let need = offset + per_page;
        let empty = |total| Page {
            items: Vec::new(),
            total,
            page: q.page,
            per_page: per_page as i64,
            total_is_lower_bound: false,
        };
        let query_keys = keys(text);
        let mut lists = Vec::new();
        let mut name_lists = Vec::new();
        for key in &query_keys {
            match self.postings.get(key) {
                Some(l) => lists.push(l.as_slice()),
                None => return empty(0),
            }
            if let Some(l) = self.name_postings.get(key) {
                name_lists.push(l.as_slice());
            }
        }
        // Filters as interned ids; a district or category nobody has matches nothing.
        let interned = |v: &Option<String>| match v {
            None => Ok(None),
            Some(x) => self.strings.get(x.as_str()).map(|&i| Some(i)).ok_or(()),
        };
        let (Ok(district), Ok(category)) = (interned(&q.district), interned(&q.category)) else { return empty(0) };
        let (grade, watch, sunshine) = (q.grade, q.watch_list, q.sunshine);
        let keep = |h: &Hot| {
            h.alive
                && district.is_none_or(|x| h.district == x)
                && category.is_none_or(|x| h.category == x)
                && grade.is_none_or(|g| h.grade == g)
                && watch.is_none_or(|w| h.watch_list == w)
                && sunshine.is_none_or(|s| h.sunshine == s)
        };
        let sorted = self.sorted;
        // Selected hits (rank, slot): within one rank the sorted region is already in order, so only the first
        // `need` of each rank there can make the page; the tail's hits are all kept and placed by a full sort.
        let mut picked: Vec<(u8, u32)> = Vec::new();
        let mut per_rank = [0usize; 4];
        // Ranks 0–2 come from the name's own posting lists; every match there is examined (exact count).
        if name_lists.len() == query_keys.len() {
            for slot in intersect(name_lists) {
                let h = &self.hot[slot as usize];
                if !keep(h) {
                    continue;
                }
                let name = self.name(h);
                let rank = if name == text {
                    0
                } else if starts_with_ci(name, text) {
                    1
                } else if contains_ci(name, text) {
                    2
                } else {
                    continue;
                };
                per_rank[rank as usize] += 1;
                if slot >= sorted || per_rank[rank as usize] <= need {
                    picked.push((rank, slot));
                }
            }
        }
        // Rank 3: addresses, walked in ranking order; once the page is filled, counting stops after
        // EXAMINE candidates (the total is then a lower bound). The tail is always walked.
        let candidates = intersect(lists);
        let split = candidates.partition_point(|&s| s < sorted);
        let mut lower_bound = false;
        let address_match = |slot: u32| {
            let h = &self.hot[slot as usize];
            keep(h) && !contains_ci(self.name(h), text) && contains_ci(self.address(h), text)
        };
        for (examined, &slot) in candidates[..split].iter().enumerate() {
            if examined >= EXAMINE && per_rank[3] >= need {
                lower_bound = true;
                break;
            }
            if address_match(slot) {
                per_rank[3] += 1;
                if per_rank[3] <= need {
                    picked.push((3, slot));
                }
            }
        }
        for &slot in &candidates[split..] {
            if address_match(slot) {
                per_rank[3] += 1;
                picked.push((3, slot));
            }
        }
        let total = per_rank.iter().sum::<usize>();
        let key = |&(rank, slot): &(u8, u32)| {
            let h = &self.hot[slot as usize];
            (rank, h.name_chars, self.name(h), self.docs[slot as usize].summary.credit_code.as_str())
        };
        picked.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        let items =
            picked.iter().skip(offset).take(per_page).map(|h| self.docs[h.1 as usize].summary.clone()).collect();
        Page { items, total: total as i64, page: q.page, per_page: per_page as i64, total_is_lower_bound: lower_bound }
    }

    /// 附近 from memory: the businesses within `near.radius_m` of `near.at` that pass the search's filters and
    /// text (a substring of name or address, ASCII letters in any case, or an exact credit code or licence
    /// number), nearest first, ties in registration order: the semantics of `credit::near_sql`.
    ///
    /// The candidates are the smaller of two sets: the text's posting-list intersection (every one examined:
    /// exact total), or the grid cells the circle's bounding box touches, walked nearest cell first. The page is
    /// settled once the next cell cannot hold anything nearer than the page's last item; past that, at most
    /// [`EXAMINE`] more candidates are counted and the total is then a lower bound (a 20 km circle over a
    /// million businesses).
    fn near(&self, q: &SearchQuery, near: &Near) -> Page<BusinessSummary> {
        let per_page = q.per_page.max(1) as usize;
        let offset = (q.page.max(1) as usize - 1) * per_page;
        let need = offset + per_page;
        let page = |found: Vec<ByDistance>, total: usize, lower_bound: bool| Page {
            items: found
                .iter()
                .skip(offset)
                .take(per_page)
                .map(|c| {
                    let mut b = self.docs[c.slot as usize].summary.clone();
                    b.distance_m = Some(c.d.round() as i64);
                    b
                })
                .collect(),
            total: total as i64,
            page: q.page,
            per_page: per_page as i64,
            total_is_lower_bound: lower_bound,
        };
        let interned = |v: &Option<String>| match v {
            None => Ok(None),
            Some(x) => self.strings.get(x.as_str()).map(|&i| Some(i)).ok_or(()),
        };
        let (Ok(district), Ok(category)) = (interned(&q.district), interned(&q.category)) else {
            return page(Vec::new(), 0, false);
        };
        let text = q.q.as_deref();
        let (at, radius) = (near.at, near.radius_m);
        // The distance of a slot that matches and lies inside the circle.
        let matching = |slot: u32| -> Option<ByDistance> {
            let h = &self.hot[slot as usize];
            let ok = h.alive
                && district.is_none_or(|x| h.district == x)
                && category.is_none_or(|x| h.category == x)
                && q.grade.is_none_or(|g| h.grade == g)
                && q.watch_list.is_none_or(|w| h.watch_list == w)
                && q.sunshine.is_none_or(|s| h.sunshine == s);
            if !ok {
                return None;
            }
            let p = self.coords[slot as usize]?;
            let doc = &self.docs[slot as usize];
            if let Some(t) = text {
                let s = &doc.summary;
                let hit = contains_ci(self.name(h), t)
                    || contains_ci(self.address(h), t)
                    || s.credit_code == t
                    || s.licence_no.as_deref() == Some(t);
                if !hit {
                    return None;
                }
            }
            let d = distance_m(at, p);
            (d <= radius).then_some(ByDistance { d, id: doc.id, slot })
        };

        // The grid cells the circle's box touches, nearest first, and what they hold.
        let bb = BoundingBox::around(at, radius);
        let (lo, hi) =
            (cell_of(Point { lat: bb.min_lat, lng: bb.min_lng }), cell_of(Point { lat: bb.max_lat, lng: bb.max_lng }));
        let mut cells: Vec<(f64, &[u32])> = Vec::new();
        for la in lo.0..=hi.0 {
            for lg in lo.1..=hi.1 {
                if let Some(slots) = self.cells.get(&(la, lg)) {
                    let min = cell_min_m(at, (la, lg));
                    if min <= radius {
                        cells.push((min, slots));
                    }
                }
            }
        }
        let in_cells: usize = cells.iter().map(|(_, s)| s.len()).sum();

        // A text (not an identifier: those are in no posting list) whose rarest bigram is rarer than the cells'
        // businesses: every candidate examined, exact total.
        let text_keys = text.map(keys).unwrap_or_default();
        if !text_keys.is_empty() && !text.is_some_and(super::search::is_identifier) {
            let mut lists = Vec::with_capacity(text_keys.len());
            for key in &text_keys {
                lists.push(self.postings.get(key).map_or(&[][..], Vec::as_slice));
            }
            if lists.iter().map(|l| l.len()).min().unwrap_or(0) < in_cells {
                let mut found: Vec<ByDistance> = intersect(lists).into_iter().filter_map(matching).collect();
                found.sort_unstable();
                let total = found.len();
                return page(found, total, false);
            }
        }

        // The grid walk.
        cells.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut best: std::collections::BinaryHeap<ByDistance> = std::collections::BinaryHeap::with_capacity(need + 1);
        let (mut total, mut counted, mut lower_bound) = (0usize, 0usize, false);
        'walk: for (min, slots) in cells {
            let settled = best.len() >= need && best.peek().is_some_and(|last| min > last.d);
            for &slot in slots {
                if settled {
                    if counted >= EXAMINE {
                        lower_bound = true;
                        break 'walk;
                    }
                    counted += 1;
                }
                let Some(c) = matching(slot) else { continue };
                total += 1;
                if !settled {
                    best.push(c);
                    if best.len() > need {
                        best.pop();
                    }
                }
            }
        }
        page(best.into_sorted_vec(), total, lower_bound)
    }
}

/// The database's clock in milliseconds, as the triggers stamp `changed_at`.
async fn db_now_ms(store: &Store) -> Result<i64, AppError> {
    col(&sqlx::query(store.dialect().now_ms()).fetch_one(store.pool()).await?, "t")
}

fn rows_of(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Row>, AppError> {
    rows.iter()
        .map(|r| {
            let at = match (col::<Option<f64>>(r, "lat")?, col::<Option<f64>>(r, "lng")?) {
                (Some(lat), Some(lng)) => Some(Point { lat, lng }),
                _ => None,
            };
            Ok((col::<i64>(r, "id")?, col::<i64>(r, "changed_at")?, summary(r)?, at))
        })
        .collect()
}

/// Every business.
async fn read_all(store: &Store) -> Result<Vec<Row>, AppError> {
    rows_of(
        &sqlx::query(&format!("SELECT id, changed_at, lat, lng, {SUMMARY_COLS} FROM businesses"))
            .fetch_all(store.pool())
            .await?,
    )
}

/// The businesses stamped after `since` (ms) that the index does not hold as they are: their ids and stamps
/// first (narrow, from the `changed_at` index), then the full rows of those that differ, 500 at a time. After a
/// bulk import every look within [`SLACK_MS`] sees all its rows again; this keeps that to a narrow read.
async fn read_changed(index: &SearchIndex, store: &Store, since: i64) -> Result<Vec<Row>, AppError> {
    let stamps = sqlx::query("SELECT id, changed_at FROM businesses WHERE changed_at > $1")
        .bind(since)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((col::<i64>(r, "id")?, col::<i64>(r, "changed_at")?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    if stamps.is_empty() {
        return Ok(Vec::new());
    }
    let stale = {
        let guard = index.data.read().map_err(|_| AppError::internal("search index lock poisoned"))?;
        guard.as_ref().map(|d| d.stale(&stamps)).unwrap_or_default()
    };
    let mut rows = Vec::new();
    for chunk in stale.chunks(500) {
        // Integers from the database, inlined.
        let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql =
            format!("SELECT id, changed_at, lat, lng, {SUMMARY_COLS} FROM businesses WHERE id IN ({})", ids.join(","));
        rows.extend(rows_of(&sqlx::query(&sql).fetch_all(store.pool()).await?)?);
    }
    Ok(rows)
}

impl SearchIndex {
    fn now_ms(&self) -> u64 {
        self.epoch.get_or_init(Instant::now).elapsed().as_millis() as u64
    }

    /// Whether the next search must wait for a refresh: not built yet, or this instance wrote since.
    fn behind(&self, store: &Store) -> bool {
        self.applied_gen.load(Ordering::Acquire) < store.announced(Change::Registry)
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
        let generation = store.announced(Change::Registry);
        let look = db_now_ms(store).await?;
        let built = self.data.read().map(|d| d.is_some()).unwrap_or(false);
        match (built, *last) {
            (true, Some(t)) => {
                let rows = read_changed(self, store, t - SLACK_MS).await?;
                if !rows.is_empty() {
                    let mut guard = self.data.write().map_err(|_| AppError::internal("search index lock poisoned"))?;
                    let data = guard.get_or_insert_with(Data::default);
                    for row in rows {
                        data.apply(row);
                    }
                    data.compact_if_needed();
                }
            }
            _ => {
                // Read and sorted outside the lock.
                let fresh = Data::build(read_all(store).await?);
                *self.data.write().map_err(|_| AppError::internal("search index lock poisoned"))? = Some(fresh);
            }
        }
        *last = Some(look);
        self.last_look_ms.store(self.now_ms(), Ordering::Relaxed);
        self.applied_gen.store(generation, Ordering::Release);
        Ok(())
    }

    /// A text search (the query already normalised, not an identifier), answered from memory. It waits for a
    /// refresh only when the index is not built yet or this instance wrote since; the periodic look for others'
    /// writes runs in a task of its own, so no search pays for it (after a large import it re-reads every row
    /// changed in the last [`SLACK_MS`]: 0.2 s for 44,000 rows).
    pub async fn search(
        this: &Arc<SearchIndex>,
        store: &Store,
        text: &str,
        q: &SearchQuery,
    ) -> Result<Page<BusinessSummary>, AppError> {
        Self::answer(this, store, |data| data.search(text, q)).await
    }

    /// 附近 from memory (see `Data::near`), with the same freshness as a text search.
    pub async fn near(
        this: &Arc<SearchIndex>,
        store: &Store,
        q: &SearchQuery,
        near: &Near,
    ) -> Result<Page<BusinessSummary>, AppError> {
        Self::answer(this, store, |data| data.near(q, near)).await
    }

    /// Answers from the index once it is fresh enough: waits for a refresh when the index is not built or this
    /// instance wrote since; otherwise starts the periodic look for others' writes in a task of its own when it
    /// is due, and answers from the index as it is.
    async fn answer<T>(this: &Arc<SearchIndex>, store: &Store, read: impl FnOnce(&Data) -> T) -> Result<T, AppError> {
        if this.behind(store) {
            this.refresh(store).await?;
        } else if this.due() && !this.polling.swap(true, Ordering::AcqRel) {
            let store = store.clone();
            let index = Arc::clone(this);
            tokio::spawn(async move {
                if let Err(e) = index.refresh(&store).await {
                    tracing::warn!("search index refresh: {e}");
                }
                index.polling.store(false, Ordering::Release);
            });
        }
        let guard = this.data.read().map_err(|_| AppError::internal("search index lock poisoned"))?;
        Ok(read(guard.as_ref().ok_or_else(|| AppError::internal("search index not built"))?))
    }

    /// Businesses held (alive), for the health figures and tests.
    pub fn len(&self) -> usize {
        self.data.read().map(|d| d.as_ref().map_or(0, |d| d.docs.len() - d.dead)).unwrap_or(0)
    }

    /// Whether the index has been built (the instance's readiness waits for it).
    pub fn is_built(&self) -> bool {
        self.data.read().map(|d| d.is_some()).unwrap_or(false)
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
            sunshine: false,
            dynamic_grade: None,
            last_inspected_at: None,
            rating_date: None,
            new_rating_pending: false,
            awaiting_inspection: true,
            distance_m: None,
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

    fn built(rows: &[(i64, &str, &str, &str)]) -> Data {
        Data::build(
            rows.iter().map(|&(id, name, addr, d)| (id, 1, biz(&format!("C{id}"), name, addr, d), None)).collect(),
        )
    }

    #[test]
    fn ranks_like_the_sql_search_and_counts_every_match() {
        let mut d = built(&[
            (1, "米粉店", "涪城区临园路", "涪城区"),
            (2, "王记米粉", "游仙区", "游仙区"),
            (3, "米粉", "涪城区", "涪城区"),
            (4, "面馆", "米粉街1号", "涪城区"),
            (5, "米·粉", "江油市", "江油市"),
        ]);
        let r = d.search("米粉", &query("米粉"));
        assert_eq!(
            names(&r),
            ["米粉", "米粉店", "王记米粉", "面馆"],
            "exact, prefix, substring, address; 米·粉 is no match"
        );
        assert_eq!((r.total, r.total_is_lower_bound), (4, false));
        let mut q = query("米粉");
        q.district = Some("涪城区".into());
        assert_eq!(names(&d.search("米粉", &q)), ["米粉", "米粉店", "面馆"]);
        q.per_page = 2;
        q.page = 2;
        let p2 = d.search("米粉", &q);
        assert_eq!((names(&p2), p2.total), (vec!["面馆"], 3));
        q.page = 3;
        assert!(d.search("米粉", &q).items.is_empty());
        // Appended after the build (the unsorted tail), yet placed by its rank and length.
        d.apply((6, 2, biz("C6", "粉", "米粉巷", "游仙区"), None));
        d.apply((7, 2, biz("C7", "米粉王", "游仙区", "游仙区"), None));
        assert_eq!(names(&d.search("米粉", &query("米粉"))), ["米粉", "米粉店", "米粉王", "王记米粉", "粉", "面馆"]);
    }

    #[test]
    fn a_very_common_term_fills_its_page_and_counts_a_lower_bound() {
        let rows: Vec<Row> = (0..(EXAMINE as i64 + 5_000))
            .map(|i| (i, 1, biz(&format!("C{i:06}"), &format!("商户{i}"), "绵阳市涪城区临园路", "涪城区"), None))
            .collect();
        let d = Data::build(rows);
        let r = d.search("涪城", &query("涪城"));
        assert!(r.total_is_lower_bound);
        assert!(r.total >= EXAMINE as i64, "{}", r.total);
        assert_eq!(names(&r)[..3], ["商户0", "商户1", "商户2"], "shortest names first");
        // Rarer: every match counted.
        let r = d.search("商户250", &query("商户250"));
        assert_eq!((r.total, r.total_is_lower_bound), (11, false));
        assert_eq!(names(&r)[..2], ["商户250", "商户2500"]);
    }

    #[test]
    fn updates_move_a_business_and_compaction_keeps_it() {
        let rows: Vec<Row> = (0..2_000)
            .map(|i| (i, 1, biz(&format!("C{i}"), &format!("老字号{i}"), "科学城", "涪城区"), None))
            .collect();
        let mut d = Data::build(rows);
        d.apply((7, 2, biz("C7", "新名字", "科学城", "涪城区"), None));
        assert_eq!(d.stale(&[(7, 2), (8, 1), (9, 5), (99_999, 1)]), [9, 99_999], "changed or unknown");
        assert_eq!(d.search("老字号", &query("老字号")).total, 1_999);
        assert_eq!(names(&d.search("新名字", &query("新名字"))), ["新名字"]);
        // Grade-only change: same slot.
        let mut s = biz("C8", "老字号8", "科学城", "涪城区");
        s.grade = domain::credit::Grade::C;
        d.apply((8, 2, s, None));
        assert_eq!(d.dead, 1);
        for i in 0..1_200 {
            d.apply((i, 3, biz(&format!("C{i}"), &format!("改名{i}"), "科学城", "涪城区"), None));
            d.compact_if_needed();
        }
        assert!(d.dead < 1_000, "compacted");
        assert_eq!(d.search("改名", &query("改名")).total, 1_200);
        assert_eq!(d.search("科学城", &query("科学城")).total, 2_000);
        assert_eq!(names(&d.search("改名", &query("改名")))[..3], ["改名0", "改名1", "改名2"]);
    }

    fn near_query(page: i64, per_page: i64) -> SearchQuery {
        SearchQuery { page, per_page, ..Default::default() }
    }

    /// Every answer of the grid walk against a brute force over all businesses: order, distances, totals.
    #[test]
    fn near_walks_the_grid_nearest_first_like_a_full_scan() {
        let centre = Point { lat: 31.4650, lng: 104.7100 };
        // A spiral of 3,000 businesses out to about 12 km, some without coordinates, two districts.
        let rows: Vec<Row> = (0..3_000i64)
            .map(|i| {
                let r = 4.0 * i as f64;
                let a = i as f64 * 2.399;
                let at = (i % 17 != 0).then(|| centre.offset(r * a.sin(), r * a.cos()));
                let district = if i % 3 == 0 { "游仙区" } else { "涪城区" };
                (i, 1, biz(&format!("C{i:05}"), &format!("店{i}"), "临园路", district), at)
            })
            .collect();
        let d = Data::build(rows.clone());
        for (radius, page, per_page, district) in [
            (500.0, 1, 20, None),
            (2_000.0, 3, 50, None),
            (20_000.0, 1, 100, Some("游仙区")),
            (8_000.0, 7, 100, None),
            (1.0, 1, 20, None),
        ] {
            let mut q = near_query(page, per_page);
            q.district = district.map(str::to_owned);
            let n = Near { at: centre.offset(300.0, -200.0), radius_m: radius };
            let got = d.near(&q, &n);
            let mut want: Vec<(f64, i64)> = rows
                .iter()
                .filter(|(_, _, s, _)| district.is_none_or(|x| s.district == x))
                .filter_map(|(id, _, _, at)| at.map(|p| (distance_m(n.at, p), *id)))
                .filter(|(dist, _)| *dist <= radius)
                .collect();
            want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(got.total as usize, want.len(), "radius {radius}");
            assert!(!got.total_is_lower_bound);
            let page_want: Vec<String> = want
                .iter()
                .skip(((page - 1) * per_page) as usize)
                .take(per_page as usize)
                .map(|w| format!("C{:05}", w.1))
                .collect();
            let page_got: Vec<String> = got.items.iter().map(|b| b.credit_code.clone()).collect();
            assert_eq!(page_got, page_want, "radius {radius} page {page}");
            for (b, w) in got.items.iter().zip(want.iter().skip(((page - 1) * per_page) as usize)) {
                assert_eq!(b.distance_m, Some(w.0.round() as i64));
            }
        }
        // The text narrows through the posting lists, every match counted.
        let mut q = near_query(1, 20);
        q.q = Some("店12".into());
        let n = Near { at: centre, radius_m: 20_000.0 };
        let got = d.near(&q, &n);
        let want = rows.iter().filter(|(_, _, s, at)| at.is_some() && s.name.contains("店12")).count();
        assert_eq!(got.total as usize, want);
    }

    #[test]
    fn a_crowded_circle_settles_its_page_and_counts_a_lower_bound() {
        let centre = Point { lat: 31.4650, lng: 104.7100 };
        // 60,000 businesses on a 1 m-spaced line going east: far more than EXAMINE.
        let rows: Vec<Row> = (0..60_000i64)
            .map(|i| {
                (
                    i,
                    1,
                    biz(&format!("C{i:05}"), &format!("店{i}"), "临园路", "涪城区"),
                    Some(centre.offset(0.0, i as f64 * 0.3)),
                )
            })
            .collect();
        let d = Data::build(rows);
        let got = d.near(&near_query(1, 20), &Near { at: centre, radius_m: 20_000.0 });
        assert!(got.total_is_lower_bound);
        assert!(got.total >= EXAMINE as i64, "{}", got.total);
        let names: Vec<&str> = got.items.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names[..3], ["店0", "店1", "店2"], "nearest first");
        assert_eq!(got.items.len(), 20);
    }

    #[test]
    fn a_moved_business_is_found_at_its_new_place_only() {
        let centre = Point { lat: 31.4650, lng: 104.7100 };
        let mut d = Data::build(vec![(1, 1, biz("C1", "搬家面馆", "临园路", "涪城区"), Some(centre))]);
        let n = Near { at: centre, radius_m: 500.0 };
        assert_eq!(d.near(&near_query(1, 20), &n).total, 1);
        d.apply((1, 2, biz("C1", "搬家面馆", "临园路", "涪城区"), Some(centre.offset(5_000.0, 0.0))));
        assert_eq!(d.near(&near_query(1, 20), &n).total, 0, "moved 5 km north");
        let there = Near { at: centre.offset(5_000.0, 0.0), radius_m: 500.0 };
        assert_eq!(d.near(&near_query(1, 20), &there).total, 1);
        d.apply((1, 3, biz("C1", "搬家面馆", "临园路", "涪城区"), None));
        assert_eq!(d.near(&near_query(1, 20), &there).total, 0, "place cleared");
    }

    #[test]
    fn ascii_letters_match_in_any_case() {
        assert!(contains_ci("KFC肯德基", "kfc"));
        assert!(starts_with_ci("KFC肯德基", "kf"));
        assert!(!contains_ci("肯德基", "kfc"));
        assert!(contains_ci("a肯德基b", "德基b"));
    }
}
