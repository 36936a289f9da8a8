//! 异议 · 信用修复 · 申请复查: a business files an objection to a recorded event within its window, a credit
//! repair after the event's minimum publicity, or a re-inspection request; staff decide each with reasons before
//! its deadline. An upheld objection or repair annuls its event (kept on the record, no longer counted) and the
//! grade is derived again; a rejected objection lets the pending grade be published. A business may also waive
//! its objection window, publishing its pending grade at once. Windows and the pending-grade rule live in
//! `domain::credit::objections`.

use super::events::{history_in, recompute_with, rules_in};
use crate::clock::now;
use crate::sealed::{self, keyed_hash};
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::credit::{
    CreditCode, EventFacts, LicenceNo, ObjectionInput, ObjectionKind, ObjectionState, ObjectionView, Severity,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::AnyConnection;

/// Open requests one contact may have at a time, across businesses.
pub const MAX_OPEN_PER_CONTACT: i64 = 3;
/// Open requests one business may have at a time (one per event is the database's rule besides).
pub const MAX_OPEN_PER_BUSINESS: i64 = 5;
const SEAL: &str = "objection-contact";

/// What a filing returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filed {
    pub id: i64,
    /// The decision deadline.
    pub due_at: i64,
}

/// The business of `code`, locked on PostgreSQL, once its licence number matches: `(id, pending)`. Unknown
/// business 404; a licence number that is not this business's 400 naming `licence_no` (nothing tells which of the
/// two is wrong).
async fn identify(conn: &mut AnyConnection, code: &CreditCode, licence: &LicenceNo) -> Result<(i64, bool), AppError> {
    let lock = crate::dialect::DbKind::of(conn).lock_rows();
    let row =
        sqlx::query(&format!("SELECT id, licence_no, pending_grade FROM businesses WHERE credit_code = $1{lock}"))
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(AppError::not_found)?;
    let registered: Option<String> = col(&row, "licence_no")?;
    if registered.as_deref() != Some(licence.as_str()) {
        return Err(AppError::field(ErrCode::InvalidValue, "licence_no"));
    }
    Ok((col(&row, "id")?, col::<Option<String>>(&row, "pending_grade")?.is_some()))
}

/// One-time codes: ten minutes, five attempts, a new one for the same phone at most once a minute.
pub const CODE_TTL_SECS: i64 = 600;
pub const MAX_ATTEMPTS: i64 = 5;
pub const RESEND_SECS: i64 = 60;

/// Sends a one-time code to `phone` for filing a request about the business `code` (whose licence must match),
/// asked from `network`. Refused: no gateway (400 `sms_not_configured` naming `phone`); the network's SMS bound
/// (429); the business or licence (404 / 400 `licence_no`); a code for the same phone less than a minute old
/// (429); the city's daily SMS budget (503). Neither the phone nor the code is logged or stored in clear.
pub async fn request_code(
    state: &AppState,
    code: &CreditCode,
    licence: &LicenceNo,
    phone: &str,
    network: Option<&str>,
) -> Result<(), AppError> {
    use rand::Rng;
    let url = state.config.sms_url.clone().ok_or_else(|| AppError::field(ErrCode::SmsNotConfigured, "phone"))?;
    crate::abuse::spend_bound(&state.store, "objection-sms", network, state.config.network_bounds.sms).await?;
    let key = state.config.secret_key.expose();
    let t = now();
    let one_time = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let mut tx = state.store.begin_write().await?;
    let (business, _) = identify(&mut tx, code, licence).await?;
    // Replaces the phone's code only if the last one is a minute old: one statement, so of parallel requests one
    // passes.
    let replaced = sqlx::query(
        "INSERT INTO objection_codes (business_id, phone_hash, code_hash, expires_at, attempts, used_at, created_at) \
         VALUES ($1, $2, $3, $4, 0, NULL, $5) ON CONFLICT (business_id, phone_hash) DO UPDATE SET \
         code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, used_at = NULL, \
         created_at = excluded.created_at WHERE objection_codes.created_at <= $6 RETURNING business_id",
    )
    .bind(business)
    .bind(keyed_hash(key, "objection-phone", phone))
    .bind(code_hash(key, business, phone, &one_time))
    .bind(t + CODE_TTL_SECS)
    .bind(t)
    .bind(t - RESEND_SECS)
    .fetch_optional(&mut *tx)
    .await?;
    if replaced.is_none() {
        return Err(AppError::rate_limited(RESEND_SECS as u64));
    }
    tx.commit().await?;
    // The city's daily budget, shared with every other SMS.
    crate::picks::sms::spend_budget(state).await?;
    let message = format!(
        "【食安绵阳】异议/信用修复申请验证码 {one_time}，10分钟内有效。Your code for a credit objection is {one_time}, \
         valid 10 minutes."
    );
    crate::picks::sms::send_now(&url, phone, &message).await
}

fn code_hash(key: &[u8], business: i64, phone: &str, code: &str) -> String {
    keyed_hash(key, "objection-code", &format!("{business}:{phone}:{code}"))
}

/// Checks a phone's code for `business`: the attempt is counted (and committed) before the code is compared, so
/// guesses in parallel cannot pass five. Refusals name `sms_code`.
async fn check_code(state: &AppState, business: i64, proof: &domain::credit::PhoneProof) -> Result<(), AppError> {
    let key = state.config.secret_key.expose();
    let mut tx = state.store.begin_write().await?;
    let row = sqlx::query(
        "UPDATE objection_codes SET attempts = attempts + 1 WHERE business_id = $1 AND phone_hash = $2 \
         AND used_at IS NULL AND expires_at >= $3 AND attempts < $4 RETURNING code_hash",
    )
    .bind(business)
    .bind(keyed_hash(key, "objection-phone", &proof.phone))
    .bind(now())
    .bind(MAX_ATTEMPTS)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let stored: Option<String> = row.map(|r| col(&r, "code_hash")).transpose()?;
    if stored.as_deref() != Some(code_hash(key, business, &proof.phone, &proof.code).as_str()) {
        return Err(AppError::field(ErrCode::InvalidCode, "sms_code"));
    }
    Ok(())
}

/// Files a request from `ip_prefix` (the network's bound for the minute and the day, `PORTAL_BOUND_OBJECTIONS`,
/// comes first). Where an SMS gateway is configured, a request from a network (not a tool's) needs the contact's
/// phone verified by a code (`request_code`): missing 400 naming `phone`, wrong 400 `invalid_code` naming
/// `sms_code`; the code is used up with the filing. Refusals name the field and store nothing: `licence_no` not this business's; `event_id` not one
/// of this business's events, already annulled, outside its window (409 `window_closed`) or already under an open
/// request (409); `kind` a second open re-inspection request; `contact` too many open requests.
pub async fn file(
    state: &AppState,
    code: &CreditCode,
    r: &ObjectionInput,
    ip_prefix: Option<&str>,
) -> Result<Filed, AppError> {
    let store = &state.store;
    crate::abuse::spend_bound(store, "objections", ip_prefix, state.config.network_bounds.objections).await?;
    let t = now();
    let secret = state.config.secret_key.expose();
    let proof = if state.config.sms_url.is_some() && ip_prefix.is_some() {
        let proof = r.proof.as_ref().ok_or_else(|| AppError::field(ErrCode::Required, "phone"))?;
        let row = sqlx::query("SELECT id FROM businesses WHERE credit_code = $1")
            .bind(code.as_str())
            .fetch_optional(store.pool())
            .await?
            .ok_or_else(AppError::not_found)?;
        check_code(state, col(&row, "id")?, proof).await?;
        Some(proof)
    } else {
        None
    };
    let hash = keyed_hash(secret, SEAL, &r.contact.trim().to_lowercase());
    let sealed_contact = sealed::seal(secret, SEAL, &place(code.as_str(), &hash), r.contact.as_bytes())?;
    let mut tx = store.begin_write().await?;
    let (business, _) = identify(&mut tx, code, &r.licence_no).await?;
    store.dialect().lock_key(&mut tx, &hash).await?;
    let facts = match r.event_id {
        None => None,
        Some(event) => {
            let row =
                sqlx::query("SELECT business_id, severity, created_at, annulled_at FROM credit_events WHERE id = $1")
                    .bind(event)
                    .fetch_optional(&mut *tx)
                    .await?;
            // Another business's event is refused exactly as an event that does not exist.
            let row = row.filter(|row| col::<i64>(row, "business_id").ok() == Some(business));
            let row = row.ok_or_else(|| AppError::field(ErrCode::InvalidValue, "event_id"))?;
            if col::<Option<i64>>(&row, "annulled_at")?.is_some() {
                return Err(AppError::field(ErrCode::Conflict, "event_id"));
            }
            let severity: String = col(&row, "severity")?;
            Some(EventFacts {
                published_at: col(&row, "created_at")?,
                severity: Severity::parse(&severity)
                    .ok_or_else(|| AppError::internal(format!("bad severity {severity}")))?,
            })
        }
    };
    let cal = crate::cases::calendar::load_in(&mut tx).await?;
    let windows = rules_in(&mut tx).await?.windows;
    windows.check_filing(&cal, r.kind, facts, t)?;
    let count = |sql: &'static str| sqlx::query(sql);
    if let Some(event) = r.event_id {
        let open = count("SELECT COUNT(*) AS n FROM objections WHERE event_id = $1 AND state = 'open'")
            .bind(event)
            .fetch_one(&mut *tx)
            .await?;
        if col::<i64>(&open, "n")? > 0 {
            return Err(AppError::field(ErrCode::Conflict, "event_id"));
        }
    }
    let per_business = count(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN kind = 'reinspection' THEN 1 ELSE 0 END), 0) AS re \
         FROM objections WHERE business_id = $1 AND state = 'open'",
    )
    .bind(business)
    .fetch_one(&mut *tx)
    .await?;
    if r.kind == ObjectionKind::Reinspection && col::<i64>(&per_business, "re")? > 0 {
        return Err(AppError::field(ErrCode::Conflict, "kind"));
    }
    if col::<i64>(&per_business, "n")? >= MAX_OPEN_PER_BUSINESS {
        return Err(AppError::field(ErrCode::Conflict, "kind"));
    }
    let per_contact = count("SELECT COUNT(*) AS n FROM objections WHERE contact_hash = $1 AND state = 'open'")
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
    if col::<i64>(&per_contact, "n")? >= MAX_OPEN_PER_CONTACT {
        return Err(AppError::field(ErrCode::Conflict, "contact"));
    }
    if let Some(proof) = proof {
        // The code is used once: of two filings with it, one passes.
        let used = sqlx::query(
            "UPDATE objection_codes SET used_at = $1 WHERE business_id = $2 AND phone_hash = $3 AND used_at IS NULL",
        )
        .bind(t)
        .bind(business)
        .bind(keyed_hash(secret, "objection-phone", &proof.phone))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used == 0 {
            return Err(AppError::field(ErrCode::InvalidCode, "sms_code"));
        }
    }
    let due_at = windows.decision_due(&cal, r.kind, t);
    let row = sqlx::query(
        "INSERT INTO objections (business_id, event_id, kind, statement, contact_hash, contact_sealed, state, \
         filed_at, due_at, ip_prefix) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9) RETURNING id",
    )
    .bind(business)
    .bind(r.event_id)
    .bind(r.kind.as_str())
    .bind(&r.statement)
    .bind(&hash)
    .bind(sealed_contact)
    .bind(t)
    .bind(due_at)
    .bind(ip_prefix.unwrap_or("-"))
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = col(&row, "id")?;
    tx.commit().await?;
    // The page shows the open objection at once.
    store.announce(Change::Registry);
    Ok(Filed { id, due_at })
}

/// The business waives its objection window: a pending grade is published now (an objection it already filed
/// still holds it until decided). Returns whether a pending grade was published. Bounded like a filing.
pub async fn waive(
    state: &AppState,
    code: &CreditCode,
    licence: &LicenceNo,
    ip_prefix: Option<&str>,
) -> Result<bool, AppError> {
    let store = &state.store;
    crate::abuse::spend_bound(store, "objections", ip_prefix, state.config.network_bounds.objections).await?;
    let t = now();
    let mut tx = store.begin_write().await?;
    let (business, pending) = identify(&mut tx, code, licence).await?;
    if !pending {
        return Ok(false);
    }
    sqlx::query("UPDATE businesses SET pending_until = NULL WHERE id = $1").bind(business).execute(&mut *tx).await?;
    let rules = rules_in(&mut tx).await?;
    let published = recompute_with(&mut tx, &rules, business, "objection:waived", t, None).await?;
    let target = format!("business:{code}");
    audit::record(&mut tx, &Actor::anonymous(), Entry::new(A::ObjectionWaived).target(&target).ip_opt(ip_prefix))
        .await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(published)
}

/// Decides an open request with reasons. Upheld: an objection's or a repair's event is annulled and the grade
/// derived again. Rejected: an objection lets the pending grade be published. Either way the decision is a row
/// of the grade history. A request already decided is refused 409 naming `decision`; an unknown one 404.
pub async fn decide(store: &Store, actor: &Actor, id: i64, upheld: bool, reasons: &str) -> Result<(), AppError> {
    let reasons = domain::credit::DECISION_REASONS.check("reasons", reasons)?;
    let t = now();
    let mut tx = store.begin_write().await?;
    let row = sqlx::query("SELECT business_id, event_id, kind, state FROM objections WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let business: i64 = col(&row, "business_id")?;
    // The business row before anything else is written (the lock order of every credit write).
    let lock = store.dialect().lock_rows();
    let code: String = col(
        &sqlx::query(&format!("SELECT credit_code FROM businesses WHERE id = $1{lock}"))
            .bind(business)
            .fetch_one(&mut *tx)
            .await?,
        "credit_code",
    )?;
    let state = if upheld { ObjectionState::Upheld } else { ObjectionState::Rejected };
    let done = sqlx::query(
        "UPDATE objections SET state = $1, decided_at = $2, decided_by = $3, reasons = $4 \
         WHERE id = $5 AND state = 'open'",
    )
    .bind(state.as_str())
    .bind(t)
    .bind(&actor.name)
    .bind(&reasons)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::field(ErrCode::Conflict, "decision"));
    }
    let kind: String = col(&row, "kind")?;
    let kind = ObjectionKind::parse(&kind).ok_or_else(|| AppError::internal(format!("bad kind {kind}")))?;
    let event: Option<i64> = col(&row, "event_id")?;
    match (kind, upheld, event) {
        (ObjectionKind::Objection | ObjectionKind::Repair, true, Some(event)) => {
            sqlx::query(
                "UPDATE credit_events SET annulled_at = $1, annulled_by = $2 WHERE id = $3 AND annulled_at IS NULL",
            )
            .bind(t)
            .bind(&actor.name)
            .bind(event)
            .execute(&mut *tx)
            .await?;
        }
        (ObjectionKind::Objection, false, _) => {
            sqlx::query("UPDATE businesses SET pending_until = NULL WHERE id = $1")
                .bind(business)
                .execute(&mut *tx)
                .await?;
        }
        _ => {}
    }
    let rules = rules_in(&mut tx).await?;
    let reason = format!("{}:{}:{id}", kind.as_str(), state.as_str());
    if !recompute_with(&mut tx, &rules, business, &reason, t, None).await? {
        // The grade did not move: the decision is in the history all the same.
        let row = sqlx::query("SELECT score, grade, watch_list FROM businesses WHERE id = $1")
            .bind(business)
            .fetch_one(&mut *tx)
            .await?;
        let a = domain::credit::Assessment {
            score: col(&row, "score")?,
            grade: super::registry::grade_col(&row, "grade")?,
            watch_list: col::<i64>(&row, "watch_list")? != 0,
        };
        history_in(&mut tx, business, t, &a, &reason).await?;
    }
    let action = if upheld { A::ObjectionUpheld } else { A::ObjectionRejected };
    let target = format!("objection:{id}");
    audit::record(&mut tx, actor, Entry::new(action).target(&target).detail(&code)).await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(())
}

/// Publishes the pending grades whose objection window closed by `now` with no objection open (the server runs
/// it every hour; running it twice changes nothing). Returns how many were published.
pub async fn publish_due(store: &Store, now: i64) -> Result<u64, AppError> {
    let rows = sqlx::query(
        "SELECT id FROM businesses b WHERE b.pending_grade IS NOT NULL AND b.pending_until <= $1 \
         AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.business_id = b.id AND o.state = 'open' \
         AND o.kind = 'objection')",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let mut n = 0;
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let mut tx = store.begin_write().await?;
        let rules = rules_in(&mut tx).await?;
        if recompute_with(&mut tx, &rules, id, "objection:window_closed", now, None).await? {
            n += 1;
        }
        tx.commit().await?;
    }
    if !rows.is_empty() {
        store.announce(Change::Registry);
    }
    Ok(n)
}

/// A sealed contact opens only for its business and its contact.
fn place(credit_code: &str, contact_hash: &str) -> String {
    format!("objections/{credit_code}/{contact_hash}")
}

const VIEW_COLS: &str = "o.id, b.credit_code, b.name, o.kind, o.event_id, o.state, o.filed_at, o.due_at, \
                         o.decided_at, o.reasons";

fn view(r: &sqlx::any::AnyRow, secret: Option<&[u8]>) -> Result<ObjectionView, AppError> {
    let (statement, contact) = match secret {
        Some(secret) => {
            let code: String = col(r, "credit_code")?;
            let hash: String = col(r, "contact_hash")?;
            let sealed_contact: Vec<u8> = col(r, "contact_sealed")?;
            let contact = String::from_utf8(sealed::open(secret, SEAL, &place(&code, &hash), &sealed_contact)?)
                .map_err(AppError::internal)?;
            (Some(col(r, "statement")?), Some(contact))
        }
        None => (None, None),
    };
    let state: String = col(r, "state")?;
    let due_at: i64 = col(r, "due_at")?;
    Ok(ObjectionView {
        overdue: state == ObjectionState::Open.as_str() && due_at < now(),
        id: col(r, "id")?,
        credit_code: col(r, "credit_code")?,
        business_name: col(r, "name")?,
        kind: col(r, "kind")?,
        event_id: col(r, "event_id")?,
        state,
        filed_at: col(r, "filed_at")?,
        due_at,
        decided_at: col(r, "decided_at")?,
        reasons: col(r, "reasons")?,
        statement,
        contact,
    })
}

/// The requests of one business, newest first (public: no statement, no contact), on the caller's connection.
pub(crate) async fn of_business_in(conn: &mut AnyConnection, business: i64) -> Result<Vec<ObjectionView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLS} FROM objections o JOIN businesses b ON b.id = o.business_id \
         WHERE o.business_id = $1 ORDER BY o.filed_at DESC, o.id DESC LIMIT 50"
    ))
    .bind(business)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| view(r, None)).collect()
}

/// The open requests (staff), the nearest deadline first, with the statement and the contact opened for the
/// moderator; the caller records that in the audit log.
pub async fn queue(state: &AppState, limit: i64) -> Result<Vec<ObjectionView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLS}, o.statement, o.contact_hash, o.contact_sealed FROM objections o \
         JOIN businesses b ON b.id = o.business_id WHERE o.state = 'open' ORDER BY o.due_at, o.id LIMIT $1"
    ))
    .bind(limit.clamp(1, 200))
    .fetch_all(state.store.pool())
    .await?;
    let secret = state.config.secret_key.expose();
    rows.iter().map(|r| view(r, Some(secret))).collect()
}
