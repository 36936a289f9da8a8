//! Staff handling: the queue (by state, overdue first), a case's detail, moving it through the state machine
//! with an internal note and a public message, assignment, rewards, the holiday-aware clocks, and revealing
//! the reporter's contact (audited, every time). A substantiated 举报 against a registry business records a
//! credit event in the same transaction.

use super::calendar;
use super::track::{parse_kind, parse_state, reward_of};
use crate::clock::now;
use crate::credit::events::add_event_in;
use crate::sealed;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::cases::{
    case_deadline, reward_amount, staff_may_record, CaseDetail, CaseEvent, CaseKind, CaseState, CaseSummary, Channel,
    Contact, PhotoView, RejectReason, RewardLevel, RewardStatus, WorkCalendar,
};
use domain::credit::{CreditCode, EventInput, EventKind, Severity};
use domain::staff::AuditAction as A;
use domain::text::TextRule;
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;

const SUMMARY: &str = "c.id, c.tracking_no, c.kind, c.channel, c.category, c.business_name, b.credit_code, c.state, \
     c.state_since, c.created_at, c.accepted_at, c.reopened_at, c.decided_at, c.assigned_to, CASE WHEN c.reporter_sealed IS NULL THEN 1 ELSE 0 END AS anonymous";
const FROM: &str = "FROM cases c LEFT JOIN businesses b ON b.id = c.business_id";
/// When the clock of a case's stage began (`domain::cases::stage_start` in SQL, and a reopened case's own clock),
/// for the queue's order.
const CLOCK: &str =
    "CASE WHEN c.reopened_at IS NOT NULL THEN c.reopened_at WHEN c.state = 'submitted' THEN c.created_at \
     ELSE COALESCE(c.accepted_at, c.created_at) END";

fn summary(r: &AnyRow, cal: &WorkCalendar, t: i64) -> Result<CaseSummary, AppError> {
    let kind = parse_kind(&col::<String>(r, "kind")?)?;
    let state = parse_state(&col::<String>(r, "state")?)?;
    let channel: String = col(r, "channel")?;
    let filed_at: i64 = col(r, "created_at")?;
    let reopened_at: Option<i64> = col(r, "reopened_at")?;
    let due = case_deadline(cal, kind, state, filed_at, col(r, "accepted_at")?, reopened_at);
    Ok(CaseSummary {
        id: col(r, "id")?,
        tracking_no: col(r, "tracking_no")?,
        kind,
        channel: Channel::parse(&channel).ok_or_else(|| AppError::internal(format!("bad channel {channel}")))?,
        category: col(r, "category")?,
        business_name: col(r, "business_name")?,
        credit_code: col(r, "credit_code")?,
        state,
        filed_at,
        deadline: due,
        overdue: due.is_some_and(|d| t > d),
        assigned_to: col(r, "assigned_to")?,
        anonymous: col::<i64>(r, "anonymous")? != 0,
        reopened: reopened_at.is_some() && state.is_open(),
    })
}

/// How the queue is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// Overdue first, then by deadline: what to handle next.
    Deadline,
    /// The newest first: what has just come in, however many older cases wait.
    Newest,
}

/// The queue: open cases (or those in `state`), at most 200. It is read from both ends — the oldest clocks
/// (every overdue case is among them) and the newest cases — so a flood of submissions can neither hide the
/// overdue ones nor push a new one out of sight: `Newest` shows the latest 200 whatever waits behind them.
pub async fn queue(
    store: &Store,
    state: Option<CaseState>,
    overdue_only: bool,
    order: QueueOrder,
) -> Result<Vec<CaseSummary>, AppError> {
    let mut conn = store.pool().acquire().await?;
    let cal = calendar::load_in(&mut conn).await?;
    let filter = match state {
        Some(_) => "c.state = $1",
        None => "c.state IN ('submitted', 'accepted', 'investigating') AND $1 = $1",
    };
    let bind = state.map_or("", CaseState::as_str);
    let mut rows = sqlx::query(&format!("SELECT {SUMMARY} {FROM} WHERE {filter} ORDER BY {CLOCK}, c.id LIMIT 1000"))
        .bind(bind)
        .fetch_all(&mut *conn)
        .await?;
    rows.extend(
        sqlx::query(&format!("SELECT {SUMMARY} {FROM} WHERE {filter} ORDER BY c.id DESC LIMIT 1000"))
            .bind(bind)
            .fetch_all(&mut *conn)
            .await?,
    );
    let t = now();
    let mut cases = rows.iter().map(|r| summary(r, &cal, t)).collect::<Result<Vec<_>, _>>()?;
    cases.sort_by_key(|c| c.id);
    cases.dedup_by_key(|c| c.id);
    if overdue_only {
        cases.retain(|c| c.overdue);
    }
    match order {
        QueueOrder::Deadline => cases.sort_by_key(|c| (!c.overdue, c.deadline.unwrap_or(i64::MAX), c.id)),
        QueueOrder::Newest => cases.sort_by_key(|c| std::cmp::Reverse(c.id)),
    }
    cases.truncate(200);
    Ok(cases)
}

/// How many open cases are overdue (the staff home page).
pub async fn overdue_count(store: &Store) -> Result<usize, AppError> {
    Ok(queue(store, None, true, QueueOrder::Deadline).await?.len())
}

/// How many open cases name this registry business (the duplicate hint before filing).
pub async fn open_against(store: &Store, code: &CreditCode) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c JOIN businesses b ON b.id = c.business_id \
         WHERE b.credit_code = $1 AND c.state IN ('submitted', 'accepted', 'investigating')",
    )
    .bind(code.as_str())
    .fetch_one(store.pool())
    .await?)
}

/// One case as staff see it (never the contact).
pub async fn detail(store: &Store, id: i64) -> Result<CaseDetail, AppError> {
    let mut conn = store.pool().acquire().await?;
    let cal = calendar::load_in(&mut conn).await?;
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY}, c.description, c.occurred_at, c.place, c.reject_reason, c.business_id, \
         (SELECT d.tracking_no FROM cases d WHERE d.id = c.duplicate_of) AS duplicate_of, \
         c.reward_status, c.reward_level, c.base_amount, c.reward_amount, c.claim_by {FROM} WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(AppError::not_found)?;
    let s = summary(&row, &cal, now())?;
    let photos = sqlx::query("SELECT id, width, height, sha256 FROM case_photos WHERE case_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|p| {
            Ok(PhotoView {
                id: col(p, "id")?,
                width: col(p, "width")?,
                height: col(p, "height")?,
                sha256: col(p, "sha256")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let events =
        sqlx::query("SELECT at, state, actor, note, message, kind FROM case_events WHERE case_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|e| {
                Ok(CaseEvent {
                    at: col(e, "at")?,
                    state: parse_state(&col::<String>(e, "state")?)?,
                    actor: col(e, "actor")?,
                    note: col(e, "note")?,
                    message: col(e, "message")?,
                    reopened: col::<String>(e, "kind")? == "reopened",
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
    // The duplicate hint: other open cases against the same business.
    let business: Option<i64> = col(&row, "business_id")?;
    let similar = sqlx::query(
        "SELECT tracking_no FROM cases WHERE id <> $1 AND state IN ('submitted', 'accepted', 'investigating') \
         AND ((business_id IS NOT NULL AND business_id = $2) OR business_name = $3) ORDER BY id LIMIT 10",
    )
    .bind(id)
    .bind(business)
    .bind(&s.business_name)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| col(r, "tracking_no"))
    .collect::<Result<Vec<String>, _>>()?;
    let rating = super::satisfaction::state_of(&row, super::satisfaction::ratings_in(&mut conn, id).await?, now())?;
    let callback_due = rating.can_rate && staff_may_record(s.channel);
    Ok(CaseDetail {
        callback_due,
        rating,
        summary: s,
        description: col(&row, "description")?,
        occurred_at: col(&row, "occurred_at")?,
        place: col(&row, "place")?,
        reject_reason: col::<Option<String>>(&row, "reject_reason")?.as_deref().and_then(RejectReason::parse),
        duplicate_of: col(&row, "duplicate_of")?,
        photos,
        events,
        reward: reward_of(&row)?,
        similar,
    })
}

/// A staff decision on a case.
#[derive(Clone, Debug, Default)]
pub struct Transition {
    pub to: Option<CaseState>,
    pub reject_reason: Option<RejectReason>,
    /// For a duplicate: the tracking number of the original.
    pub duplicate_of: Option<String>,
    pub note: String,
    pub message: String,
    /// Send nothing out (no webhook, no SMS): the demo data, whose phone numbers are made up.
    pub quiet: bool,
}

/// Moves a case to `to` (checked against the state machine), with an internal note and a public message.
pub async fn transition(state: &AppState, actor: &Actor, id: i64, tr: &Transition) -> Result<(), AppError> {
    let store = &state.store;
    let to = tr.to.ok_or_else(|| AppError::field(ErrCode::Required, "to"))?;
    let note = TextRule::optional(2000).multiline().check("note", &tr.note)?;
    let message = TextRule::optional(1000).multiline().check("message", &tr.message)?;
    let t = now();
    let mut tx = store.begin_write().await?;
    let lock = store.dialect().lock_rows();
    let row = sqlx::query(&format!(
        "SELECT state, kind, business_id, tracking_no, category, business_name, reporter_sealed, decided_at, \
         reopened_at FROM cases WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(AppError::not_found)?;
    let from = parse_state(&col::<String>(&row, "state")?)?;
    if !from.can_move_to(to) {
        return Err(AppError::field(ErrCode::Conflict, "to"));
    }
    let mut duplicate_of: Option<i64> = None;
    if to == CaseState::Rejected {
        let reason = tr.reject_reason.ok_or_else(|| AppError::field(ErrCode::Required, "reject_reason"))?;
        if reason == RejectReason::Duplicate {
            let original = tr.duplicate_of.as_deref().unwrap_or("").trim().to_ascii_uppercase();
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1 AND id <> $2")
                .bind(&original)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            duplicate_of = Some(found.ok_or_else(|| AppError::field(ErrCode::InvalidValue, "duplicate_of"))?);
        }
    }
    let kind = parse_kind(&col::<String>(&row, "kind")?)?;
    // A substantiated 举报 becomes eligible for a reward (staff may still rule the reporter out).
    let reward =
        (to == CaseState::Substantiated && kind == CaseKind::Report).then_some(RewardStatus::Eligible.as_str());
    // A decision on the merits (or the closing of a case never decided) starts its 30 days of rating.
    let decided_before: Option<i64> = col(&row, "decided_at")?;
    let decides = super::satisfaction::decides(to, decided_before);
    let decision = matches!(to, CaseState::Substantiated | CaseState::Unsubstantiated).then_some(to.as_str());
    sqlx::query(
        "UPDATE cases SET state = $1, state_since = $2, updated_at = $2, \
         reject_reason = COALESCE($3, reject_reason), duplicate_of = COALESCE($4, duplicate_of), \
         reward_status = COALESCE($5, reward_status), accepted_at = COALESCE($7, accepted_at), \
         decided_at = CASE WHEN $8 = 1 THEN $2 ELSE decided_at END, decision = COALESCE($9, decision) WHERE id = $6",
    )
    .bind(to.as_str())
    .bind(t)
    .bind(tr.reject_reason.filter(|_| to == CaseState::Rejected).map(|r| r.as_str()))
    .bind(duplicate_of)
    .bind(reward)
    .bind(id)
    // The decision and mediation clocks run from acceptance, whatever moves follow.
    .bind((to == CaseState::Accepted).then_some(t))
    .bind(i64::from(decides))
    .bind(decision)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO case_events (case_id, at, state, actor, note, message) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(t)
        .bind(to.as_str())
        .bind(&actor.name)
        .bind(&note)
        .bind(&message)
        .execute(&mut *tx)
        .await?;
    let tracking: String = col(&row, "tracking_no")?;
    let business: Option<i64> = col(&row, "business_id")?;
    let mut registry_changed = false;
    // A reopened 举报 substantiated again records no second event: its first decision did.
    let source = format!("举报 {tracking}");
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credit_events WHERE source = $1")
        .bind(&source)
        .fetch_one(&mut *tx)
        .await?;
    if let (CaseState::Substantiated, CaseKind::Report, Some(b), 0) = (to, kind, business, recorded) {
        let code: String =
            sqlx::query_scalar("SELECT credit_code FROM businesses WHERE id = $1").bind(b).fetch_one(&mut *tx).await?;
        let category: String = col(&row, "category")?;
        let event = EventInput {
            credit_code: CreditCode::parse(&code)?,
            kind: EventKind::SubstantiatedReport,
            severity: Severity::General,
            occurred_at: t,
            source,
            description: format!("举报查证属实：{category}"),
        };
        add_event_in(&mut tx, actor, &event, t).await?;
        registry_changed = true;
    }
    audit::record(&mut tx, actor, Entry::new(A::case_moved(to)).target(&format!("case:{tracking}"))).await?;
    if !tr.quiet {
        notify_in(&mut tx, state, &row, to, &message, t).await?;
        let sealed_contact: Option<Vec<u8>> = col(&row, "reporter_sealed")?;
        if let (true, Some(c)) = (decides, sealed_contact) {
            let round = domain::cases::round_of(col(&row, "reopened_at")?);
            super::satisfaction::invite_in(&mut tx, state, &tracking, &c, round, t).await?;
        }
    }
    tx.commit().await?;
    if registry_changed {
        store.announce(Change::Registry);
    }
    if decides {
        store.announce(Change::Cases);
    }
    Ok(())
}

/// Queues, with the transition, what it sends out: an accepted case forwarded to the webhook (no reporter data),
/// and the public message by SMS to a reporter who gave a phone.
async fn notify_in(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    row: &AnyRow,
    to: CaseState,
    message: &str,
    t: i64,
) -> Result<(), AppError> {
    let tracking: String = col(row, "tracking_no")?;
    if to == CaseState::Accepted && state.config.webhook_url.is_some() {
        let business: Option<i64> = col(row, "business_id")?;
        let code: Option<String> = match business {
            Some(b) => {
                sqlx::query_scalar("SELECT credit_code FROM businesses WHERE id = $1")
                    .bind(b)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let payload = serde_json::json!({
            "event": "case.accepted",
            "tracking_no": tracking,
            "kind": col::<String>(row, "kind")?,
            "category": col::<String>(row, "category")?,
            "business_name": col::<String>(row, "business_name")?,
            "credit_code": code,
            "accepted_at": t,
        });
        crate::outbox::enqueue_in(tx, state, "webhook", &format!("case-accepted:{tracking}"), &payload).await?;
    }
    let sealed_contact: Option<Vec<u8>> = col(row, "reporter_sealed")?;
    if let (Some(s), Some(_), false) = (sealed_contact, &state.config.sms_url, message.is_empty()) {
        let plain =
            sealed::open(state.config.secret_key.expose(), "reporter", &super::intake::case_place(&tracking), &s)?;
        let contact: serde_json::Value = serde_json::from_slice(&plain).map_err(AppError::internal)?;
        let text = format!("【食安绵阳】您的投诉举报 {tracking} 有新进展：{message}");
        let payload = serde_json::json!({ "phone": contact["phone"], "message": text });
        // After a reopening the same state may be reached again: its message is a new one.
        let round = if col::<Option<i64>>(row, "reopened_at")?.is_some() { ":2" } else { "" };
        let key = format!("case-sms:{tracking}:{}{round}", to.as_str());
        crate::outbox::enqueue_in(tx, state, "sms", &key, &payload).await?;
    }
    Ok(())
}

/// Assigns a case to a staff member (or nobody).
pub async fn assign(store: &Store, actor: &Actor, id: i64, to: &str) -> Result<(), AppError> {
    let to = TextRule::optional(40).check("assigned_to", to)?;
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("UPDATE cases SET assigned_to = $1, updated_at = $2 WHERE id = $3")
        .bind((!to.is_empty()).then_some(to.clone()))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done == 0 {
        return Err(AppError::not_found());
    }
    audit::record(&mut tx, actor, Entry::new(A::CaseAssign).target(&format!("case:{id}")).detail(&to)).await?;
    tx.commit().await?;
    Ok(())
}

/// Days a notified reporter has to claim a reward.
pub const CLAIM_DAYS: i64 = 90;

/// Sets a reward's level and base (approving it), or moves it on (notified, paid) or rules the reporter out.
pub async fn reward(
    store: &Store,
    actor: &Actor,
    id: i64,
    to: RewardStatus,
    level: Option<RewardLevel>,
    base: Option<i64>,
) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query("SELECT reward_status, tracking_no FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let from = col::<Option<String>>(&row, "reward_status")?.as_deref().and_then(RewardStatus::parse);
    let from = from.ok_or_else(|| AppError::field(ErrCode::Conflict, "reward_status"))?;
    if !from.can_move_to(to) {
        return Err(AppError::field(ErrCode::Conflict, "reward_status"));
    }
    let t = now();
    let (level_s, base_v, amount, claim_by) = match to {
        RewardStatus::Approved => {
            let level = level.ok_or_else(|| AppError::field(ErrCode::Required, "reward_level"))?;
            let base = base.ok_or_else(|| AppError::field(ErrCode::Required, "base_amount"))?;
            (Some(level.as_str()), Some(base), Some(reward_amount(level, base)?), None)
        }
        RewardStatus::Notified => (None, None, None, Some(t + CLAIM_DAYS * 86_400)),
        _ => (None, None, None, None),
    };
    // Guarded by the status read above: of two moderators moving the same reward at once (PostgreSQL reads
    // without waiting), the second updates nothing and is told so, and the move is audited once.
    let moved = sqlx::query(
        "UPDATE cases SET reward_status = $1, reward_level = COALESCE($2, reward_level), \
         base_amount = COALESCE($3, base_amount), reward_amount = COALESCE($4, reward_amount), \
         claim_by = COALESCE($5, claim_by), updated_at = $6 WHERE id = $7 AND reward_status = $8",
    )
    .bind(to.as_str())
    .bind(level_s)
    .bind(base_v)
    .bind(amount)
    .bind(claim_by)
    .bind(t)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(AppError::field(ErrCode::Conflict, "reward_status"));
    }
    let tracking: String = col(&row, "tracking_no")?;
    audit::record(&mut tx, actor, Entry::new(A::reward_moved(to)).target(&format!("case:{tracking}"))).await?;
    tx.commit().await?;
    Ok(())
}

/// The reporter's contact, for a role allowed to see it; audited every time. `None` for an anonymous case.
pub async fn reveal(state: &AppState, actor: &Actor, id: i64, ip: Option<&str>) -> Result<Option<Contact>, AppError> {
    let mut tx = state.store.begin_write().await?;
    let row = sqlx::query("SELECT reporter_sealed, tracking_no FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let sealed_contact: Option<Vec<u8>> = col(&row, "reporter_sealed")?;
    let tracking: String = col(&row, "tracking_no")?;
    audit::record(&mut tx, actor, Entry::new(A::CaseRevealContact).target(&format!("case:{tracking}")).ip_opt(ip))
        .await?;
    tx.commit().await?;
    let Some(s) = sealed_contact else { return Ok(None) };
    let plain = sealed::open(state.config.secret_key.expose(), "reporter", &super::intake::case_place(&tracking), &s)?;
    let v: serde_json::Value = serde_json::from_slice(&plain).map_err(AppError::internal)?;
    Ok(Some(Contact {
        name: v["name"].as_str().unwrap_or_default().to_owned(),
        phone: v["phone"].as_str().unwrap_or_default().to_owned(),
    }))
}

/// The cookie naming a revealed contact waiting to be shown once on its case page (`Path=` that page).
pub const REVEAL_COOKIE: &str = "portal_reveal";
/// How long a revealed contact waits to be shown.
pub const REVEAL_SECS: i64 = 60;

/// Keeps a contact just revealed by `staff_id` for the case page to show once (a browser's reveal is a post
/// answered by a redirect): sealed, for a minute, opening only for that moderator on that case. Returns its id.
pub async fn keep_revealed(
    state: &AppState,
    staff_id: i64,
    case_id: i64,
    contact: &Contact,
) -> Result<String, AppError> {
    super::drafts::save_for(state, &format!("staff-reveal:{staff_id}:{case_id}"), contact, REVEAL_SECS).await
}

/// The contact kept by [`keep_revealed`], once (it is removed as it is read); `None` for another moderator,
/// another case, an unknown id or after a minute. Not audited again: the reveal was.
pub async fn take_revealed(
    state: &AppState,
    staff_id: i64,
    case_id: i64,
    flag: &str,
) -> Result<Option<Contact>, AppError> {
    super::drafts::take(state, &format!("staff-reveal:{staff_id}:{case_id}"), flag).await
}

/// The copy of a photo ever shown (re-encoded, no metadata), for staff.
pub async fn photo(store: &Store, case_id: i64, photo_id: i64) -> Result<Option<Vec<u8>>, AppError> {
    Ok(sqlx::query_scalar("SELECT shown FROM case_photos WHERE id = $1 AND case_id = $2")
        .bind(photo_id)
        .bind(case_id)
        .fetch_optional(store.pool())
        .await?)
}
