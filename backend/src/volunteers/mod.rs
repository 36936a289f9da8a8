//! 食安志愿者 (#22): sign-up (a group, a district, a phone sealed like reporters', confirmed by an SMS code where
//! a gateway is configured), staff decisions (audited), signing in with the number and the sign-in code shown
//! once, the three-tap report (a 举报 filed through the cases intake with channel `volunteer`, the volunteer on
//! the row), points and the leaderboard.
//!
//! **Points are counted when read**, from the cases' own history: a volunteer case with a `substantiated`
//! event earns [`POINTS_PER_SUBSTANTIATED`]. No hook on the case workflow has to remember to credit anyone, a
//! decision corrected later is reflected at once, and the board is one grouped query per dimension.
//!
//! Caps: sign-ups per network per minute and day (`PORTAL_BOUND_VOLUNTEERS`; phone confirmations and sign-ins
//! each counted apart under the same bound); the one SMS code of a sign-up also spends the phone's codes for the
//! day and the city's budget; [`MAX_ATTEMPTS`] wrong codes and the code is refused for good; reports per
//! volunteer per day ([`REPORTS_PER_DAY`]).

/// The demo corps.
pub mod seed;

use crate::abuse;
use crate::cases::intake;
use crate::clock::now;
use crate::picks::sms::{count_sent, secs_to_china_midnight, send_now};
use crate::sealed::{self, keyed_hash};
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::cases::{CaseInput, CaseKind, CaseReceipt, Channel};
use domain::clock::format_date;
use domain::credit::District;
use domain::i18n::{Lang, T};
use domain::staff::AuditAction as A;
use domain::volunteers::{
    Decision, Group, JoinInput, Joined, LeaderRow, Leaderboard, Me, MyReport, QuickReport, ReportTarget,
    StaffVolunteer, Target, VolunteerFigures, VolunteerState, CODE_TTL_SECS, MAX_ATTEMPTS, POINTS_PER_SUBSTANTIATED,
    REPORTS_PER_DAY, SESSION_SECS,
};
use domain::{AppError, ErrCode};
use rand::Rng;
use sqlx::AnyConnection;

/// The `abuse` scope of sign-ups per network.
pub const SCOPE: &str = "volunteers";
/// The cookie a signed-in volunteer carries (HttpOnly, SameSite=Lax, signed).
pub const COOKIE: &str = "portal_volunteer";

const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn sign_in_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// Where a volunteer's sealed phone lives: it opens only in the row of this number.
fn place(number: &str) -> String {
    format!("volunteers/{number}")
}

/// The keyed hash a phone is found (and kept unique) by.
pub fn phone_hash(key: &[u8], phone: &str) -> String {
    keyed_hash(key, "volunteer-phone", phone)
}

fn secret_hash(key: &[u8], number: &str, code: &str) -> String {
    keyed_hash(key, "volunteer-secret", &format!("{number}:{}", code.trim().to_ascii_uppercase()))
}

fn sms_code_hash(key: &[u8], number: &str, code: &str) -> String {
    keyed_hash(key, "volunteer-code", &format!("{number}:{}", code.trim()))
}

/// Compares two stored hashes in constant time (as MACs, not as text).
fn same(key: &[u8], a: &str, b: &str) -> bool {
    sealed::mac(key, &[a.as_bytes()]) == sealed::mac(key, &[b.as_bytes()])
}

/// Signs up from `network`, the whole use case: the network's bound (429 past the minute's or the day's), then
/// one transaction: a phone already signed up is 409 `conflict` naming `phone`; where a gateway is configured
/// the one SMS code spends the phone's codes for the day (429) and the city's budget (503) before anything is
/// kept. The code is sent after the commit; should the gateway fail, the sign-up is removed again and the error
/// answered, so a sign-up is stored whole or not at all. The answer carries the number and the sign-in code,
/// shown this once.
pub async fn join(state: &AppState, j: &JoinInput, lang: Lang, network: Option<&str>) -> Result<Joined, AppError> {
    abuse::spend_bound(&state.store, SCOPE, network, state.config.network_bounds.volunteers).await?;
    let key = state.config.secret_key.expose();
    let t = now();
    let hash = phone_hash(key, &j.phone);
    let secret = sign_in_code();
    let sms = state.config.sms_url.clone();
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let bounds = state.config.network_bounds;
    let (id, number) = {
        let mut tx = state.store.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM volunteers WHERE phone_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AppError::field(ErrCode::Conflict, "phone"));
        }
        let mut made = None;
        for _ in 0..5 {
            let number = format!("ZY{:08}", rand::rngs::OsRng.gen_range(0..100_000_000));
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO volunteers (number, grp, district, phone_hash, phone_sealed, secret_hash, state, \
                 attempts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&number)
            .bind(j.group.as_str())
            .bind(j.district.as_str())
            .bind(&hash)
            .bind(sealed::seal(key, "volunteer-phone", &place(&number), j.phone.as_bytes())?)
            .bind(secret_hash(key, &number, &secret))
            .bind(VolunteerState::Pending.as_str())
            .bind(t)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                made = Some((id, number));
                break;
            }
            // Either the phone signed up in parallel (the unique hash) or the number was drawn before.
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM volunteers WHERE phone_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(AppError::field(ErrCode::Conflict, "phone"));
            }
        }
        let (id, number) = made.ok_or_else(|| AppError::internal("no free volunteer number after five tries"))?;
        if sms.is_some() {
            sqlx::query("UPDATE volunteers SET code_hash = $1, code_expires_at = $2 WHERE id = $3")
                .bind(sms_code_hash(key, &number, &code))
                .bind(t + CODE_TTL_SECS)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let wait = secs_to_china_midnight(t) as u64;
            let day = format_date(t);
            let sms_phone = keyed_hash(key, "sms-phone", &j.phone);
            if count_sent(&mut tx, &day, &sms_phone, bounds.sms_per_phone_per_day).await?.is_none() {
                return Err(AppError {
                    code: ErrCode::RateLimited,
                    field: Some("phone".into()),
                    retry_after: Some(wait),
                });
            }
            if count_sent(&mut tx, &day, "city", bounds.sms_daily_budget).await?.is_none() {
                return Err(AppError {
                    code: ErrCode::SmsBudgetExhausted,
                    field: Some("phone".into()),
                    retry_after: Some(wait),
                });
            }
        }
        tx.commit().await?;
        (id, number)
    };
    if let Some(url) = sms {
        // Sent with no connection held: the gateway may be slow.
        if let Err(e) = send_now(&url, &j.phone, &T::SmsVolunteerCode.fill(lang, &[("code", &code)])).await {
            sqlx::query("DELETE FROM volunteers WHERE id = $1").bind(id).execute(state.store.pool()).await?;
            return Err(e);
        }
    }
    state.store.announce(Change::Volunteers);
    Ok(Joined { number, sign_in_code: secret, sms_sent: state.config.sms_url.is_some() })
}

/// Confirms a sign-up's phone with the SMS code (bounded per network like sign-ups, counted apart). The try is
/// counted and committed before the code is compared, so parallel guesses cannot pass [`MAX_ATTEMPTS`]; a wrong,
/// expired, spent or exhausted code is 400 `invalid_code` naming `code`, and no other code is ever sent.
pub async fn verify(state: &AppState, number: &str, code: &str, network: Option<&str>) -> Result<(), AppError> {
    abuse::spend_bound(&state.store, "volunteer-verify", network, state.config.network_bounds.volunteers).await?;
    let key = state.config.secret_key.expose();
    let t = now();
    let row = {
        let mut tx = state.store.begin_write().await?;
        let row = sqlx::query(
            "UPDATE volunteers SET attempts = attempts + 1 WHERE number = $1 AND code_hash IS NOT NULL \
             AND code_expires_at >= $2 AND attempts < $3 RETURNING id, code_hash",
        )
        .bind(number)
        .bind(t)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row
    };
    let bad = || AppError::field(ErrCode::InvalidCode, "code");
    let row = row.ok_or_else(bad)?;
    let stored: String = col(&row, "code_hash")?;
    if !same(key, &stored, &sms_code_hash(key, number, code)) {
        return Err(bad());
    }
    let done = sqlx::query("UPDATE volunteers SET verified_at = $1, code_hash = NULL WHERE id = $2 AND code_hash = $3")
        .bind(t)
        .bind(col::<i64>(&row, "id")?)
        .bind(&stored)
        .execute(state.store.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(bad());
    }
    Ok(())
}

/// Signs a volunteer in with the number and the sign-in code (tries bounded per network, counted apart from
/// sign-ups): the value of the session cookie, good for [`SESSION_SECS`]. A wrong number or code is 401
/// `invalid_credentials` naming `code` (which one is wrong is not said).
pub async fn sign_in(state: &AppState, number: &str, code: &str, network: Option<&str>) -> Result<String, AppError> {
    abuse::spend_bound(&state.store, "volunteer-login", network, state.config.network_bounds.volunteers).await?;
    let key = state.config.secret_key.expose();
    let row = sqlx::query("SELECT id, secret_hash FROM volunteers WHERE number = $1")
        .bind(number)
        .fetch_optional(state.store.pool())
        .await?;
    let wrong = || AppError::field(ErrCode::InvalidCredentials, "code");
    let row = row.ok_or_else(wrong)?;
    if !same(key, &col::<String>(&row, "secret_hash")?, &secret_hash(key, number, code)) {
        return Err(wrong());
    }
    Ok(session_token(key, col(&row, "id")?, now() + SESSION_SECS))
}

/// A session cookie's value: the volunteer, the expiry and a MAC of both.
pub fn session_token(key: &[u8], id: i64, expires: i64) -> String {
    let body = format!("{id}.{expires}");
    format!("{body}.{}", &keyed_hash(key, "volunteer-session", &body)[..32])
}

/// The volunteer a session cookie names, if its MAC is right and it has not expired.
pub fn session_id(key: &[u8], token: &str, t: i64) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let id = parts.next()?.parse::<i64>().ok()?;
    let expires = parts.next()?.parse::<i64>().ok()?;
    parts.next()?;
    (expires > t && same(key, &session_token(key, id, expires), token)).then_some(id)
}

/// The signed-in volunteer a cookie names (`None` without one, or with a forged or expired one).
pub async fn current(state: &AppState, token: Option<&str>) -> Result<Option<Me>, AppError> {
    let Some(id) = token.and_then(|t| session_id(state.config.secret_key.expose(), t, now())) else {
        return Ok(None);
    };
    me(&state.store, id).await
}

/// A volunteer's own page: who they are, their reports with each case's state, their points.
pub async fn me(store: &Store, id: i64) -> Result<Option<Me>, AppError> {
    let mut conn = store.pool().acquire().await?;
    let Some(row) = sqlx::query("SELECT number, grp, district, state FROM volunteers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query(&format!(
        "SELECT c.tracking_no, c.business_name, c.category, c.state, c.created_at, {SUBSTANTIATED} AS hit \
         FROM cases c WHERE c.volunteer_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 200"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let points: i64 =
        sqlx::query_scalar(&format!("SELECT COALESCE(SUM({SUBSTANTIATED}), 0) FROM cases c WHERE c.volunteer_id = $1"))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let reports = rows
        .iter()
        .map(|r| {
            Ok(MyReport {
                tracking_no: col(r, "tracking_no")?,
                business_name: col(r, "business_name")?,
                category: col(r, "category")?,
                state: col(r, "state")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Some(Me {
        id,
        number: col(&row, "number")?,
        group: col(&row, "grp")?,
        district: col(&row, "district")?,
        state: col(&row, "state")?,
        points: points * POINTS_PER_SUBSTANTIATED,
        reports,
    }))
}

/// 1 when case `c` was ever found substantiated, else 0 (SQL on both engines).
const SUBSTANTIATED: &str =
    "CASE WHEN EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.state = 'substantiated') THEN 1 ELSE 0 END";

/// The business a report is about: a registry business by its credit code, or a stall's operator. 404 naming
/// `business` or `stall` when there is none.
pub async fn target(store: &Store, t: &Target) -> Result<ReportTarget, AppError> {
    let mut conn = store.pool().acquire().await?;
    target_in(&mut conn, t).await
}

async fn target_in(conn: &mut AnyConnection, t: &Target) -> Result<ReportTarget, AppError> {
    match t {
        Target::Business(code) => {
            let name: String = sqlx::query_scalar("SELECT name FROM businesses WHERE credit_code = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| AppError::field(ErrCode::NotFound, "business"))?;
            Ok(ReportTarget { credit_code: code.as_str().to_owned(), name, stall: None })
        }
        Target::Stall(code) => {
            let row = sqlx::query(
                "SELECT b.credit_code, b.name, s.number, m.name AS market FROM stalls s \
                 JOIN businesses b ON b.id = s.business_id JOIN markets m ON m.id = s.market_id WHERE s.code = $1",
            )
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::field(ErrCode::NotFound, "stall"))?;
            Ok(ReportTarget {
                credit_code: col(&row, "credit_code")?,
                name: col(&row, "name")?,
                stall: Some(format!("{} {}", col::<String>(&row, "market")?, col::<String>(&row, "number")?)),
            })
        }
    }
}

/// Files a volunteer's report, the whole use case: only an approved volunteer (403 `forbidden` naming
/// `volunteer` otherwise), the business or stall must exist (404 naming it), [`REPORTS_PER_DAY`] per volunteer
/// (429 until the window ends); then a 举报 through the cases intake, channel `volunteer`, the business linked
/// and the volunteer on the row. The volunteer follows it on their own page, so the access code is not needed.
pub async fn report(state: &AppState, volunteer_id: i64, r: &QuickReport) -> Result<CaseReceipt, AppError> {
    let (vstate, target) = {
        let mut conn = state.store.pool().acquire().await?;
        let vstate: Option<String> = sqlx::query_scalar("SELECT state FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_optional(&mut *conn)
            .await?;
        let target = target_in(&mut conn, &r.target).await;
        (vstate, target)
    };
    if vstate.as_deref() != Some(VolunteerState::Approved.as_str()) {
        return Err(AppError::field(ErrCode::Forbidden, "volunteer"));
    }
    let target = target?;
    abuse::spend(&state.store, "volunteer-reports", &volunteer_id.to_string(), abuse::DAY, REPORTS_PER_DAY).await?;
    let mut description = format!("【志愿者快报】{}", r.issue.as_str());
    if !r.note.is_empty() {
        description.push('：');
        description.push_str(&r.note);
    }
    let c = CaseInput {
        kind: CaseKind::Report,
        channel: Channel::Volunteer,
        credit_code: Some(domain::credit::CreditCode::parse(&target.credit_code)?),
        business_name: target.name.clone(),
        category: r.issue.category().as_str().to_owned(),
        description,
        occurred_at: Some(now()),
        place: target.stall.clone().unwrap_or_default(),
        reporter: None,
        idempotency_key: None,
    };
    let receipt = intake::file_for_volunteer(state, &c, volunteer_id).await?;
    state.store.announce(Change::Cases);
    Ok(receipt)
}

/// A staff decision (moderators), audited in the same transaction: approve a pending or suspended volunteer,
/// reject a pending one, suspend an approved one; anything else is 409 `conflict` naming `decision`.
pub async fn decide(store: &Store, actor: &Actor, id: i64, d: Decision) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query("SELECT number, state FROM volunteers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let from = VolunteerState::parse(&col::<String>(&row, "state")?);
    let allowed = matches!(
        (d, from),
        (Decision::Approve, Some(VolunteerState::Pending | VolunteerState::Suspended))
            | (Decision::Reject, Some(VolunteerState::Pending))
            | (Decision::Suspend, Some(VolunteerState::Approved))
    );
    if !allowed {
        return Err(AppError::field(ErrCode::Conflict, "decision"));
    }
    sqlx::query("UPDATE volunteers SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
        .bind(d.state().as_str())
        .bind(&actor.name)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let action = match d {
        Decision::Approve => A::VolunteerApproved,
        Decision::Reject => A::VolunteerRejected,
        Decision::Suspend => A::VolunteerSuspended,
    };
    let number: String = col(&row, "number")?;
    audit::record(&mut tx, actor, Entry::new(action).target(&format!("volunteer:{number}"))).await?;
    tx.commit().await?;
    store.announce(Change::Volunteers);
    Ok(())
}

/// Sign-ups for the console: pending first, then the newest; 500 at most.
pub async fn staff_list(store: &Store) -> Result<Vec<StaffVolunteer>, AppError> {
    let rows = sqlx::query(
        "SELECT v.id, v.number, v.grp, v.district, v.state, v.verified_at, v.created_at, v.decided_by, \
         (SELECT COUNT(*) FROM cases c WHERE c.volunteer_id = v.id) AS reports FROM volunteers v \
         ORDER BY CASE WHEN v.state = $1 THEN 0 ELSE 1 END, v.created_at DESC, v.id DESC LIMIT 500",
    )
    .bind(VolunteerState::Pending.as_str())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StaffVolunteer {
                id: col(r, "id")?,
                number: col(r, "number")?,
                group: col(r, "grp")?,
                district: col(r, "district")?,
                state: col(r, "state")?,
                verified: col::<Option<i64>>(r, "verified_at")?.is_some(),
                created_at: col(r, "created_at")?,
                decided_by: col(r, "decided_by")?,
                reports: col(r, "reports")?,
            })
        })
        .collect()
}

/// The public leaderboard by group and by district: approved volunteers, their reports, substantiated, points.
/// Every group and district is listed (zeros included), best first.
pub async fn leaderboard(store: &Store) -> Result<Leaderboard, AppError> {
    let mut conn = store.pool().acquire().await?;
    let groups: Vec<&str> = Group::ALL.iter().map(|g| g.as_str()).collect();
    let districts: Vec<&str> = District::ALL.iter().map(|d| d.as_str()).collect();
    Ok(Leaderboard {
        by_group: board(&mut conn, "grp", &groups).await?,
        by_district: board(&mut conn, "district", &districts).await?,
    })
}

async fn board(conn: &mut AnyConnection, column: &str, keys: &[&str]) -> Result<Vec<LeaderRow>, AppError> {
    let mut rows: Vec<LeaderRow> = keys
        .iter()
        .map(|k| LeaderRow { key: (*k).to_owned(), volunteers: 0, reports: 0, substantiated: 0, points: 0 })
        .collect();
    fn slot(rows: &mut Vec<LeaderRow>, key: String) -> &mut LeaderRow {
        if let Some(i) = rows.iter().position(|r| r.key == key) {
            &mut rows[i]
        } else {
            rows.push(LeaderRow { key, volunteers: 0, reports: 0, substantiated: 0, points: 0 });
            rows.last_mut().expect("just pushed")
        }
    }
    let counted = sqlx::query(&format!(
        "SELECT v.{column} AS k, COUNT(*) AS n FROM volunteers v WHERE v.state = $1 GROUP BY v.{column}"
    ))
    .bind(VolunteerState::Approved.as_str())
    .fetch_all(&mut *conn)
    .await?;
    for r in &counted {
        slot(&mut rows, col(r, "k")?).volunteers = col(r, "n")?;
    }
    let reported = sqlx::query(&format!(
        "SELECT v.{column} AS k, COUNT(*) AS n, COALESCE(SUM({SUBSTANTIATED}), 0) AS hit FROM cases c \
         JOIN volunteers v ON v.id = c.volunteer_id GROUP BY v.{column}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for r in &reported {
        let row = slot(&mut rows, col(r, "k")?);
        row.reports = col(r, "n")?;
        row.substantiated = col(r, "hit")?;
        row.points = row.substantiated * POINTS_PER_SUBSTANTIATED;
    }
    rows.sort_by(|a, b| {
        (b.points, b.reports, b.volunteers).cmp(&(a.points, a.reports, a.volunteers)).then_with(|| a.key.cmp(&b.key))
    });
    Ok(rows)
}

/// The corps in figures, for `/stats`: approved volunteers, their reports, and how many were substantiated.
pub async fn figures_in(conn: &mut AnyConnection) -> Result<VolunteerFigures, AppError> {
    let volunteers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volunteers WHERE state = $1")
        .bind(VolunteerState::Approved.as_str())
        .fetch_one(&mut *conn)
        .await?;
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, COALESCE(SUM({SUBSTANTIATED}), 0) AS hit FROM cases c WHERE c.volunteer_id IS NOT NULL"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(VolunteerFigures { volunteers, reports: col(&row, "n")?, substantiated: col(&row, "hit")? })
}

/// Housekeeping: a sign-up whose SMS code was never confirmed, a day after the code expired, is deleted with its
/// sealed phone (still pending, with no case), so a mistyped or abandoned sign-up does not hold the phone for
/// ever. Sign-ups made without a gateway (no code) are kept for staff to decide. Returns how many were deleted.
pub async fn sweep(store: &Store, t: i64) -> Result<u64, AppError> {
    let done = sqlx::query(
        "DELETE FROM volunteers WHERE verified_at IS NULL AND code_expires_at IS NOT NULL AND code_expires_at < $1 \
         AND state = $2 AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.volunteer_id = volunteers.id)",
    )
    .bind(t - 86_400)
    .bind(VolunteerState::Pending.as_str())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}
