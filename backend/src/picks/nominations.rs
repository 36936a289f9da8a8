//! Nominations: citizens propose foods while a round takes nominations; staff approve (a new candidate),
//! merge into an existing candidate, or reject with a reason; the nominator sees the outcome on the round page.

use super::rounds::{insert_candidate, rules_in};
use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::picks::{CandidateInput, NominationDecision, NominationStatus, NominationView, Phase};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;

/// Nominations one voter may make in one round.
pub const MAX_PER_VOTER: i64 = 5;
/// Nominations per network prefix per day, besides the configurable per-network bound that every instance
/// shares (`PORTAL_BOUND_NOMINATIONS`): the stored rows are the record staff see.
pub const MAX_PER_PREFIX_PER_DAY: i64 = 200;

const INSERT: &str =
    "INSERT INTO nominations (round_id, food, category, reason, voter_hash, ip_prefix, status, created_at) \
     SELECT $1, $2, $3, $4, $5, $6, 'pending', $7 \
     WHERE (SELECT COUNT(*) FROM nominations WHERE round_id = $1 AND voter_hash = $5) < $8 \
     AND (SELECT COUNT(*) FROM nominations WHERE ip_prefix = $6 AND created_at > $7 - 86400) < $9 RETURNING id";

/// Files a citizen's nomination from `network`: spends the network's bound for the minute and the day (429 past
/// either), then [`submit`].
pub async fn submit_public(
    state: &crate::AppState,
    round_id: i64,
    voter_hash: &str,
    network: &str,
    c: &CandidateInput,
) -> Result<i64, AppError> {
    crate::abuse::spend_bound(&state.store, "nominations", Some(network), state.config.network_bounds.nominations)
        .await?;
    submit(&state.store, round_id, voter_hash, Some(network), c).await
}

/// Files a nomination. Refusals: unknown round 404; not taking nominations 409 (`phase_closed`); the voter's
/// cap 409 naming `food`; the network's cap 429.
pub async fn submit(
    store: &Store,
    round_id: i64,
    voter_hash: &str,
    ip_prefix: Option<&str>,
    c: &CandidateInput,
) -> Result<i64, AppError> {
    let t = now();
    let mut tx = store.begin_write().await?;
    // Serialise nominations per round so the caps below see every committed row.
    store.dialect().lock_row(&mut tx, "rounds", round_id).await?;
    if rules_in(&mut tx, round_id).await?.phase() != Phase::Nominating {
        return Err(AppError::field(ErrCode::PhaseClosed, "food"));
    }
    let row = sqlx::query(INSERT)
        .bind(round_id)
        .bind(&c.food)
        .bind(&c.category)
        .bind(&c.reason)
        .bind(voter_hash)
        .bind(ip_prefix.unwrap_or("-"))
        .bind(t)
        .bind(MAX_PER_VOTER)
        .bind(if ip_prefix.is_some() { MAX_PER_PREFIX_PER_DAY } else { i64::MAX })
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM nominations WHERE round_id = $1 AND voter_hash = $2")
            .bind(round_id)
            .bind(voter_hash)
            .fetch_one(&mut *tx)
            .await?;
        return Err(if mine >= MAX_PER_VOTER {
            AppError::field(ErrCode::Conflict, "food")
        } else {
            AppError::rate_limited(3600)
        });
    };
    let id: i64 = col(&row, "id")?;
    tx.commit().await?;
    Ok(id)
}

fn view(r: &AnyRow) -> Result<NominationView, AppError> {
    let status: String = col(r, "status")?;
    Ok(NominationView {
        id: col(r, "id")?,
        round_id: col(r, "round_id")?,
        food: col(r, "food")?,
        category: col(r, "category")?,
        reason: col(r, "reason")?,
        status: NominationStatus::parse(&status).ok_or_else(|| AppError::internal(format!("bad status {status}")))?,
        candidate_id: col(r, "candidate_id")?,
        decision_reason: col(r, "decision_reason")?,
        created_at: col(r, "created_at")?,
    })
}

const COLUMNS: &str = "id, round_id, food, category, reason, status, candidate_id, decision_reason, created_at";

/// One voter's nominations in a round, newest first.
pub async fn mine(store: &Store, round_id: i64, voter_hash: &str) -> Result<Vec<NominationView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM nominations WHERE round_id = $1 AND voter_hash = $2 ORDER BY id DESC LIMIT 20"
    ))
    .bind(round_id)
    .bind(voter_hash)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(view).collect()
}

/// The moderation queue, oldest first.
pub async fn pending(store: &Store, limit: i64) -> Result<Vec<NominationView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM nominations WHERE status = 'pending' ORDER BY created_at, id LIMIT $1"
    ))
    .bind(limit.clamp(1, 200))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(view).collect()
}

/// Decides a pending nomination. Approving makes it a candidate (a food already listed is a 409 naming
/// `food`: merge it instead); merging needs a candidate of the same round.
pub async fn decide(store: &Store, actor: &Actor, id: i64, d: &NominationDecision) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let lock = store.dialect().lock_rows();
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM nominations WHERE id = $1 AND status = 'pending'{lock}"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let n = view(&row)?;
    let (status, candidate_id, reason) = match d {
        NominationDecision::Approve => {
            let c = CandidateInput { food: n.food.clone(), category: n.category.clone(), reason: n.reason.clone() };
            (NominationStatus::Approved, Some(insert_candidate(&mut tx, n.round_id, &c).await?), None)
        }
        NominationDecision::Merge(cid) => {
            let same_round: Option<i64> =
                sqlx::query_scalar("SELECT id FROM candidates WHERE id = $1 AND round_id = $2")
                    .bind(cid)
                    .bind(n.round_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let cid = same_round.ok_or_else(|| AppError::field(ErrCode::InvalidValue, "candidate_id"))?;
            (NominationStatus::Merged, Some(cid), None)
        }
        NominationDecision::Reject(reason) => (NominationStatus::Rejected, None, Some(reason.clone())),
    };
    sqlx::query(
        "UPDATE nominations SET status = $1, candidate_id = $2, decision_reason = $3, decided_at = $4, decided_by = $5 \
         WHERE id = $6",
    )
    .bind(status.as_str())
    .bind(candidate_id)
    .bind(reason)
    .bind(now())
    .bind(&actor.name)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let target = format!("nomination:{id}");
    let action = match status {
        NominationStatus::Approved => A::NominationApproved,
        NominationStatus::Merged => A::NominationMerged,
        NominationStatus::Pending | NominationStatus::Rejected => A::NominationRejected,
    };
    audit::record(&mut tx, actor, Entry::new(action).target(&target).detail(&n.food)).await?;
    tx.commit().await?;
    store.announce(Change::Picks);
    Ok(())
}
