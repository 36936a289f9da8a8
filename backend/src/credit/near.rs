//! 附近 in SQL: businesses near a point, nearest first, with their distance — the reference the in-memory near
//! query (`credit::index`, what `credit::lookup` answers with) is tested against, and the benchmark's "before";
//! and `locate`, which places a business. The bounding box of the circle is the SQL
//! prefilter (the `(lat, lng)` index of migration 0018, the same plain SQL on both engines: neither PostGIS nor
//! SpatiaLite is assumed); the exact great-circle distance, the radius cut, the order and the page are computed
//! here from the candidates' ids and coordinates only, then one query reads the page's rows.

use super::registry::{summary, SUMMARY_COLS};
use crate::store::{col, Store};
use domain::credit::geo::{distance_m, BoundingBox, Near, Point};
use domain::credit::{BusinessSummary, Page, SearchQuery};
use domain::AppError;

/// Candidates (businesses inside the bounding box) read at most per attempt. When a box holds more, the radius
/// is halved and the query repeated (at most [`MAX_SHRINKS`] times): the answer is then exact within the smaller
/// radius and its total a lower bound. 44,000 businesses never reach it; a million in the city centre may.
pub const MAX_NEAR_CANDIDATES: usize = 50_000;
/// How often the radius may be halved before the nearest candidates read are answered as they are.
pub const MAX_SHRINKS: u32 = 6;

/// Businesses within `near.radius_m` of `near.at`, nearest first (ties by registration order), narrowed by the search's
/// filters (district, grade, category, watch list) and its text (a substring of name or address, or an exact
/// credit code or licence number). Businesses without coordinates are never in the answer.
pub async fn near_sql(store: &Store, q: &SearchQuery, near: &Near) -> Result<Page<BusinessSummary>, AppError> {
    let mut radius = near.radius_m;
    let mut lower_bound = false;
    let mut shrinks = 0;
    let mut found = loop {
        let (cands, full) = candidates(store, q, near.at, radius).await?;
        if !full || shrinks >= MAX_SHRINKS {
            lower_bound |= full;
            break cands;
        }
        lower_bound = true;
        shrinks += 1;
        radius /= 2.0;
    };
    // Exact distances, the radius cut, nearest first.
    found.retain(|(_, d)| *d <= radius);
    found.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let total = found.len() as i64;
    let offset = ((q.page - 1) * q.per_page) as usize;
    let slice: Vec<(i64, f64)> = found.iter().skip(offset).take(q.per_page as usize).copied().collect();
    let mut items = Vec::with_capacity(slice.len());
    if !slice.is_empty() {
        let ids = slice.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!("SELECT id, {SUMMARY_COLS} FROM businesses WHERE id IN ({ids})"))
            .fetch_all(store.pool())
            .await?;
        let mut by_id = std::collections::HashMap::new();
        for r in &rows {
            by_id.insert(col::<i64>(r, "id")?, summary(r)?);
        }
        for (id, d) in slice {
            // A business deleted between the two queries is left out of the page.
            if let Some(mut b) = by_id.remove(&id) {
                b.distance_m = Some(d.round() as i64);
                items.push(b);
            }
        }
    }
    Ok(Page { items, total, page: q.page, per_page: q.per_page, total_is_lower_bound: lower_bound })
}

/// `(id, distance)` of the businesses in the bounding box of the circle that pass the filters, and
/// whether the bound [`MAX_NEAR_CANDIDATES`] cut them.
async fn candidates(
    store: &Store,
    q: &SearchQuery,
    at: Point,
    radius_m: f64,
) -> Result<(Vec<(i64, f64)>, bool), AppError> {
    let bb = BoundingBox::around(at, radius_m);
    let mut filters =
        vec!["b.lat IS NOT NULL".to_owned(), "b.lat BETWEEN $1 AND $2 AND b.lng BETWEEN $3 AND $4".into()];
    let mut binds: Vec<String> = Vec::new();
    let mut push = |cond: &str, v: String, filters: &mut Vec<String>| {
        binds.push(v);
        filters.push(cond.replace('?', &format!("${}", binds.len() + 4)));
    };
    if let Some(d) = &q.district {
        push("b.district = ?", d.clone(), &mut filters);
    }
    if let Some(g) = q.grade {
        push("b.grade = ?", g.as_str().to_owned(), &mut filters);
    }
    if let Some(c) = &q.category {
        push("b.category = ?", c.clone(), &mut filters);
    }
    if let Some(w) = q.watch_list {
        filters.push(format!("b.watch_list = {}", i64::from(w)));
    }
    if let Some(s) = q.sunshine {
        filters.push(format!("b.sunshine = {}", i64::from(s)));
    }
    if let Some(text) = &q.q {
        let like = format!("%{}%", super::search::like_escape(text));
        push("(b.name LIKE ? ESCAPE '\\' OR b.address LIKE ? ESCAPE '\\'", like, &mut filters);
        // One condition of two parameters, each used twice.
        let by_text = filters.pop().unwrap_or_default();
        push(" OR b.credit_code = ? OR b.licence_no = ?)", text.clone(), &mut filters);
        let by_code = filters.pop().unwrap_or_default();
        filters.push(format!("{by_text}{by_code}"));
    }
    let sql = format!(
        "SELECT b.id, b.lat, b.lng FROM businesses b WHERE {} LIMIT {}",
        filters.join(" AND "),
        MAX_NEAR_CANDIDATES + 1
    );
    let mut query = sqlx::query(&sql).bind(bb.min_lat).bind(bb.max_lat).bind(bb.min_lng).bind(bb.max_lng);
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(store.pool()).await?;
    let full = rows.len() > MAX_NEAR_CANDIDATES;
    let mut out = Vec::with_capacity(rows.len().min(MAX_NEAR_CANDIDATES));
    for r in rows.iter().take(MAX_NEAR_CANDIDATES) {
        let p = Point { lat: col(r, "lat")?, lng: col(r, "lng")? };
        out.push((col(r, "id")?, distance_m(at, p)));
    }
    Ok((out, full))
}

/// Sets (or, with `None`, clears) where a business is. Returns whether the business exists.
pub async fn locate(store: &Store, credit_code: &str, at: Option<Point>) -> Result<bool, AppError> {
    // Clearing writes NULL in the statement: a typeless NULL bound through the Any driver is refused by PostgreSQL
    // for a DOUBLE PRECISION column ("incorrect binary data format").
    let done = match at {
        Some(p) => {
            sqlx::query("UPDATE businesses SET lat = $1, lng = $2 WHERE credit_code = $3")
                .bind(p.lat)
                .bind(p.lng)
                .bind(credit_code.to_owned())
                .execute(store.pool())
                .await?
        }
        None => {
            sqlx::query("UPDATE businesses SET lat = NULL, lng = NULL WHERE credit_code = $1")
                .bind(credit_code.to_owned())
                .execute(store.pool())
                .await?
        }
    };
    // The search indexes of this instance place it again before their next answer.
    store.announce(crate::store::Change::Registry);
    Ok(done.rows_affected() > 0)
}
