//! The business registry: creating and editing businesses, the public record of one, and the bulk export.
//! Every use case holds at most one pooled connection at a time: a request that waits for a second connection
//! while holding a first can deadlock the pool under a burst (hardening finding 0).

use crate::clock::now;
use crate::config::DbKind;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::credit::{
    BusinessDetail, BusinessInput, BusinessSummary, CreditCode, CreditEventView, DynamicGrade, EventKind, Grade,
    GradePoint, Severity,
};
use domain::staff::AuditAction as A;
use domain::AppError;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

pub(crate) const SUMMARY_COLS: &str = "credit_code, licence_no, name, address, district, category, status, score, \
                                        grade, watch_list, dynamic_grade, last_inspected_at, rating_date, pending_grade, sunshine";

pub(crate) fn grade_col(r: &AnyRow, name: &str) -> Result<Grade, AppError> {
    let g: String = col(r, name)?;
    Grade::parse(&g).ok_or_else(|| AppError::internal(format!("bad grade {g}")))
}

pub(crate) fn summary(r: &AnyRow) -> Result<BusinessSummary, AppError> {
    let dynamic: Option<String> = col(r, "dynamic_grade")?;
    let (score, watch_list, last_inspected_at): (i64, bool, Option<i64>) =
        (col(r, "score")?, col::<i64>(r, "watch_list")? != 0, col(r, "last_inspected_at")?);
    let pending = col::<Option<String>>(r, "pending_grade")?.is_some();
    Ok(BusinessSummary {
        credit_code: col(r, "credit_code")?,
        licence_no: col(r, "licence_no")?,
        name: col(r, "name")?,
        address: col(r, "address")?,
        district: col(r, "district")?,
        category: col(r, "category")?,
        status: col(r, "status")?,
        score,
        grade: grade_col(r, "grade")?,
        watch_list,
        sunshine: col::<i64>(r, "sunshine")? != 0,
        dynamic_grade: dynamic.as_deref().and_then(DynamicGrade::parse),
        last_inspected_at,
        rating_date: col(r, "rating_date")?,
        new_rating_pending: pending,
        awaiting_inspection: domain::credit::awaiting_inspection(last_inspected_at, score, watch_list, pending),
        distance_m: None,
    })
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

impl Upserted {
    pub fn as_str(self) -> &'static str {
        match self {
            Upserted::Created => "created",
            Upserted::Updated => "updated",
            Upserted::Unchanged => "unchanged",
        }
    }
}

/// Creates or updates a business by credit code on the caller's connection. Re-applying identical data
/// changes nothing (not even `updated_at`), so re-running an import is a no-op.
pub async fn upsert_business(conn: &mut AnyConnection, b: &BusinessInput, at: i64) -> Result<Upserted, AppError> {
    let existed = sqlx::query("SELECT 1 AS x FROM businesses WHERE credit_code = $1")
        .bind(b.credit_code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    let row = sqlx::query(
        "INSERT INTO businesses (credit_code, licence_no, name, address, district, category, status, \
         dynamic_grade, last_inspected_at, search_tokens, created_at, updated_at, rating_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11) \
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
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match (row, existed) {
        (None, _) => Upserted::Unchanged,
        (Some(_), false) => Upserted::Created,
        (Some(_), true) => Upserted::Updated,
    })
}

/// Staff create or edit one business; the change and its audit entry commit together.
pub async fn save_business(store: &Store, actor: &Actor, b: &BusinessInput) -> Result<Upserted, AppError> {
    let mut tx = store.begin_write().await?;
    let outcome = upsert_business(&mut tx, b, now()).await?;
    if outcome != Upserted::Unchanged {
        let action = if outcome == Upserted::Created { A::BusinessCreate } else { A::BusinessUpdate };
        audit::record(&mut tx, actor, Entry::new(action).target(&format!("business:{}", b.credit_code))).await?;
    }
    tx.commit().await?;
    if outcome != Upserted::Unchanged {
        store.announce(Change::Registry);
    }
    Ok(outcome)
}

/// The public record of a business in one query: the row, with its events and grade history aggregated as JSON
/// arrays (SQLite `json_group_array`, PostgreSQL `json_agg`, both ordered) and the number of published replies;
/// the replies themselves, rare, in a second query only when there are any. A QR scan that misses every cache
/// costs one round trip instead of four.
pub async fn detail(state: &AppState, code: &CreditCode) -> Result<Option<BusinessDetail>, AppError> {
    let mut conn = state.store.pool().acquire().await?;
    let row = sqlx::query(detail_sql(state.store.dialect())).bind(code.as_str()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = col(&row, "id")?;
    let rules = super::events::rules_cached(&state.credit, &mut conn).await?;
    let since = now() - rules.period_days * 86_400;
    let json = |name: &str| -> Result<String, AppError> { col(&row, name) };
    let raw_events: Vec<RawEvent> =
        serde_json::from_str(&json("events")?).map_err(|e| AppError::internal(format!("events of {id}: {e}")))?;
    let events = raw_events
        .into_iter()
        .map(|(event_id, kind, severity, occurred_at, source, description, annulled_at)| {
            let kind = EventKind::parse(&kind).ok_or_else(|| AppError::internal(format!("bad kind {kind}")))?;
            let severity =
                Severity::parse(&severity).ok_or_else(|| AppError::internal(format!("bad severity {severity}")))?;
            Ok(CreditEventView {
                id: event_id,
                kind,
                severity,
                points: if annulled_at.is_some() { 0 } else { rules.points_for(kind, severity) },
                occurred_at,
                source,
                description,
                in_period: occurred_at > since,
                annulled: annulled_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let raw_history: Vec<(i64, i64, String, i64, String)> =
        serde_json::from_str(&json("history")?).map_err(|e| AppError::internal(format!("history of {id}: {e}")))?;
    let history = raw_history
        .into_iter()
        .map(|(at, score, grade, watch, reason)| {
            let grade = Grade::parse(&grade).ok_or_else(|| AppError::internal(format!("bad grade {grade}")))?;
            Ok(GradePoint { at, score, grade, watch_list: watch != 0, reason })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let replies =
        if col::<i64>(&row, "replies")? > 0 { super::replies::published_in(&mut conn, id).await? } else { Vec::new() };
    // The complaint disclosure, in a second query only for a business with decided cases.
    let complaints = if col::<i64>(&row, "decided_cases")? > 0 {
        crate::cases::disclosure::disclosure_in(&mut conn, id, now()).await?
    } else {
        domain::cases::Disclosure { since: crate::cases::disclosure::since(now()), ..Default::default() }
    };
    let objections = if col::<i64>(&row, "objections")? > 0 {
        super::objections::of_business_in(&mut conn, id).await?
    } else {
        Vec::new()
    };
    let open_objection = objections.iter().find(|o| o.state == "open" && o.kind == "objection").cloned();
    let sms_verification = state.config.sms_url.is_some();
    let sunshine = if col::<i64>(&row, "sunshine")? != 0 {
        crate::kitchens::sunshine_in(&mut conn, id, now()).await?
    } else {
        None
    };
    Ok(Some(BusinessDetail {
        summary: summary(&row)?,
        events,
        history,
        replies,
        open_objection,
        objections,
        sms_verification,
        sunshine,
        complaints,
    }))
}

/// An event as the detail query aggregates it: id, kind, severity, occurred_at, source, description, annulled_at.
type RawEvent = (i64, String, String, i64, String, String, Option<i64>);

/// The statement of [`detail`] in the engine's dialect, built once per engine.
fn detail_sql(dialect: DbKind) -> &'static str {
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [sqlite, postgres] = SQL.get_or_init(|| {
        let build = |d: DbKind| {
            let events = d.json_rows(
                "e.id, e.kind, e.severity, e.occurred_at, e.source, e.description, e.annulled_at",
                "e.occurred_at DESC, e.id DESC",
                "FROM credit_events e WHERE e.business_id = b.id",
            );
            let history = d.json_rows(
                "h.at, h.score, h.grade, h.watch_list, h.reason",
                "h.at, h.id",
                "FROM grade_history h WHERE h.business_id = b.id",
            );
            format!(
                "SELECT b.id, b.credit_code, b.licence_no, b.name, b.address, b.district, b.category, \
                 b.status, b.score, b.grade, b.watch_list, b.dynamic_grade, b.last_inspected_at, b.rating_date, \
                 b.pending_grade, b.sunshine, {events} AS events, {history} AS history, \
                 (SELECT COUNT(*) FROM business_replies r WHERE r.business_id = b.id AND r.status = 'approved' \
                 AND r.kind = 'reply') AS replies, \
                 (SELECT COUNT(*) FROM cases c WHERE c.business_id = b.id AND c.decision IS NOT NULL) AS decided_cases, \
                 (SELECT COUNT(*) FROM objections o WHERE o.business_id = b.id) AS objections \
                 FROM businesses b WHERE b.credit_code = $1"
            )
        };
        [build(DbKind::Sqlite), build(DbKind::Postgres)]
    });
    match dialect {
        DbKind::Sqlite => sqlite,
        DbKind::Postgres => postgres,
    }
}

/// The whole public registry with grades, in credit-code order (for bulk downloads).
pub async fn export(store: &Store) -> Result<Vec<BusinessSummary>, AppError> {
    let rows = sqlx::query(&format!("SELECT {SUMMARY_COLS} FROM businesses ORDER BY credit_code"))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(summary).collect()
}

/// The version of the whole public registry, for the bulk downloads' `ETag`: how many businesses there are and
/// the last change stamped on any of them (the triggers of migration 0010 stamp every insert and update with the
/// database's clock). Read without touching the rows.
pub async fn export_version(store: &Store) -> Result<String, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(changed_at), 0) AS at FROM businesses")
        .fetch_one(store.pool())
        .await?;
    Ok(format!("{}-{}", col::<i64>(&row, "n")?, col::<i64>(&row, "at")?))
}

/// One page of the bulk download: up to `limit` businesses after the credit code `after`, in credit-code order.
/// Each page is its own short query, so a slow download holds no connection between pages.
pub async fn export_page(store: &Store, after: Option<&str>, limit: i64) -> Result<Vec<BusinessSummary>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLS} FROM businesses WHERE credit_code > $1 ORDER BY credit_code LIMIT $2"
    ))
    .bind(after.unwrap_or(""))
    .bind(limit.clamp(1, 10_000))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(summary).collect()
}

/// Number of businesses.
pub async fn count(store: &Store) -> Result<i64, AppError> {
    col(&sqlx::query("SELECT COUNT(*) AS n FROM businesses").fetch_one(store.pool()).await?, "n")
}
