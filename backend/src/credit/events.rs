//! Record events and the grades they give: recording an event re-derives the grade in the same transaction.

use crate::clock::now;
use crate::journal::Happening;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::credit::{settle, CreditCode, CreditRules, EventInput, EventKind, Grade, ScoredEvent, Settle, Severity};
use domain::follow::EntryKind;
use domain::i18n::{Lang, T};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::AnyConnection;

/// The rules in force (the shipped table until staff store another), on the caller's connection.
pub async fn rules_in(conn: &mut AnyConnection) -> Result<CreditRules, AppError> {
    let row = sqlx::query("SELECT rules FROM credit_rules WHERE id = 1").fetch_optional(&mut *conn).await?;
    match row {
        Some(r) => serde_json::from_str(&col::<String>(&r, "rules")?).map_err(AppError::internal),
        None => Ok(CreditRules::default()),
    }
}

/// How long a public lookup may use rules it read earlier (writes always read them in their transaction).
pub const RULES_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The rules in force for a read, kept in memory for [`RULES_TTL`] (a lookup then costs one query less); read
/// on `conn` when stale. A change of the rules shows on lookups within the TTL.
pub async fn rules_cached(registry: &super::Registry, conn: &mut AnyConnection) -> Result<CreditRules, AppError> {
    if let Ok(slot) = registry.rules.read() {
        if let Some((at, r)) = slot.as_ref() {
            if at.elapsed() < RULES_TTL {
                return Ok(r.clone());
            }
        }
    }
    let fresh = rules_in(conn).await?;
    if let Ok(mut slot) = registry.rules.write() {
        *slot = Some((std::time::Instant::now(), fresh.clone()));
    }
    Ok(fresh)
}

/// The rules in force.
pub async fn rules(store: &Store) -> Result<CreditRules, AppError> {
    rules_in(&mut *store.pool().acquire().await?).await
}

/// The id of a business, on the caller's transaction, its row locked on PostgreSQL before anything refers to it
/// (an event's foreign key takes a share lock that a later `FOR UPDATE` would deadlock against).
async fn business_id(conn: &mut AnyConnection, code: &CreditCode) -> Result<i64, AppError> {
    let lock = crate::dialect::DbKind::of(conn).lock_rows();
    let row = sqlx::query(&format!("SELECT id FROM businesses WHERE credit_code = $1{lock}"))
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    col(&row, "id")
}

/// Records an event and re-derives the grade; a changed grade or score is appended to the history. The event,
/// the grade, its history row and the audit entry commit together or not at all, on one connection.
pub async fn add_event(store: &Store, actor: &Actor, e: &EventInput) -> Result<(), AppError> {
    let t = now();
    if e.occurred_at > t + 86_400 {
        return Err(AppError::field(ErrCode::InvalidValue, "occurred_at"));
    }
    let mut tx = store.begin_write().await?;
    add_event_in(&mut tx, actor, e, t).await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(())
}

/// [`add_event`] on the caller's transaction (`at` = now): sampling failures are recorded with the batch.
pub(crate) async fn add_event_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    e: &EventInput,
    t: i64,
) -> Result<(), AppError> {
    let id = business_id(tx, &e.credit_code).await?;
    let event: i64 = sqlx::query_scalar(
        "INSERT INTO credit_events (business_id, kind, severity, occurred_at, source, description, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(id)
    .bind(e.kind.as_str())
    .bind(e.severity.as_str())
    .bind(e.occurred_at)
    .bind(&e.source)
    .bind(&e.description)
    .bind(t)
    .bind(&actor.name)
    .fetch_one(&mut *tx)
    .await?;
    // Followers of the business hear of the new record (it is public at once).
    let (name, code, _) = crate::journal::business_in(tx, id).await?;
    let title = format!("{name}：{}", e.kind.label().get(Lang::Zh));
    let mut h = Happening::new(EntryKind::EventRecorded, event, title, format!("/credit/{code}"), t);
    h.business_code = code;
    crate::journal::record_in(tx, &h, t).await?;
    if e.kind == EventKind::InspectionFinding {
        sqlx::query(
            "UPDATE businesses SET last_inspected_at = $1 WHERE id = $2 \
             AND (last_inspected_at IS NULL OR last_inspected_at < $1)",
        )
        .bind(e.occurred_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    // A downgrade this event brings waits for the event's objection window (新评级待公布).
    let cal = crate::cases::calendar::load_in(tx).await?;
    let rules = rules_in(tx).await?;
    let window = rules.windows.objection_closes(&cal, t);
    let reason = format!("{}:{}", e.kind.as_str(), e.severity.as_str());
    recompute_with(tx, &rules, id, &reason, t, Some(window)).await?;
    let target = format!("business:{}", e.credit_code);
    audit::record(tx, actor, Entry::new(A::CreditEventAdd).target(&target).detail(e.kind.as_str())).await?;
    Ok(())
}

/// The counted events of a business (annulled ones are not), newest first, with their source and description.
pub(crate) async fn events_of(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(ScoredEvent, String, String)>, AppError> {
    let rows = sqlx::query(
        "SELECT kind, severity, occurred_at, source, description FROM credit_events WHERE business_id = $1 \
         AND annulled_at IS NULL ORDER BY occurred_at DESC, id DESC",
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

/// Re-derives score, grade and watch list from the events at `at` (grades go stale as events age out of the
/// period; a sweep calls this); appends to the history when anything changed.
pub async fn recompute(store: &Store, id: i64, reason: &str, at: i64) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let rules = rules_in(&mut tx).await?;
    recompute_in(&mut tx, &rules, id, reason, at).await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(())
}

/// [`recompute`] inside the caller's transaction.
pub(crate) async fn recompute_in(
    conn: &mut AnyConnection,
    rules: &CreditRules,
    id: i64,
    reason: &str,
    at: i64,
) -> Result<bool, AppError> {
    recompute_with(conn, rules, id, reason, at, None).await
}

/// Re-derives the assessment and settles it by the pending-grade rule (`domain::credit::settle`): a downgrade
/// is held in `pending_*` while an objection window runs (`new_window`, the window of an event just recorded,
/// or the one already held) or an objection of the business is open; otherwise it becomes the grade in force,
/// `rating_date` moves when the grade does, and the history gets a row. Returns whether the grade in force
/// changed.
pub(crate) async fn recompute_with(
    conn: &mut AnyConnection,
    rules: &CreditRules,
    id: i64,
    reason: &str,
    at: i64,
    new_window: Option<i64>,
) -> Result<bool, AppError> {
    // The business row first, locked on PostgreSQL: concurrent events on one business are then assessed one
    // after the other, each seeing the others' committed events (SQLite transactions are already serial).
    let lock = crate::dialect::DbKind::of(conn).lock_rows();
    let row = sqlx::query(&format!(
        "SELECT score, grade, watch_list, rating_date, pending_score, pending_grade, pending_watch, pending_until, \
         (SELECT COUNT(*) FROM objections o WHERE o.business_id = businesses.id AND o.state = 'open' \
         AND o.kind = 'objection') AS open_objections FROM businesses WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let events: Vec<ScoredEvent> = events_of(conn, id).await?.into_iter().map(|(e, _, _)| e).collect();
    let a = rules.assess(&events, at);
    let (score, grade, watch): (i64, String, i64) =
        (col(&row, "score")?, col(&row, "grade")?, col(&row, "watch_list")?);
    let public = Grade::parse(&grade).ok_or_else(|| AppError::internal(format!("bad grade {grade}")))?;
    let pending: Option<String> = col(&row, "pending_grade")?;
    let held_until: Option<i64> = if pending.is_some() { col(&row, "pending_until")? } else { None };
    let hold_until = match (held_until, new_window) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let open = col::<i64>(&row, "open_objections")? > 0;
    if settle(public, watch != 0, &a, hold_until, open, at) == Settle::Hold {
        let same = pending.as_deref() == Some(a.grade.as_str())
            && col::<Option<i64>>(&row, "pending_score")? == Some(a.score)
            && col::<Option<i64>>(&row, "pending_watch")? == Some(i64::from(a.watch_list))
            && held_until == hold_until;
        if !same {
            sqlx::query(
                "UPDATE businesses SET pending_score = $1, pending_grade = $2, pending_watch = $3, pending_until = $4 \
                 WHERE id = $5",
            )
            .bind(a.score)
            .bind(a.grade.as_str())
            .bind(i64::from(a.watch_list))
            .bind(hold_until)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(false);
    }
    let unchanged = score == a.score && grade == a.grade.as_str() && (watch != 0) == a.watch_list;
    if unchanged && pending.is_none() {
        return Ok(false);
    }
    let rating_date: Option<i64> = col(&row, "rating_date")?;
    let rating_date = if grade != a.grade.as_str() { at } else { rating_date.unwrap_or(at) };
    sqlx::query(
        "UPDATE businesses SET score = $1, grade = $2, watch_list = $3, updated_at = $4, rating_date = $5, \
         pending_score = NULL, pending_grade = NULL, pending_watch = NULL, pending_until = NULL WHERE id = $6",
    )
    .bind(a.score)
    .bind(a.grade.as_str())
    .bind(i64::from(a.watch_list))
    .bind(at)
    .bind(rating_date)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if unchanged {
        return Ok(false);
    }
    history_in(conn, id, at, &a, reason).await?;
    Ok(true)
}

/// Appends a row to the grade history.
pub(crate) async fn history_in(
    conn: &mut AnyConnection,
    id: i64,
    at: i64,
    a: &domain::credit::Assessment,
    reason: &str,
) -> Result<(), AppError> {
    // A drop is a grade worse than the last published one (grades sort A < B < C < D), or than A at first.
    let before: Option<String> =
        sqlx::query_scalar("SELECT grade FROM grade_history WHERE business_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let row: i64 = sqlx::query_scalar(
        "INSERT INTO grade_history (business_id, at, score, grade, watch_list, reason) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id",
    )
    .bind(id)
    .bind(at)
    .bind(a.score)
    .bind(a.grade.as_str())
    .bind(i64::from(a.watch_list))
    .bind(reason)
    .fetch_one(&mut *conn)
    .await?;
    // Followers hear of a new grade (not of a score that moved within it): the business's of every change, its
    // district's of drops only.
    if before.as_deref().unwrap_or("A") == a.grade.as_str() {
        return Ok(());
    }
    let (name, code, district) = crate::journal::business_in(conn, id).await?;
    let title = format!("{name}：{} {}", T::FeedGradeChange.get(Lang::Zh), a.grade.as_str());
    let mut h = Happening::new(EntryKind::GradeChange, row, title, format!("/credit/{code}"), at.max(now()));
    h.business_code = code;
    if a.grade.as_str() > before.as_deref().unwrap_or("A") {
        h.district = district;
        h.district_only = "grade_drops";
    }
    crate::journal::record_in(conn, &h, now()).await?;
    Ok(())
}

/// Re-derives the grade of every business with an event that crossed the rating period's edge between `since`
/// and `now`: events age out day by day (and events dated ahead come in), so a stored grade would otherwise keep
/// an old penalty for ever. The server runs it every hour; running it twice changes nothing. Returns how many
/// businesses were looked at.
pub async fn refresh_aged(store: &Store, since: i64, now: i64) -> Result<u64, AppError> {
    let rules = rules(store).await?;
    let period = rules.period_days * 86_400;
    let rows = sqlx::query(
        "SELECT DISTINCT business_id FROM credit_events \
         WHERE (occurred_at > $1 AND occurred_at <= $2) OR (occurred_at > $3 AND occurred_at <= $4)",
    )
    .bind(since - period)
    .bind(now - period)
    .bind(since)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let ids = rows.iter().map(|r| col::<i64>(r, "business_id")).collect::<Result<Vec<_>, _>>()?;
    for &id in &ids {
        let mut tx = store.begin_write().await?;
        recompute_in(&mut tx, &rules, id, "period", now).await?;
        tx.commit().await?;
    }
    if !ids.is_empty() {
        store.announce(Change::Registry);
    }
    Ok(ids.len() as u64)
}
