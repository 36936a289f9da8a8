//! Rounds and their candidates (staff), the public list and detail with the tally and the integrity report.

use crate::clock::now;
use crate::journal::Happening;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::cases::day_of;
use domain::follow::EntryKind;
use domain::i18n::Lang;
use domain::picks::{
    CandidateInput, CandidateView, IntegrityReport, Phase, Refusal, RefusalReason, RoundDetail, RoundInput,
    RoundSummary, Schedule, VoterCheck, MAX_CANDIDATES,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLUMNS: &str = "r.id, r.title, r.description, r.nominate_from, r.vote_from, r.vote_until, r.publish_at, \
     r.max_picks, r.show_live, r.voter_check, \
     (SELECT COUNT(*) FROM candidates c WHERE c.round_id = r.id) AS candidates, \
     (SELECT COUNT(*) FROM ballots b WHERE b.round_id = r.id) AS ballots";

/// The facts of a round that decide what may happen in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRules {
    pub id: i64,
    pub schedule: Schedule,
    pub max_picks: i64,
    pub show_live: bool,
    pub voter_check: VoterCheck,
}

impl RoundRules {
    pub fn phase(&self) -> Phase {
        self.schedule.phase_at(now())
    }

    /// Counts are public once voting has closed, or during voting when the round shows them live.
    pub fn counts_visible(&self, phase: Phase) -> bool {
        phase.is_closed() || (phase == Phase::Voting && self.show_live)
    }
}

fn rules_of(r: &AnyRow) -> Result<RoundRules, AppError> {
    let check: String = col(r, "voter_check")?;
    Ok(RoundRules {
        id: col(r, "id")?,
        schedule: Schedule {
            nominate_from: col(r, "nominate_from")?,
            vote_from: col(r, "vote_from")?,
            vote_until: col(r, "vote_until")?,
            publish_at: col(r, "publish_at")?,
        },
        max_picks: col(r, "max_picks")?,
        show_live: col::<i64>(r, "show_live")? != 0,
        voter_check: VoterCheck::parse(&check).ok_or_else(|| AppError::internal(format!("bad voter check {check}")))?,
    })
}

fn summary(r: &AnyRow, staff: bool) -> Result<RoundSummary, AppError> {
    let rules = rules_of(r)?;
    let phase = rules.phase();
    Ok(RoundSummary {
        id: rules.id,
        title: col(r, "title")?,
        phase,
        schedule: rules.schedule,
        max_picks: rules.max_picks,
        show_live: rules.show_live,
        voter_check: rules.voter_check,
        candidate_count: col(r, "candidates")?,
        ballots: (staff || rules.counts_visible(phase)).then(|| col(r, "ballots")).transpose()?,
    })
}

/// The rules of one round, on the caller's connection.
pub async fn rules_in(conn: &mut AnyConnection, id: i64) -> Result<RoundRules, AppError> {
    let row = sqlx::query(
        "SELECT id, nominate_from, vote_from, vote_until, publish_at, max_picks, show_live, voter_check \
         FROM rounds WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(AppError::not_found)?;
    rules_of(&row)
}

/// The candidate ids of a round, in order.
pub async fn candidate_ids(conn: &mut AnyConnection, round_id: i64) -> Result<Vec<i64>, AppError> {
    let rows = sqlx::query("SELECT id FROM candidates WHERE round_id = $1 ORDER BY id")
        .bind(round_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| col(r, "id")).collect()
}

/// Every round, newest first (public). `staff` sees counts whatever the round's setting.
pub async fn list(store: &Store, staff: bool) -> Result<Vec<RoundSummary>, AppError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM rounds r ORDER BY r.vote_from DESC, r.id DESC LIMIT 200"))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| summary(r, staff)).collect()
}

/// One round with its candidates (tallied when counts are visible, or for staff), its published results,
/// and, once voting has closed, its integrity report. One connection, one read transaction.
pub async fn detail(state: &AppState, id: i64, staff: bool) -> Result<RoundDetail, AppError> {
    let store = &state.store;
    let mut conn = store.pool().acquire().await?;
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM rounds r WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let summary = summary(&row, staff)?;
    let visible = summary.ballots.is_some();
    let tally: Vec<(i64, i64)> = if visible {
        sqlx::query("SELECT candidate_id, COUNT(*) AS n FROM ballot_picks WHERE round_id = $1 GROUP BY candidate_id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((col(r, "candidate_id")?, col(r, "n")?)))
            .collect::<Result<_, AppError>>()?
    } else {
        Vec::new()
    };
    let rows = sqlx::query("SELECT id, food, category, reason FROM candidates WHERE round_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut candidates = rows
        .iter()
        .map(|r| {
            let cid: i64 = col(r, "id")?;
            Ok(CandidateView {
                id: cid,
                food: col(r, "food")?,
                category: col(r, "category")?,
                reason: col(r, "reason")?,
                votes: visible.then(|| tally.iter().find(|(c, _)| *c == cid).map(|(_, n)| *n).unwrap_or(0)),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    if visible {
        candidates.sort_by_key(|c| (std::cmp::Reverse(c.votes), c.id));
    }
    let integrity =
        if summary.phase.is_closed() { Some(integrity_in(&mut conn, id, summary.voter_check).await?) } else { None };
    let description: String = col(&row, "description")?;
    drop(conn);
    let results = if summary.phase == Phase::Published || staff {
        crate::sampling::of_round(state, id).await?
    } else {
        Vec::new()
    };
    Ok(RoundDetail { summary, description, candidates, results, integrity })
}

/// The integrity report of a round.
pub async fn integrity_in(conn: &mut AnyConnection, id: i64, method: VoterCheck) -> Result<IntegrityReport, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS ballots, COUNT(DISTINCT voter_hash) AS voters, CAST(COALESCE(SUM(revision), 0) AS BIGINT) AS submissions \
         FROM ballots WHERE round_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let ballots: i64 = col(&row, "ballots")?;
    let submissions: i64 = col(&row, "submissions")?;
    let refused = sqlx::query("SELECT reason, n FROM ballot_refusals WHERE round_id = $1 ORDER BY reason")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .filter_map(|r| {
            let reason = RefusalReason::parse(&col::<String>(r, "reason").ok()?)?;
            Some(Refusal { reason, count: col(r, "n").ok()? })
        })
        .collect();
    // How concentrated the ballots are: distinct networks, the ballots of the ten biggest, and ballots cast by
    // devices issued less than an hour before.
    let spread = sqlx::query(
        "SELECT COUNT(*) AS networks, CAST(COALESCE(SUM(CASE WHEN pos <= 10 THEN n ELSE 0 END), 0) AS BIGINT) AS top \
         FROM (SELECT COUNT(*) AS n, ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC) AS pos FROM ballots \
               WHERE round_id = $1 AND network_hash IS NOT NULL GROUP BY network_hash) nets",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let new_device_ballots: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ballots WHERE round_id = $1 AND device_minted_at IS NOT NULL AND created_at - device_minted_at < $2",
    )
    .bind(id)
    .bind(domain::picks::NEW_DEVICE_SECS)
    .fetch_one(&mut *conn)
    .await?;
    Ok(IntegrityReport {
        ballots,
        distinct_voters: col(&row, "voters")?,
        submissions,
        replaced: submissions - ballots,
        refused,
        method,
        networks: col(&spread, "networks")?,
        top_networks_ballots: col(&spread, "top")?,
        new_device_ballots,
    })
}

fn check_sms(state: &AppState, r: &RoundInput) -> Result<(), AppError> {
    if r.voter_check == VoterCheck::Sms && state.config.sms_url.is_none() {
        return Err(AppError::field(ErrCode::SmsNotConfigured, "voter_check"));
    }
    Ok(())
}

/// Creates a round. A round verified by SMS needs a configured gateway.
pub async fn create_round(state: &AppState, actor: &Actor, r: &RoundInput) -> Result<i64, AppError> {
    check_sms(state, r)?;
    let store = &state.store;
    let t = now();
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO rounds (title, description, nominate_from, vote_from, vote_until, publish_at, max_picks, \
         show_live, voter_check, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(&r.title)
    .bind(&r.description)
    .bind(r.schedule.nominate_from)
    .bind(r.schedule.vote_from)
    .bind(r.schedule.vote_until)
    .bind(r.schedule.publish_at)
    .bind(r.max_picks)
    .bind(i64::from(r.show_live))
    .bind(r.voter_check.as_str())
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = col(&row, "id")?;
    journal_steps(&mut tx, id, &r.title, &r.schedule, t).await?;
    audit::record(&mut tx, actor, Entry::new(A::RoundCreate).target(&format!("round:{id}")).detail(&r.title)).await?;
    tx.commit().await?;
    store.announce(Change::Picks);
    Ok(id)
}

/// Edits a round. Once voting has opened by the stored dates, the voter check, the number of picks and the opening
/// itself are fixed: ballots already cast were made under them, and moving `vote_from` into the future would
/// turn the round back into one whose rules may change (then back again). The opening's day typed again (the
/// form has days, the stored time may have seconds) keeps the stored time; any other day is refused.
pub async fn update_round(state: &AppState, actor: &Actor, id: i64, r: &RoundInput) -> Result<(), AppError> {
    check_sms(state, r)?;
    let store = &state.store;
    let mut r = r.clone();
    let mut tx = store.begin_write().await?;
    // PostgreSQL: two edits at once are taken one after the other, each checked against what the other left.
    store.dialect().lock_row(&mut tx, "rounds", id).await?;
    let old = rules_in(&mut tx, id).await?;
    if old.schedule.vote_from <= now() {
        if old.voter_check != r.voter_check {
            return Err(AppError::field(ErrCode::PhaseClosed, "voter_check"));
        }
        if old.max_picks != r.max_picks {
            return Err(AppError::field(ErrCode::PhaseClosed, "max_picks"));
        }
        if day_of(r.schedule.vote_from) != day_of(old.schedule.vote_from) {
            return Err(AppError::field(ErrCode::PhaseClosed, "vote_from"));
        }
        r.schedule.vote_from = old.schedule.vote_from;
        r.schedule.check()?;
    }
    sqlx::query(
        "UPDATE rounds SET title = $1, description = $2, nominate_from = $3, vote_from = $4, vote_until = $5, \
         publish_at = $6, max_picks = $7, show_live = $8, voter_check = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&r.title)
    .bind(&r.description)
    .bind(r.schedule.nominate_from)
    .bind(r.schedule.vote_from)
    .bind(r.schedule.vote_until)
    .bind(r.schedule.publish_at)
    .bind(r.max_picks)
    .bind(i64::from(r.show_live))
    .bind(r.voter_check.as_str())
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    journal_steps(&mut tx, id, &r.title, &r.schedule, now()).await?;
    // The round's failing batches are public with its results: their happenings wait for the new date.
    sqlx::query(
        "UPDATE follow_events SET due_at = $1 WHERE kind = 'batch' AND dispatched_at IS NULL AND event_key IN \
         (SELECT 'batch-' || CAST(id AS TEXT) FROM sampling_batches WHERE round_id = $2)",
    )
    .bind(r.schedule.publish_at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, Entry::new(A::RoundUpdate).target(&format!("round:{id}")).detail(&r.title)).await?;
    tx.commit().await?;
    store.announce(Change::Picks);
    Ok(())
}

/// A round's three steps as happenings for its followers, each due at its time (rewritten while waiting).
async fn journal_steps(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    s: &domain::picks::Schedule,
    t: i64,
) -> Result<(), AppError> {
    for (kind, at) in [
        (EntryKind::VotingOpens, s.vote_from),
        (EntryKind::VotingCloses, s.vote_until),
        (EntryKind::ResultsPublished, s.publish_at),
    ] {
        let mut h =
            Happening::new(kind, id, format!("{title}：{}", kind.label().get(Lang::Zh)), format!("/picks/{id}"), at);
        h.round_id = id.to_string();
        crate::journal::record_in(conn, &h, t).await?;
    }
    Ok(())
}

/// Inserts a candidate on the caller's transaction; the same food twice in a round is a 409 naming `food`.
pub(crate) async fn insert_candidate(
    conn: &mut AnyConnection,
    round_id: i64,
    c: &CandidateInput,
) -> Result<i64, AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM candidates WHERE round_id = $1")
        .bind(round_id)
        .fetch_one(&mut *conn)
        .await?;
    if n as usize >= MAX_CANDIDATES {
        return Err(AppError::field(ErrCode::TooMany, "food"));
    }
    let row = sqlx::query(
        "INSERT INTO candidates (round_id, food, category, reason, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (round_id, food) DO NOTHING RETURNING id",
    )
    .bind(round_id)
    .bind(&c.food)
    .bind(&c.category)
    .bind(&c.reason)
    .bind(now())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::field(ErrCode::Conflict, "food"))?;
    col(&row, "id")
}

/// Staff add a candidate, until voting closes (a candidate added during voting joins the ballot at once).
pub async fn add_candidate(store: &Store, actor: &Actor, round_id: i64, c: &CandidateInput) -> Result<i64, AppError> {
    let mut tx = store.begin_write().await?;
    let rules = rules_in(&mut tx, round_id).await?;
    if rules.phase().is_closed() {
        return Err(AppError::field(ErrCode::PhaseClosed, "food"));
    }
    let id = insert_candidate(&mut tx, round_id, c).await?;
    audit::record(&mut tx, actor, Entry::new(A::CandidateAdd).target(&format!("round:{round_id}")).detail(&c.food))
        .await?;
    tx.commit().await?;
    store.announce(Change::Picks);
    Ok(id)
}
