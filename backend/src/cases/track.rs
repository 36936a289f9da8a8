//! What the reporter sees with the tracking number and the access code: the public timeline, the deadline of
//! the current stage, and the reward. An unknown number and a wrong code get the same answer.

use super::calendar;
use super::intake::access_hash;
use crate::clock::now;
use crate::store::col;
use crate::AppState;
use domain::cases::{
    case_deadline, CaseKind, CaseState, CaseTrack, RejectReason, RewardLevel, RewardStatus, RewardView, TimelineEntry,
};
use domain::AppError;
use sqlx::any::AnyRow;

pub(crate) fn reward_of(r: &AnyRow) -> Result<Option<RewardView>, AppError> {
    let status: Option<String> = col(r, "reward_status")?;
    let Some(status) = status.as_deref().and_then(RewardStatus::parse) else { return Ok(None) };
    Ok(Some(RewardView {
        status,
        level: col::<Option<String>>(r, "reward_level")?.as_deref().and_then(RewardLevel::parse),
        base_amount: col(r, "base_amount")?,
        amount: col(r, "reward_amount")?,
        claim_by: col(r, "claim_by")?,
    }))
}

pub(crate) fn parse_state(s: &str) -> Result<CaseState, AppError> {
    CaseState::parse(s).ok_or_else(|| AppError::internal(format!("bad case state {s}")))
}

pub(crate) fn parse_kind(s: &str) -> Result<CaseKind, AppError> {
    CaseKind::parse(s).ok_or_else(|| AppError::internal(format!("bad case kind {s}")))
}

/// The case behind `tracking_no` when `code` is its access code; otherwise 404, whichever was wrong.
pub async fn track(state: &AppState, tracking_no: &str, code: &str) -> Result<CaseTrack, AppError> {
    let no = tracking_no.trim().to_ascii_uppercase();
    if no.len() > 40 || code.len() > 40 {
        return Err(AppError::not_found());
    }
    let mut conn = state.store.pool().acquire().await?;
    let row = sqlx::query(
        "SELECT id, tracking_no, access_hash, kind, category, business_name, state, state_since, reject_reason, \
         created_at, accepted_at, decided_at, reopened_at, reward_status, reward_level, base_amount, reward_amount, claim_by, \
         (SELECT COUNT(*) FROM case_photos p WHERE p.case_id = cases.id) AS photos FROM cases WHERE tracking_no = $1",
    )
    .bind(&no)
    .fetch_optional(&mut *conn)
    .await?;
    let expected = access_hash(state.config.secret_key.expose(), &no, code);
    let Some(row) = row.filter(|r| col::<String>(r, "access_hash").is_ok_and(|h| h == expected)) else {
        return Err(AppError::not_found());
    };
    let id: i64 = col(&row, "id")?;
    let kind = parse_kind(&col::<String>(&row, "kind")?)?;
    let st = parse_state(&col::<String>(&row, "state")?)?;
    let filed_at: i64 = col(&row, "created_at")?;
    let cal = calendar::load_in(&mut conn).await?;
    let due = case_deadline(&cal, kind, st, filed_at, col(&row, "accepted_at")?, col(&row, "reopened_at")?);
    let rating = super::satisfaction::state_of(&row, super::satisfaction::ratings_in(&mut conn, id).await?, now())?;
    let events = sqlx::query("SELECT at, state, message, kind FROM case_events WHERE case_id = $1 ORDER BY at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let timeline = events
        .iter()
        .map(|e| {
            Ok(TimelineEntry {
                at: col(e, "at")?,
                state: parse_state(&col::<String>(e, "state")?)?,
                message: col(e, "message")?,
                reopened: col::<String>(e, "kind")? == "reopened",
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(CaseTrack {
        tracking_no: no,
        kind,
        category: col(&row, "category")?,
        business_name: col(&row, "business_name")?,
        state: st,
        filed_at,
        deadline: due,
        overdue: due.is_some_and(|d| now() > d),
        reject_reason: col::<Option<String>>(&row, "reject_reason")?.as_deref().and_then(RejectReason::parse),
        timeline,
        reward: if kind == CaseKind::Report { reward_of(&row)? } else { None },
        photos: col(&row, "photos")?,
        rating,
    })
}
