//! The business registry and credit grades: upserts, events, recomputation, search, export.

use crate::audit::{self, Actor};
use crate::clock::now;
use crate::config::DbKind;
use crate::store::{col, Store};
use domain::credit::{
    bigrams, is_category, is_district, BusinessDetail, BusinessSummary, CreditCode, CreditEventView, CreditRules,
    DynamicGrade, EventKind, GradePoint, LicenceNo, Page, ScoredEvent, SearchQuery, Severity,
};
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// Search candidates examined per query: bounds the work for very common terms (e.g. `绵阳`).
pub const MAX_CANDIDATES: i64 = 1_000;

/// A business record as staff or an import provide it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessInput {
    pub credit_code: CreditCode,
    pub licence_no: Option<LicenceNo>,
    pub name: String,
    pub address: String,
    pub district: String,
    pub category: String,
    pub status: String,
    pub dynamic_grade: Option<DynamicGrade>,
    pub last_inspected_at: Option<i64>,
}

fn text_field(field: &str, v: &str, max: usize) -> Result<String, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    if v.chars().count() > max {
        return Err(AppError::field(ErrCode::TooLong, field));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::field(ErrCode::InvalidValue, field));
    }
    Ok(v.to_owned())
}

impl BusinessInput {
    /// Validates raw fields (from a form, the API or a CSV row); errors name the field.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        credit_code: &str,
        licence_no: &str,
        name: &str,
        address: &str,
        district: &str,
        category: &str,
        status: &str,
        dynamic_grade: &str,
        last_inspected: &str,
    ) -> Result<BusinessInput, AppError> {
        let credit_code = CreditCode::parse(credit_code)?;
        let licence_no = match licence_no.trim() {
            "" => None,
            l => Some(LicenceNo::parse(l)?),
        };
        let name = text_field("name", name, 100)?;
        let address = text_field("address", address, 200)?;
        let district = district.trim().to_owned();
        if !is_district(&district) {
            return Err(AppError::field(ErrCode::InvalidValue, "district"));
        }
        let category = category.trim().to_owned();
        if !is_category(&category) {
            return Err(AppError::field(ErrCode::InvalidValue, "category"));
        }
        let status = match status.trim() {
            "" => "在营".to_owned(),
            s if domain::credit::STATUSES.iter().any(|(n, _)| *n == s) => s.to_owned(),
            _ => return Err(AppError::field(ErrCode::InvalidValue, "status")),
        };
        let dynamic_grade = match dynamic_grade.trim() {
            "" => None,
            d => Some(DynamicGrade::parse(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "dynamic_grade"))?),
        };
        let last_inspected_at = match last_inspected.trim() {
            "" => None,
            d => Some(parse_date(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "last_inspected"))?),
        };
        Ok(BusinessInput {
            credit_code,
            licence_no,
            name,
            address,
            district,
            category,
            status,
            dynamic_grade,
            last_inspected_at,
        })
    }

    fn search_tokens(&self) -> String {
        domain::credit::search_tokens(&self.name, &self.address, &self.district, &self.category)
    }
}

/// `2026-11-28` (China Standard Time midnight) to Unix seconds.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // days_from_civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 - 8 * 3600)
}

/// The rules in force (the shipped table until staff store another).
pub async fn rules(store: &Store) -> Result<CreditRules, AppError> {
    let row = sqlx::query("SELECT rules FROM credit_rules WHERE id = 1").fetch_optional(store.pool()).await?;
    match row {
        Some(r) => serde_json::from_str(&col::<String>(&r, "rules")?).map_err(AppError::internal),
        None => Ok(CreditRules::default()),
    }
}

const SUMMARY_COLS: &str = "credit_code, licence_no, name, address, district, category, status, score, grade, \
                            watch_list, dynamic_grade, last_inspected_at";

fn summary(r: &AnyRow) -> Result<BusinessSummary, AppError> {
    Ok(BusinessSummary {
        credit_code: col(r, "credit_code")?,
        licence_no: col(r, "licence_no")?,
        name: col(r, "name")?,
        address: col(r, "address")?,
        district: col(r, "district")?,
        category: col(r, "category")?,
        status: col(r, "status")?,
        score: col(r, "score")?,
        grade: col(r, "grade")?,
        watch_list: col::<i64>(r, "watch_list")? != 0,
        dynamic_grade: col(r, "dynamic_grade")?,
        last_inspected_at: col(r, "last_inspected_at")?,
    })
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// Creates or updates a business by credit code. Re-applying identical data changes nothing (not even
/// `updated_at`), so re-running an import is a no-op.
pub async fn upsert_business(pool: &sqlx::AnyPool, b: &BusinessInput, at: i64) -> Result<Upserted, AppError> {
    let existed = sqlx::query("SELECT 1 AS x FROM businesses WHERE credit_code = $1")
        .bind(b.credit_code.as_str())
        .fetch_optional(pool)
        .await?
        .is_some();
    let row = sqlx::query(
        "INSERT INTO businesses (credit_code, licence_no, name, address, district, category, status, \
         dynamic_grade, last_inspected_at, search_tokens, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (credit_code) DO UPDATE SET licence_no = excluded.licence_no, name = excluded.name, \
         address = excluded.address, district = excluded.district, category = excluded.category, \
         status = excluded.status, dynamic_grade = excluded.dynamic_grade, \
         last_inspected_at = excluded.last_inspected_at, search_tokens = excluded.search_tokens, \
         updated_at = excluded.updated_at \
         WHERE businesses.licence_no IS DISTINCT FROM excluded.licence_no \
            OR businesses.name <> excluded.name OR businesses.address <> excluded.address \
            OR businesses.district <> excluded.district OR businesses.category <> excluded.category \
            OR businesses.status <> excluded.status \
            OR businesses.dynamic_grade IS DISTINCT FROM excluded.dynamic_grade \
            OR businesses.last_inspected_at IS DISTINCT FROM excluded.last_inspected_at \
         RETURNING created_at, updated_at",
    )
    .bind(b.credit_code.as_str())
    .bind(b.licence_no.as_ref().map(|l| l.as_str().to_owned()))
    .bind(&b.name)
    .bind(&b.address)
    .bind(&b.district)
    .bind(&b.category)
    .bind(&b.status)
    .bind(b.dynamic_grade.map(|d| d.as_str()))
    .bind(b.last_inspected_at)
    .bind(b.search_tokens())
    .bind(at)
    .fetch_optional(pool)
    .await?;
    Ok(match (row, existed) {
        (None, _) => Upserted::Unchanged,
        (Some(_), false) => Upserted::Created,
        (Some(_), true) => Upserted::Updated,
    })
}

/// Staff create or edit one business.
pub async fn save_business(store: &Store, actor: &Actor, b: &BusinessInput) -> Result<Upserted, AppError> {
    let outcome = upsert_business(store.pool(), b, now()).await?;
    if outcome != Upserted::Unchanged {
        let action = if outcome == Upserted::Created { "business.create" } else { "business.update" };
        audit::record(store, actor, action, Some(&format!("business:{}", b.credit_code)), None, None).await?;
    }
    Ok(outcome)
}

/// A record event as staff enter it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInput {
    pub kind: EventKind,
    pub severity: Severity,
    pub occurred_at: i64,
    pub source: String,
    pub description: String,
}

impl EventInput {
    pub fn parse(kind: &str, severity: &str, date: &str, source: &str, description: &str) -> Result<EventInput, AppError> {
        Ok(EventInput {
            kind: EventKind::parse(kind.trim()).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "kind"))?,
            severity: Severity::parse(severity.trim())
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, "severity"))?,
            occurred_at: parse_date(date).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "occurred_at"))?,
            source: text_field("source", source, 200)?,
            description: text_field("description", description, 2000)?,
        })
    }
}

async fn business_id(store: &Store, code: &CreditCode) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(code.as_str())
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(AppError::not_found)?;
    col(&row, "id")
}

/// Records an event and re-derives the grade; a changed grade or score is appended to the history.
pub async fn add_event(store: &Store, actor: &Actor, code: &CreditCode, e: &EventInput) -> Result<(), AppError> {
    let id = business_id(store, code).await?;
    let t = now();
    if e.occurred_at > t + 86_400 {
        return Err(AppError::field(ErrCode::InvalidValue, "occurred_at"));
    }
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "INSERT INTO credit_events (business_id, kind, severity, occurred_at, source, description, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(e.kind.as_str())
    .bind(e.severity.as_str())
    .bind(e.occurred_at)
    .bind(&e.source)
    .bind(&e.description)
    .bind(t)
    .bind(&actor.name)
    .execute(&mut *tx)
    .await?;
    if e.kind == EventKind::InspectionFinding {
        sqlx::query("UPDATE businesses SET last_inspected_at = $1 WHERE id = $2 AND (last_inspected_at IS NULL OR last_inspected_at < $1)")
            .bind(e.occurred_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    // The event, the re-derived grade, its history row and the audit entry commit together or not at all.
    let rules = rules(store).await?;
    recompute_in(&mut tx, &rules, id, &format!("{}:{}", e.kind.as_str(), e.severity.as_str()), t).await?;
    let target = format!("business:{code}");
    audit::record_in(&mut tx, actor, "credit.event_add", Some(&target), Some(e.kind.as_str()), None).await?;
    tx.commit().await?;
    Ok(())
}

async fn events_of(conn: &mut AnyConnection, id: i64) -> Result<Vec<(ScoredEvent, String, String)>, AppError> {
    let rows = sqlx::query(
        "SELECT kind, severity, occurred_at, source, description FROM credit_events WHERE business_id = $1 \
         ORDER BY occurred_at DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = col(r, "kind")?;
            let severity: String = col(r, "severity")?;
            Ok((
                ScoredEvent {
                    kind: EventKind::parse(&kind).ok_or_else(|| AppError::internal(format!("bad kind {kind}")))?,
                    severity: Severity::parse(&severity)
                        .ok_or_else(|| AppError::internal(format!("bad severity {severity}")))?,
                    occurred_at: col(r, "occurred_at")?,
                },
                col(r, "source")?,
                col(r, "description")?,
            ))
        })
        .collect()
}

/// Re-derives score, grade and watch list from the events; appends to the history when anything changed.
pub async fn recompute(store: &Store, id: i64, reason: &str, at: i64) -> Result<(), AppError> {
    let rules = rules(store).await?;
    let mut tx = store.pool().begin().await?;
    recompute_in(&mut tx, &rules, id, reason, at).await?;
    tx.commit().await?;
    Ok(())
}

/// [`recompute`] inside the caller's transaction.
async fn recompute_in(
    conn: &mut AnyConnection,
    rules: &CreditRules,
    id: i64,
    reason: &str,
    at: i64,
) -> Result<(), AppError> {
    let events: Vec<ScoredEvent> = events_of(conn, id).await?.into_iter().map(|(e, _, _)| e).collect();
    let a = rules.assess(&events, at);
    let row = sqlx::query("SELECT score, grade, watch_list FROM businesses WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let (score, grade, watch): (i64, String, i64) = (col(&row, "score")?, col(&row, "grade")?, col(&row, "watch_list")?);
    if score == a.score && grade == a.grade.as_str() && (watch != 0) == a.watch_list {
        return Ok(());
    }
    sqlx::query("UPDATE businesses SET score = $1, grade = $2, watch_list = $3, updated_at = $4 WHERE id = $5")
        .bind(a.score)
        .bind(a.grade.as_str())
        .bind(i64::from(a.watch_list))
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO grade_history (business_id, at, score, grade, watch_list, reason) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(at)
        .bind(a.score)
        .bind(a.grade.as_str())
        .bind(i64::from(a.watch_list))
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The public record of a business.
pub async fn detail(store: &Store, code: &CreditCode) -> Result<Option<BusinessDetail>, AppError> {
    let row = sqlx::query(&format!("SELECT id, {SUMMARY_COLS} FROM businesses WHERE credit_code = $1"))
        .bind(code.as_str())
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = col(&row, "id")?;
    let rules = rules(store).await?;
    let since = now() - rules.period_days * 86_400;
    let mut conn = store.pool().acquire().await?;
    let events = events_of(&mut conn, id)
        .await?
        .into_iter()
        .map(|(e, source, description)| CreditEventView {
            kind: e.kind.as_str().to_owned(),
            severity: e.severity.as_str().to_owned(),
            points: rules.points_for(e.kind, e.severity),
            occurred_at: e.occurred_at,
            source,
            description,
            in_period: e.occurred_at > since,
        })
        .collect();
    let history = sqlx::query(
        "SELECT at, score, grade, watch_list, reason FROM grade_history WHERE business_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(GradePoint {
            at: col(r, "at")?,
            score: col(r, "score")?,
            grade: col(r, "grade")?,
            watch_list: col::<i64>(r, "watch_list")? != 0,
            reason: col(r, "reason")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let replies = crate::replies::published(store, code).await?;
    Ok(Some(BusinessDetail { summary: summary(&row)?, events, history, replies }))
}

/// The phrase of bigram tokens for a query, safe to embed in an FTS5 MATCH string (tokens are alphanumeric).
fn phrase(q: &str) -> String {
    bigrams(q).join(" ")
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Searches the registry. An exact credit code or licence number finds that business; otherwise names and
/// addresses are matched by substring through the bigram index, ranked exact name > name prefix > name
/// substring > address, then shorter names first. Filters narrow the candidates inside the index query.
pub async fn search(store: &Store, q: &SearchQuery) -> Result<Page<BusinessSummary>, AppError> {
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
    let candidates = match store.kind() {
        DbKind::Sqlite => format!(
            "SELECT b.id FROM business_fts f JOIN businesses b ON b.id = f.rowid \
             WHERE business_fts MATCH ${p_phrase}{filter_sql} LIMIT {MAX_CANDIDATES}"
        ),
        DbKind::Postgres => {
            // Our own tokens (letters and digits only), safe to inline.
            let extra: String = filter_toks.iter().map(|t| format!(" && to_tsquery('simple', '{t}')")).collect();
            format!(
                "SELECT b.id FROM businesses b WHERE b.search_tsv @@ \
                 (phraseto_tsquery('simple', ${p_phrase}){extra}){filter_sql} LIMIT {MAX_CANDIDATES}"
            )
        }
    };
    let fts_arg = match store.kind() {
        DbKind::Sqlite => {
            let mut m = format!("\"{}\"", phrase(text));
            for t in &filter_toks {
                m.push_str(" AND ");
                m.push_str(t);
            }
            m
        }
        DbKind::Postgres => phrase(text),
    };
    // Candidates from the index are checked against the real text (a phrase may span name and address), then
    // ranked. Prefix matches on the name are added through the name index so they are never cut by the bound.
    let prefix_range = match store.kind() {
        DbKind::Sqlite => format!("b.name >= ${p_exact} AND b.name < ${p_exact} || char(1114111)"),
        DbKind::Postgres => format!("b.name COLLATE \"C\" >= ${p_exact} AND b.name COLLATE \"C\" < ${p_exact} || chr(1114111)"),
    };
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

/// The whole public registry with grades, in credit-code order (for bulk downloads).
pub async fn export(store: &Store) -> Result<Vec<BusinessSummary>, AppError> {
    let rows = sqlx::query(&format!("SELECT {SUMMARY_COLS} FROM businesses ORDER BY credit_code"))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(summary).collect()
}

/// Number of businesses.
pub async fn count(store: &Store) -> Result<i64, AppError> {
    col(&sqlx::query("SELECT COUNT(*) AS n FROM businesses").fetch_one(store.pool()).await?, "n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_china_time() {
        let t = parse_date("2026-11-28").unwrap();
        assert_eq!(domain::clock::format_datetime(t), "2026-11-28 00:00");
        assert!(parse_date("2026-13-01").is_none());
        assert!(parse_date("yesterday").is_none());
        assert_eq!(like_escape("100%_a\\"), "100\\%\\_a\\\\");
    }
}
