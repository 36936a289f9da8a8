//! 满意度评价 · 回访: rating a decided case (the reporter with the access code, or staff after a phone call for a
//! case that did not come in on the web), the one reopening a 不满意 with a reason earns, the invitation by SMS,
//! and the satisfaction figures of `/stats`. Each rating is one write transaction: the rating, and with a
//! reopening the case's move back into the queue and its timeline line, or nothing.

use super::intake::access_hash;
use super::track::parse_state;
use crate::clock::now;
use crate::sealed;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::cases::{
    check_rateable, check_reopenable, rate_until, round_of, staff_may_record, CaseState, Channel, Rating, RatingFields,
    RatingState, RatingView, Satisfaction, SatisfactionFigure, SatisfactionStats,
};
use domain::credit::District;
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// The ratings of a case, oldest first.
pub(crate) async fn ratings_in(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<RatingView>, AppError> {
    sqlx::query(
        "SELECT round, level, comment, recorded_by, reopened, rated_at FROM case_ratings WHERE case_id = $1 \
         ORDER BY round",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let level: String = col(r, "level")?;
        Ok(RatingView {
            round: col(r, "round")?,
            level: Satisfaction::parse(&level).ok_or_else(|| AppError::internal(format!("bad level {level}")))?,
            comment: col(r, "comment")?,
            by_phone: col::<Option<String>>(r, "recorded_by")?.is_some(),
            reopened: col::<i64>(r, "reopened")? != 0,
            rated_at: col(r, "rated_at")?,
        })
    })
    .collect()
}

/// Where a case stands for rating, from its row (`state`, `decided_at`, `reopened_at`) and its ratings.
pub(crate) fn state_of(row: &AnyRow, ratings: Vec<RatingView>, t: i64) -> Result<RatingState, AppError> {
    let st = parse_state(&col::<String>(row, "state")?)?;
    let decided_at: Option<i64> = col(row, "decided_at")?;
    let reopened_at: Option<i64> = col(row, "reopened_at")?;
    let round = round_of(reopened_at);
    let rated = ratings.iter().any(|r| r.round == round);
    let can_rate = check_rateable(st, decided_at, rated, t).is_ok();
    Ok(RatingState {
        can_rate,
        rate_until: decided_at.filter(|_| can_rate).map(rate_until),
        can_reopen: can_rate && reopened_at.is_none(),
        reopened_at,
        ratings,
    })
}

const CASE_ROW: &str =
    "SELECT id, tracking_no, access_hash, kind, channel, state, accepted_at, decided_at, reopened_at \
     FROM cases";

/// The reporter rates the case behind `tracking_no` with its access code (an unknown number and a wrong code
/// answer the same 404). Bounded per network per minute and per day before the case is looked at, so the bound
/// also slows the guessing of codes. Answers the case's rating state after the rating.
pub async fn rate(
    state: &AppState,
    network: &str,
    tracking_no: &str,
    code: &str,
    fields: &RatingFields,
) -> Result<RatingState, AppError> {
    let rating = fields.parse()?;
    crate::abuse::spend_bound(&state.store, "ratings", Some(network), state.config.network_bounds.ratings).await?;
    rate_checked(state, tracking_no, code, &rating).await
}

/// [`rate`] once its fields are checked and its network's bound spent (the demo data rates without a network).
pub(crate) async fn rate_checked(
    state: &AppState,
    tracking_no: &str,
    code: &str,
    rating: &Rating,
) -> Result<RatingState, AppError> {
    let no = tracking_no.trim().to_ascii_uppercase();
    if no.len() > 40 || code.len() > 40 {
        return Err(AppError::not_found());
    }
    let store = &state.store;
    let mut tx = store.begin_write().await?;
    let lock = store.dialect().lock_rows();
    let row =
        sqlx::query(&format!("{CASE_ROW} WHERE tracking_no = $1{lock}")).bind(&no).fetch_optional(&mut *tx).await?;
    let expected = access_hash(state.config.secret_key.expose(), &no, code.trim());
    let Some(row) = row.filter(|r| col::<String>(r, "access_hash").is_ok_and(|h| h == expected)) else {
        return Err(AppError::not_found());
    };
    let id: i64 = col(&row, "id")?;
    record_in(&mut tx, &row, rating, None).await?;
    let ratings = ratings_in(&mut tx, id).await?;
    let after = sqlx::query(&format!("{CASE_ROW} WHERE id = $1")).bind(id).fetch_one(&mut *tx).await?;
    let answer = state_of(&after, ratings, now())?;
    tx.commit().await?;
    store.announce(Change::Cases);
    Ok(answer)
}

/// Staff record the rating a reporter gave on the phone (回访) for a case that did not come in on the web
/// (`channel` 409 otherwise: a web reporter rates with the access code). Audited.
pub async fn record_callback(
    state: &AppState,
    actor: &Actor,
    case_id: i64,
    fields: &RatingFields,
) -> Result<RatingState, AppError> {
    let rating = fields.parse()?;
    let store = &state.store;
    let mut tx = store.begin_write().await?;
    let lock = store.dialect().lock_rows();
    let row = sqlx::query(&format!("{CASE_ROW} WHERE id = $1{lock}"))
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let channel: String = col(&row, "channel")?;
    if !Channel::parse(&channel).is_some_and(staff_may_record) {
        return Err(AppError::field(ErrCode::Conflict, "channel"));
    }
    record_in(&mut tx, &row, &rating, Some(actor)).await?;
    let tracking: String = col(&row, "tracking_no")?;
    let target = format!("case:{tracking}");
    let entry = Entry::new(A::CaseCallback).target(&target).detail(rating.level.as_str());
    audit::record(&mut tx, actor, entry).await?;
    let ratings = ratings_in(&mut tx, case_id).await?;
    let after = sqlx::query(&format!("{CASE_ROW} WHERE id = $1")).bind(case_id).fetch_one(&mut *tx).await?;
    let answer = state_of(&after, ratings, now())?;
    tx.commit().await?;
    store.announce(Change::Cases);
    Ok(answer)
}

/// Records a rating of the case `row` (read under a row lock) in `tx`: refused, naming the field and storing
/// nothing, when the case is undecided, already rated this round, past its 30 days (`level`) or reopened
/// already (`reopen`). A reopening moves the case back to investigation (to acceptance if it was never accepted)
/// with a clock of its own and a line on its public timeline.
async fn record_in(
    tx: &mut AnyConnection,
    row: &AnyRow,
    rating: &Rating,
    staff: Option<&Actor>,
) -> Result<(), AppError> {
    let id: i64 = col(row, "id")?;
    let st = parse_state(&col::<String>(row, "state")?)?;
    let decided_at: Option<i64> = col(row, "decided_at")?;
    let reopened_at: Option<i64> = col(row, "reopened_at")?;
    let round = round_of(reopened_at);
    let rated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_ratings WHERE case_id = $1 AND round = $2")
        .bind(id)
        .bind(round)
        .fetch_one(&mut *tx)
        .await?;
    let t = now();
    check_rateable(st, decided_at, rated > 0, t)?;
    if rating.reopen {
        check_reopenable(reopened_at)?;
    }
    sqlx::query(
        "INSERT INTO case_ratings (case_id, round, level, comment, recorded_by, reopened, rated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(round)
    .bind(rating.level.as_str())
    .bind(&rating.comment)
    .bind(staff.map(|a| a.name.clone()))
    .bind(i64::from(rating.reopen))
    .bind(t)
    .execute(&mut *tx)
    .await?;
    if rating.reopen {
        let accepted: Option<i64> = col(row, "accepted_at")?;
        let back = if accepted.is_some() { CaseState::Investigating } else { CaseState::Submitted };
        sqlx::query(
            "UPDATE cases SET state = $1, state_since = $2, updated_at = $2, reopened_at = $2, decided_at = NULL \
             WHERE id = $3",
        )
        .bind(back.as_str())
        .bind(t)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_events (case_id, at, state, actor, note, message, kind) \
             VALUES ($1, $2, $3, $4, $5, '', 'reopened')",
        )
        .bind(id)
        .bind(t)
        .bind(back.as_str())
        .bind(staff.map_or("reporter".to_owned(), |a| a.name.clone()))
        .bind(&rating.comment)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Queues the invitation to rate, by SMS, to a reporter who left a phone, when a case is decided (once per
/// round: the idempotency key names it).
pub(crate) async fn invite_in(
    tx: &mut AnyConnection,
    state: &AppState,
    tracking: &str,
    sealed_contact: &[u8],
    round: i64,
    decided_at: i64,
) -> Result<(), AppError> {
    if state.config.sms_url.is_none() {
        return Ok(());
    }
    let plain = sealed::open(
        state.config.secret_key.expose(),
        "reporter",
        &super::intake::case_place(tracking),
        sealed_contact,
    )?;
    let contact: serde_json::Value = serde_json::from_slice(&plain).map_err(AppError::internal)?;
    let until = domain::clock::format_date(rate_until(decided_at));
    let link = state.config.public_url.as_deref().map(|u| format!(" {u}/track")).unwrap_or_default();
    let text =
        format!("【食安绵阳】您的投诉举报 {tracking} 已办结，请于 {until} 前凭受理编号和查询码评价办理结果{link}");
    let payload = serde_json::json!({ "phone": contact["phone"], "message": text });
    crate::outbox::enqueue_in(tx, state, "sms", &format!("case-rate:{tracking}:{round}"), &payload).await
}

/// Whether a move to `to` from a case whose `decided_at` is as given decides it (starts a rating window).
pub(crate) fn decides(to: CaseState, decided_at: Option<i64>) -> bool {
    matches!(to, CaseState::Substantiated | CaseState::Unsubstantiated)
        || (to == CaseState::Closed && decided_at.is_none())
}

/// The satisfaction figures: every rating (both rounds, online and by phone) by level, overall, by the district
/// of the business a case names and by channel; and the share of decided cases that were reopened.
pub async fn figures_of(store: &Store) -> Result<SatisfactionStats, AppError> {
    let mut conn = store.pool().acquire().await?;
    figures_in(&mut conn).await
}

/// [`figures_of`] on a connection the caller holds (the statistics count everything on one).
pub async fn figures_in(conn: &mut AnyConnection) -> Result<SatisfactionStats, AppError> {
    let rows = sqlx::query(
        "SELECT r.level AS level, c.channel AS channel, b.district AS district, COUNT(*) AS n FROM case_ratings r \
         JOIN cases c ON c.id = r.case_id LEFT JOIN businesses b ON b.id = c.business_id \
         GROUP BY r.level, c.channel, b.district",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut s = SatisfactionStats::default();
    let group = |list: &mut Vec<SatisfactionFigure>, name: &str| -> usize {
        match list.iter().position(|f| f.group == name) {
            Some(i) => i,
            None => {
                list.push(SatisfactionFigure { group: name.to_owned(), ..Default::default() });
                list.len() - 1
            }
        }
    };
    for d in District::ALL {
        group(&mut s.by_district, d.as_str());
    }
    for c in Channel::ALL {
        group(&mut s.by_channel, c.as_str());
    }
    for r in &rows {
        let (level, channel, district, n): (String, String, Option<String>, i64) =
            (col(r, "level")?, col(r, "channel")?, col(r, "district")?, col(r, "n")?);
        let Some(level) = Satisfaction::parse(&level) else { continue };
        s.overall.add(level, n);
        let i = group(&mut s.by_channel, &channel);
        s.by_channel[i].add(level, n);
        if let Some(d) = district {
            let i = group(&mut s.by_district, &d);
            s.by_district[i].add(level, n);
        }
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS decided, CAST(COALESCE(SUM(CASE WHEN reopened_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) \
         AS reopened \
         FROM cases WHERE decision IS NOT NULL OR decided_at IS NOT NULL OR reopened_at IS NOT NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    s.decided_cases = col(&row, "decided")?;
    s.reopened_cases = col(&row, "reopened")?;
    s.reopened_share = domain::cases::percent(s.reopened_cases, s.decided_cases);
    Ok(s)
}
