//! 抽检结果: staff publish sampled batches (a round's picks or routine sampling) with the lab report; a
//! failing batch of a registry business records a sampling-failure event on its credit in the same
//! transaction, so its grade moves with the publication.

/// 核查处置: the steps taken about a failing batch.
pub mod disposal;
/// The demo results.
pub mod seed;

use crate::clock::now;
use crate::credit::events::add_event_in;
use crate::journal::Happening;
use crate::staff::audit::{self, Actor, Entry};
use crate::state::AppState;
use crate::store::{col, Change, Store};
use domain::credit::{EventInput, EventKind, Severity};
use domain::follow::EntryKind;
use domain::i18n::{Lang, T};
use domain::sampling::{check_report, FailingItem, PlaceKind, ResultsQuery, SamplingBatch, SamplingInput};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode, Page};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

const COLUMNS: &str = "s.id, s.round_id, s.candidate_id, s.food, s.food_category, s.place, b.credit_code, \
     s.business_name, s.district, s.sampled_at, s.items, s.passed, s.failures, \
     CASE WHEN s.report IS NULL THEN 0 ELSE 1 END AS has_report, s.published_at";
const FROM: &str = "FROM sampling_batches s LEFT JOIN businesses b ON b.id = s.business_id";

/// Whether the batch `s` is public at the time bound as `$n`: routine sampling as soon as staff publish it, a
/// 你点我检 round's batch from the round's `publish_at` (the date its results are announced), not from its upload.
/// Every public read of results carries this condition in its SQL (list, business page, report, statistics).
pub fn public_at(n: usize) -> String {
    format!(
        "(s.round_id IS NULL OR EXISTS (SELECT 1 FROM rounds pr WHERE pr.id = s.round_id AND pr.publish_at <= ${n}))"
    )
}

fn batch(r: &AnyRow) -> Result<SamplingBatch, AppError> {
    let place: String = col(r, "place")?;
    let items: String = col(r, "items")?;
    let failures: String = col(r, "failures")?;
    Ok(SamplingBatch {
        id: col(r, "id")?,
        round_id: col(r, "round_id")?,
        candidate_id: col(r, "candidate_id")?,
        food: col(r, "food")?,
        food_category: col(r, "food_category")?,
        place: PlaceKind::parse(&place).ok_or_else(|| AppError::internal(format!("bad place {place}")))?,
        credit_code: col(r, "credit_code")?,
        business_name: col(r, "business_name")?,
        district: col(r, "district")?,
        sampled_at: col(r, "sampled_at")?,
        items: items.split('\n').filter(|i| !i.is_empty()).map(str::to_owned).collect(),
        passed: col::<i64>(r, "passed")? != 0,
        failures: serde_json::from_str::<Vec<FailingItem>>(&failures).map_err(AppError::internal)?,
        has_report: col::<i64>(r, "has_report")? != 0,
        published_at: col(r, "published_at")?,
        disposal: None,
    })
}

/// Publishes a batch with its lab report (a PDF). Refusals name the field: an unknown round `round_id`, a
/// candidate of another round `candidate_id`, an unknown business `credit_code`, a report that is not a PDF
/// `report`. Nothing is stored unless everything is.
pub async fn publish(store: &Store, actor: &Actor, b: &SamplingInput, report: Option<&[u8]>) -> Result<i64, AppError> {
    if let Some(r) = report {
        check_report(r)?;
    }
    let t = now();
    if b.sampled_at > t + 86_400 {
        return Err(AppError::field(ErrCode::InvalidValue, "sampled_on"));
    }
    let mut tx = store.begin_write().await?;
    // A round's batch is public from the round's publish_at (see `public_at`): so is its effect on credit.
    let mut results_due: Option<i64> = None;
    if let Some(round) = b.round_id {
        let due: Option<i64> = sqlx::query_scalar("SELECT publish_at FROM rounds WHERE id = $1")
            .bind(round)
            .fetch_optional(&mut *tx)
            .await?;
        results_due = Some(due.ok_or_else(|| AppError::field(ErrCode::InvalidValue, "round_id"))?);
    }
    let defer_credit = !b.passed && b.credit_code.is_some() && results_due.is_some_and(|due| due > t);
    if let Some(c) = b.candidate_id {
        let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM candidates WHERE id = $1 AND round_id = $2")
            .bind(c)
            .bind(b.round_id)
            .fetch_optional(&mut *tx)
            .await?;
        ok.ok_or_else(|| AppError::field(ErrCode::InvalidValue, "candidate_id"))?;
    }
    let (business_id, name, district) = match &b.credit_code {
        Some(code) => {
            let row = sqlx::query("SELECT id, name, district FROM businesses WHERE credit_code = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::field(ErrCode::NotFound, "credit_code"))?;
            (Some(col::<i64>(&row, "id")?), col::<String>(&row, "name")?, col::<String>(&row, "district")?)
        }
        None => (None, b.business_name.clone(), b.district.clone()),
    };
    let row = sqlx::query(
        "INSERT INTO sampling_batches (round_id, candidate_id, food, food_category, place, business_id, \
         business_name, district, sampled_at, items, passed, failures, report, report_sha256, published_at, \
         published_by, credit_due) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         RETURNING id",
    )
    .bind(b.round_id)
    .bind(b.candidate_id)
    .bind(&b.food)
    .bind(&b.food_category)
    .bind(b.place.as_str())
    .bind(business_id)
    .bind(&name)
    .bind(&district)
    .bind(b.sampled_at)
    .bind(b.items.join("\n"))
    .bind(i64::from(b.passed))
    .bind(serde_json::to_string(&b.failures).map_err(AppError::internal)?)
    .bind(report.map(<[u8]>::to_vec))
    .bind(report.map(|r| hex::encode(Sha256::digest(r))))
    .bind(t)
    .bind(&actor.name)
    .bind(i64::from(defer_credit))
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = col(&row, "id")?;
    if !b.passed {
        // Followers of the district and of the food category hear of it once it is public: at once, or when its
        // round's results are (the dispatcher checks again when it comes due).
        let due: Option<i64> = match b.round_id {
            Some(r) => {
                sqlx::query_scalar("SELECT publish_at FROM rounds WHERE id = $1")
                    .bind(r)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let title = format!("{}：{} · {name}", T::FeedFailingBatch.get(Lang::Zh), b.food);
        let mut h =
            Happening::new(EntryKind::FailingBatch, id, title, format!("/results#batch-{id}"), due.unwrap_or(t).max(t));
        h.district = district.clone();
        h.district_only = "failing_batches";
        h.food_category = b.food_category.clone();
        crate::journal::record_in(&mut tx, &h, t).await?;
    }
    if let (false, Some(code), false) = (b.passed, &b.credit_code, defer_credit) {
        add_event_in(&mut tx, actor, &failure_event(id, code.clone(), &b.food, b.sampled_at, &b.failures), t).await?;
    }
    audit::record(&mut tx, actor, Entry::new(A::SamplingPublish).target(&format!("batch:{id}")).detail(&b.food))
        .await?;
    tx.commit().await?;
    store.announce(Change::Sampling);
    if !b.passed && b.credit_code.is_some() && !defer_credit {
        store.announce(Change::Registry);
    }
    Ok(id)
}

/// The credit event of a failing batch of a registry business.
fn failure_event(
    id: i64,
    credit_code: domain::credit::CreditCode,
    food: &str,
    sampled_at: i64,
    failures: &[FailingItem],
) -> EventInput {
    let items: Vec<&str> = failures.iter().map(|f| f.item.as_str()).collect();
    EventInput {
        credit_code,
        kind: EventKind::SamplingFailure,
        severity: Severity::General,
        occurred_at: sampled_at,
        source: format!("抽检批次 #{id}"),
        description: format!("{food} 不合格项目：{}", items.join("、")),
    }
}

/// Records the credit events of failing round batches whose round's results are now due (uploaded before the
/// round's `publish_at`, they waited with `credit_due = 1`). Each batch is taken by one guarded update, so
/// several instances running this at once record each event once. Returns how many were recorded.
pub async fn record_due_failures(store: &Store) -> Result<u64, AppError> {
    let t = now();
    let rows = sqlx::query(
        "SELECT s.id, s.food, s.sampled_at, s.failures, s.published_by, b.credit_code FROM sampling_batches s \
         JOIN businesses b ON b.id = s.business_id JOIN rounds r ON r.id = s.round_id \
         WHERE s.credit_due = 1 AND r.publish_at <= $1 ORDER BY s.id LIMIT 500",
    )
    .bind(t)
    .fetch_all(store.pool())
    .await?;
    let mut recorded = 0;
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let failures: Vec<FailingItem> =
            serde_json::from_str(&col::<String>(r, "failures")?).map_err(AppError::internal)?;
        let code = domain::credit::CreditCode::parse(&col::<String>(r, "credit_code")?)?;
        let event = failure_event(id, code, &col::<String>(r, "food")?, col(r, "sampled_at")?, &failures);
        let actor = Actor { id: None, name: col(r, "published_by")? };
        let mut tx = store.begin_write().await?;
        let taken = sqlx::query("UPDATE sampling_batches SET credit_due = 0 WHERE id = $1 AND credit_due = 1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken == 1 {
            add_event_in(&mut tx, &actor, &event, t).await?;
            tx.commit().await?;
            recorded += 1;
        }
    }
    if recorded > 0 {
        store.announce(Change::Registry);
    }
    Ok(recorded)
}

enum Bind {
    S(String),
    I(i64),
}

/// Published batches, newest first, filtered: only public ones (see [`public_at`]), each failing one with its
/// 核查处置 timeline.
pub async fn list(state: &AppState, q: &ResultsQuery) -> Result<Page<SamplingBatch>, AppError> {
    let store = &state.store;
    let mut wh = vec![public_at(1)];
    let mut binds: Vec<Bind> = vec![Bind::I(now())];
    let mut push = |cond: &str, v: Bind| {
        binds.push(v);
        wh.push(cond.replace('?', &format!("${}", binds.len())));
    };
    if let Some(f) = &q.food {
        // LIKE with the wildcards of the query escaped.
        let esc = f.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        push("s.food LIKE ? ESCAPE '\\'", Bind::S(format!("%{esc}%")));
    }
    if let Some(d) = &q.district {
        push("s.district = ?", Bind::S(d.clone()));
    }
    if let Some(p) = q.passed {
        push("s.passed = ?", Bind::I(i64::from(p)));
    }
    if let Some(r) = q.round_id {
        push("s.round_id = ?", Bind::I(r));
    }
    if let Some(c) = &q.credit_code {
        push("b.credit_code = ?", Bind::S(c.clone()));
    }
    let wh = wh.join(" AND ");
    let mut conn = store.pool().acquire().await?;
    let count_sql = format!("SELECT COUNT(*) {FROM} WHERE {wh}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        count = match b {
            Bind::S(v) => count.bind(v),
            Bind::I(v) => count.bind(v),
        };
    }
    let total = count.fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE {wh} ORDER BY s.sampled_at DESC, s.id DESC LIMIT {} OFFSET {}",
        q.per_page,
        (q.page - 1) * q.per_page
    );
    let mut rows = sqlx::query(&sql);
    for b in &binds {
        rows = match b {
            Bind::S(v) => rows.bind(v),
            Bind::I(v) => rows.bind(v),
        };
    }
    let mut items = rows.fetch_all(&mut *conn).await?.iter().map(batch).collect::<Result<Vec<_>, _>>()?;
    disposal::attach_in(&mut conn, &state.config.disposal, &mut items).await?;
    Ok(Page { items, total, page: q.page, per_page: q.per_page, total_is_lower_bound: false })
}

/// The batches of one round, in the order of its candidates, whether public yet or not (the round page shows them
/// to the public only once the round is published; staff see them at once), failing ones with their 核查处置.
pub async fn of_round(state: &AppState, round_id: i64) -> Result<Vec<SamplingBatch>, AppError> {
    let mut conn = state.store.pool().acquire().await?;
    let rows =
        sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE s.round_id = $1 ORDER BY s.candidate_id, s.id LIMIT 500"))
            .bind(round_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut items = rows.iter().map(batch).collect::<Result<Vec<_>, _>>()?;
    disposal::attach_in(&mut conn, &state.config.disposal, &mut items).await?;
    Ok(items)
}

/// One batch, whether public or not, with its 核查处置 (the staff page of a batch); `None` when unknown.
pub async fn staff_batch(state: &AppState, id: i64) -> Result<Option<SamplingBatch>, AppError> {
    let mut conn = state.store.pool().acquire().await?;
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE s.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let mut items = vec![batch(&row)?];
    disposal::attach_in(&mut conn, &state.config.disposal, &mut items).await?;
    Ok(items.pop())
}

/// A public batch's lab report (PDF bytes), if it has one (see [`public_at`]).
pub async fn report(store: &Store, id: i64) -> Result<Option<Vec<u8>>, AppError> {
    let r: Option<Option<Vec<u8>>> =
        sqlx::query_scalar(&format!("SELECT s.report FROM sampling_batches s WHERE s.id = $1 AND {}", public_at(2)))
            .bind(id)
            .bind(now())
            .fetch_optional(store.pool())
            .await?;
    Ok(r.flatten())
}
