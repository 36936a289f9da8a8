//! 核查处置: staff record the dated steps taken about a failing batch (audited, in the order
//! `domain::sampling::check_order` allows); the public reads them as a timeline with deadlines from the
//! configured limits (`Config::disposal`) and the holiday calendar, on every page that shows the batch.

use super::public_at;
use crate::cases::calendar;
use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::state::AppState;
use crate::store::{col, Change};
use domain::sampling::{
    check_order, timeline, Disposal, DisposalLimits, DisposalRecord, DisposalStep, Quantity, QuantityUnit,
    RetestResult, SamplingBatch, StepInput,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// 消费提示 linked from one batch's timeline, at most.
const MAX_ALERTS: usize = 5;

const STEP_COLUMNS: &str =
    "batch_id, kind, done_at, removed_milli, recalled_milli, unit, retest_result, decision_no, measures, note";

fn record(r: &AnyRow) -> Result<DisposalRecord, AppError> {
    let vocab = |what: &str, v: Option<String>| AppError::internal(format!("bad disposal {what} {v:?}"));
    let kind: String = col(r, "kind")?;
    let unit: Option<String> = col(r, "unit")?;
    let retest: Option<String> = col(r, "retest_result")?;
    Ok(DisposalRecord {
        kind: DisposalStep::parse(&kind).ok_or_else(|| vocab("kind", Some(kind.clone())))?,
        done_at: col(r, "done_at")?,
        removed: col::<Option<i64>>(r, "removed_milli")?.map(Quantity),
        recalled: col::<Option<i64>>(r, "recalled_milli")?.map(Quantity),
        unit: match &unit {
            Some(u) => Some(QuantityUnit::parse(u).ok_or_else(|| vocab("unit", unit.clone()))?),
            None => None,
        },
        retest_result: match &retest {
            Some(x) => Some(RetestResult::parse(x).ok_or_else(|| vocab("retest_result", retest.clone()))?),
            None => None,
        },
        decision_no: col(r, "decision_no")?,
        measures: col(r, "measures")?,
        note: col(r, "note")?,
    })
}

/// Records a step of a failing batch, with its audit entry, in one transaction. An unknown batch and a passing
/// one are 404 (a passing batch has no disposal record); a step out of order, dated before the batch was sampled
/// or in the future is refused naming `kind` or `done_on`, and a kind already recorded is 409 naming `kind`.
pub async fn add_step(state: &AppState, actor: &Actor, batch_id: i64, s: &StepInput) -> Result<(), AppError> {
    let store = &state.store;
    let t = now();
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(&format!(
        "SELECT passed, sampled_at FROM sampling_batches WHERE id = $1{}",
        store.dialect().lock_rows()
    ))
    .bind(batch_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(AppError::not_found)?;
    if col::<i64>(&row, "passed")? != 0 {
        return Err(AppError::not_found());
    }
    let done: Vec<(DisposalStep, i64)> =
        sqlx::query("SELECT kind, done_at FROM disposal_steps WHERE batch_id = $1 LIMIT 20")
            .bind(batch_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                let kind: String = col(r, "kind")?;
                let kind = DisposalStep::parse(&kind).ok_or_else(|| AppError::internal(format!("bad kind {kind}")))?;
                Ok((kind, col(r, "done_at")?))
            })
            .collect::<Result<_, AppError>>()?;
    check_order(&done, s.kind, s.done_at, col(&row, "sampled_at")?, t)?;
    sqlx::query(
        "INSERT INTO disposal_steps (batch_id, kind, done_at, removed_milli, recalled_milli, unit, retest_result, \
         decision_no, measures, note, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(batch_id)
    .bind(s.kind.as_str())
    .bind(s.done_at)
    .bind(s.removed.map(Quantity::milli))
    .bind(s.recalled.map(Quantity::milli))
    .bind(s.unit.map(QuantityUnit::as_str))
    .bind(s.retest_result.map(RetestResult::as_str))
    .bind(s.decision_no.as_deref())
    .bind(s.measures.as_deref())
    .bind(&s.note)
    .bind(&actor.name)
    .bind(t)
    .execute(&mut *tx)
    .await
    .map_err(|e| match AppError::from(e) {
        // Two staff recording the same step at once: the second meets the unique key.
        e if e.code == ErrCode::Conflict => AppError::field(ErrCode::Conflict, "kind"),
        e => e,
    })?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(A::DisposalStepAdd).target(&format!("batch:{batch_id}")).detail(s.kind.as_str()),
    )
    .await?;
    tx.commit().await?;
    store.announce(Change::Sampling);
    Ok(())
}

/// The disposal record of a public failing batch; `None` for an unknown, passing or not yet public batch.
pub async fn of_batch(state: &AppState, batch_id: i64) -> Result<Option<Disposal>, AppError> {
    let mut conn = state.store.pool().acquire().await?;
    let row = sqlx::query(&format!(
        "SELECT s.published_at FROM sampling_batches s WHERE s.id = $1 AND s.passed = 0 AND {}",
        public_at(2)
    ))
    .bind(batch_id)
    .bind(now())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let published_at: i64 = col(&row, "published_at")?;
    let mut d = load_in(&mut conn, &state.config.disposal, &[(batch_id, published_at)]).await?;
    Ok(d.pop().map(|(_, d)| d))
}

/// Fills in the `disposal` of the failing batches among `batches`, on the caller's connection.
pub(crate) async fn attach_in(
    conn: &mut AnyConnection,
    limits: &DisposalLimits,
    batches: &mut [SamplingBatch],
) -> Result<(), AppError> {
    let failing: Vec<(i64, i64)> = batches.iter().filter(|b| !b.passed).map(|b| (b.id, b.published_at)).collect();
    if failing.is_empty() {
        return Ok(());
    }
    for (id, d) in load_in(conn, limits, &failing).await? {
        if let Some(b) = batches.iter_mut().find(|b| b.id == id) {
            b.disposal = Some(d);
        }
    }
    Ok(())
}

/// The timelines of `batches` (id, the time the result was published), with their published 消费提示.
async fn load_in(
    conn: &mut AnyConnection,
    limits: &DisposalLimits,
    batches: &[(i64, i64)],
) -> Result<Vec<(i64, Disposal)>, AppError> {
    let t = now();
    let ids = (1..=batches.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT {STEP_COLUMNS} FROM disposal_steps WHERE batch_id IN ({ids}) ORDER BY done_at, id");
    let mut q = sqlx::query(&sql);
    for (id, _) in batches {
        q = q.bind(*id);
    }
    let steps: Vec<(i64, DisposalRecord)> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((col(r, "batch_id")?, record(r)?)))
        .collect::<Result<_, AppError>>()?;
    let n = batches.len() + 1;
    let sql = format!(
        "SELECT id, batch_id FROM news_articles WHERE batch_id IN ({ids}) AND published = 1 AND publish_at <= ${n} \
         ORDER BY publish_at DESC, id DESC"
    );
    let mut q = sqlx::query(&sql);
    for (id, _) in batches {
        q = q.bind(*id);
    }
    let alerts: Vec<(i64, i64)> = q
        .bind(t)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((col(r, "batch_id")?, col(r, "id")?)))
        .collect::<Result<_, AppError>>()?;
    let cal = calendar::load_in(conn).await?;
    Ok(batches
        .iter()
        .map(|&(id, published_at)| {
            let mine: Vec<DisposalRecord> = steps.iter().filter(|(b, _)| *b == id).map(|(_, s)| s.clone()).collect();
            let mut d = timeline(published_at, &mine, &cal, limits, t);
            // The newest few: a batch's card is no news list.
            d.alerts = alerts.iter().filter(|(b, _)| *b == id).map(|(_, a)| *a).take(MAX_ALERTS).collect();
            (id, d)
        })
        .collect())
}
