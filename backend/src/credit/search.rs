//! Registry search: exact identifiers and filter-only browsing in SQL; any 2+ character substring of name or
//! address from the in-process index (`credit::index`). The SQL text search through the database's bigram index
//! (SQLite FTS5, PostgreSQL GIN over a stored tsvector) stays as [`search_sql`]: the reference the index is
//! tested against and the benchmark's "before".

use super::index::SearchIndex;
use super::registry::{summary, SUMMARY_COLS};
use crate::store::{col, Store};
use crate::AppState;
use domain::credit::{bigrams, BusinessSummary, CreditCode, Page, SearchQuery};
use domain::AppError;

/// Search candidates examined per query: bounds the work for very common terms (e.g. `绵阳`).
pub const MAX_CANDIDATES: i64 = 1_000;

/// The phrase of bigram tokens for a query, safe to embed in an FTS5 MATCH string (tokens are alphanumeric).
fn phrase(q: &str) -> String {
    bigrams(q).join(" ")
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Whether a query text is an exact identifier (credit code or licence number).
pub(crate) fn is_identifier(text: &str) -> bool {
    CreditCode::parse(text).is_ok() || domain::credit::LicenceNo::parse(text).is_ok()
}

/// Searches the registry. An exact credit code or licence number finds that business; otherwise names and
/// addresses are matched by substring, ranked exact name > name prefix > name substring > address, then shorter
/// names first, answered from this instance's in-memory index (exact totals).
pub async fn search(state: &AppState, q: &SearchQuery) -> Result<Page<BusinessSummary>, AppError> {
    match &q.q {
        Some(text) if !is_identifier(text) => SearchIndex::search(state.credit.index(), &state.store, text, q).await,
        _ => search_sql(&state.store, q).await,
    }
}

/// A search, or with `near` a near query: nearest first within its radius, the search's text and filters
/// narrowing it, answered from this instance's in-memory index (`credit::near_sql` is its reference).
pub async fn lookup(
    state: &AppState,
    q: &SearchQuery,
    near: Option<&domain::credit::geo::Near>,
) -> Result<Page<BusinessSummary>, AppError> {
    match near {
        Some(n) => SearchIndex::near(state.credit.index(), &state.store, q, n).await,
        None => search(state, q).await,
    }
}

/// The same search in SQL through the database's bigram index, examining at most [`MAX_CANDIDATES`] matches
/// (totals beyond are lower bounds). Filters narrow the candidates inside the index query.
pub async fn search_sql(store: &Store, q: &SearchQuery) -> Result<Page<BusinessSummary>, AppError> {
    let mut filters = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut push = |cond: &str, v: String, filters: &mut Vec<String>| {
        binds.push(v);
        filters.push(cond.replace('?', &format!("${}", binds.len())));
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
    let offset = (q.page - 1) * q.per_page;

    let Some(text) = &q.q else {
        // Browse with filters only.
        let where_ = if filters.is_empty() { "1 = 1".to_owned() } else { filters.join(" AND ") };
        let count_sql = format!("SELECT COUNT(*) AS n FROM businesses b WHERE {where_}");
        let list_sql = format!(
            "SELECT {SUMMARY_COLS} FROM businesses b WHERE {where_} ORDER BY b.grade, b.name, b.id LIMIT {} OFFSET {offset}",
            q.per_page
        );
        let mut count = sqlx::query(&count_sql);
        let mut list = sqlx::query(&list_sql);
        for b in &binds {
            count = count.bind(b.clone());
            list = list.bind(b.clone());
        }
        let total: i64 = col(&count.fetch_one(store.pool()).await?, "n")?;
        let items = list.fetch_all(store.pool()).await?.iter().map(summary).collect::<Result<_, _>>()?;
        return Ok(Page { items, total, page: q.page, per_page: q.per_page, total_is_lower_bound: false });
    };

    // Exact identifiers first.
    let exact = if let Ok(code) = CreditCode::parse(text) {
        Some(("credit_code", code.as_str().to_owned()))
    } else if let Ok(lic) = domain::credit::LicenceNo::parse(text) {
        Some(("licence_no", lic.as_str().to_owned()))
    } else {
        None
    };
    if let Some((column, value)) = exact {
        let mut sql = format!("SELECT {SUMMARY_COLS} FROM businesses b WHERE b.{column} = ${}", binds.len() + 1);
        for f in &filters {
            sql.push_str(" AND ");
            sql.push_str(f);
        }
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let items: Vec<BusinessSummary> =
            query.bind(value).fetch_all(store.pool()).await?.iter().map(summary).collect::<Result<_, _>>()?;
        let total = items.len() as i64;
        let items = if q.page == 1 { items } else { Vec::new() };
        return Ok(Page { items, total, page: q.page, per_page: q.per_page, total_is_lower_bound: false });
    }

    let n = binds.len();
    let p_phrase = n + 1;
    let p_exact = n + 2;
    let p_prefix = n + 3;
    let p_sub = n + 4;
    let filter_sql: String = filters.iter().map(|f| format!(" AND {f}")).collect();
    // District and category are tokens in the same index: intersecting posting lists beats scanning the
    // matches of a common term for the few in one district.
    let filter_toks = domain::credit::filter_tokens(q.district.as_deref(), q.category.as_deref());
    let dialect = store.dialect();
    let candidates = dialect.fts_candidates(p_phrase, &filter_sql, &filter_toks, MAX_CANDIDATES);
    let fts_arg = dialect.fts_match(phrase(text), &filter_toks);
    // Candidates from the index are checked against the real text (a phrase may span name and address), then
    // ranked. Prefix matches on the name are added through the name index so they are never cut by the bound.
    let prefix_range = dialect.starts_with("b.name", p_exact);
    let make_sql = |limit: i64, offset: i64| {
        format!(
            "WITH cand AS MATERIALIZED (SELECT id FROM ({candidates}) c1 UNION \
                 SELECT id FROM (SELECT b.id FROM businesses b WHERE {prefix_range}{filter_sql} LIMIT 500) c2), \
             ranked AS MATERIALIZED (SELECT b.*, CASE WHEN b.name = ${p_exact} THEN 0 WHEN b.name LIKE ${p_prefix} ESCAPE '\\' THEN 1 \
                 WHEN b.name LIKE ${p_sub} ESCAPE '\\' THEN 2 ELSE 3 END AS rank \
               FROM businesses b WHERE b.id IN (SELECT id FROM cand) \
               AND (b.name LIKE ${p_sub} ESCAPE '\\' OR b.address LIKE ${p_sub} ESCAPE '\\')) \
             SELECT {SUMMARY_COLS}, (SELECT COUNT(*) FROM ranked) AS total FROM ranked \
             ORDER BY rank, LENGTH(name), name, credit_code LIMIT {limit} OFFSET {offset}"
        )
    };
    let escaped = like_escape(text);
    let fetch = |limit: i64, offset: i64| {
        let sql = make_sql(limit, offset);
        let binds = binds.clone();
        let fts_arg = fts_arg.clone();
        let text = text.clone();
        let escaped = escaped.clone();
        async move {
            let mut query = sqlx::query(&sql);
            for b in &binds {
                query = query.bind(b.clone());
            }
            query
                .bind(fts_arg)
                .bind(text)
                .bind(format!("{escaped}%"))
                .bind(format!("%{escaped}%"))
                .fetch_all(store.pool())
                .await
        }
    };
    let rows = fetch(q.per_page, offset).await?;
    let total = match rows.first() {
        Some(r) => col(r, "total")?,
        None if q.page > 1 => match fetch(1, 0).await?.first() {
            Some(r) => col(r, "total")?,
            None => 0,
        },
        None => 0,
    };
    let items = rows.iter().map(summary).collect::<Result<_, _>>()?;
    Ok(Page { items, total, page: q.page, per_page: q.per_page, total_is_lower_bound: total >= MAX_CANDIDATES })
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(super::like_escape("100%_a\\"), "100\\%\\_a\\\\");
    }
}
