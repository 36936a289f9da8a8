//! Ballots. A ballot is checked against its round (phase, 1..N distinct candidates of the round), then
//! written by one writer task that batches concurrent ballots into one transaction (group commit): on SQLite
//! with `synchronous = FULL`, so an acknowledged ballot survives power loss, at the cost of one sync per batch
//! rather than per ballot. Each request is answered after its batch commits. One ballot per voter per round is
//! a database constraint (`UNIQUE (round_id, voter_hash)`), so it holds across instances; a later ballot of the
//! same voter replaces the earlier one until voting closes.

use super::rounds::{candidate_ids, rules_in, RoundRules};
use crate::clock::now;
use crate::config::DbKind;
use crate::store::{col, Change, Store};
use domain::picks::{check_ballot, BallotReceipt, Phase, RefusalReason};
use domain::{AppError, ErrCode};
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Most ballots in one transaction.
pub const MAX_BATCH: usize = 512;
/// Ballots waiting for the writer; callers wait for room beyond this.
const QUEUE: usize = 8192;
/// How long a round's rules and candidates are reused for checking ballots on this instance.
const RULES_TTL: Duration = Duration::from_secs(2);

/// A round's rules and candidate ids, and when they were read.
/// When it was read, and how many changes of 你点我检 this instance had announced then: a round edited on this
/// instance is read afresh by the very next ballot (the cache follows the change notifier; other instances' edits
/// within the TTL).
type CachedRound = (Instant, u64, RoundRules, Vec<i64>);

enum Job {
    Ballot {
        round_id: i64,
        voter_hash: String,
        picks: Vec<i64>,
        origin: Origin,
        done: oneshot::Sender<Result<bool, AppError>>,
    },
    Refusal {
        round_id: i64,
        reason: RefusalReason,
    },
}

/// Where a ballot came from, for the integrity report: a keyed hash of its network (per round; never the
/// address) and when the device token that cast it was issued. Stored from the ballot's first submission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub network_hash: Option<String>,
    pub device_minted_at: Option<i64>,
}

/// The group-commit writer of ballots (one per instance). Cheap to clone.
#[derive(Clone, Debug)]
pub struct BallotWriter {
    queue: mpsc::Sender<Job>,
    rounds: Arc<Mutex<HashMap<i64, CachedRound>>>,
    store: Store,
    batches: Arc<AtomicU64>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl BallotWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> BallotWriter {
        let (queue, rx) = mpsc::channel(QUEUE);
        let batches = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(store.clone(), rx, batches.clone()));
        BallotWriter { queue, rounds: Arc::default(), store, batches }
    }

    /// Transactions written so far (each holds one or more ballots).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// The round's rules and candidate ids, from a two-second cache.
    pub async fn round(&self, round_id: i64) -> Result<(RoundRules, Vec<i64>), AppError> {
        let generation = self.store.announced(Change::Picks);
        if let Some((at, seen, rules, ids)) = self.rounds.lock().ok().and_then(|m| m.get(&round_id).cloned()) {
            if at.elapsed() < RULES_TTL && seen == generation {
                return Ok((rules, ids));
            }
        }
        let mut conn = self.store.pool().acquire().await?;
        let rules = rules_in(&mut conn, round_id).await?;
        let ids = candidate_ids(&mut conn, round_id).await?;
        drop(conn);
        if let Ok(mut m) = self.rounds.lock() {
            if m.len() > 1000 {
                m.clear();
            }
            m.insert(round_id, (Instant::now(), generation, rules.clone(), ids.clone()));
        }
        Ok((rules, ids))
    }

    /// Checks a ballot against its round without casting it: the round's rules and the picks, sorted.
    /// Refusals are counted for the round's integrity report: outside voting 409 `phase_closed`; bad picks 400
    /// naming `candidate_ids`.
    pub async fn check(&self, round_id: i64, picks: &[i64]) -> Result<(RoundRules, Vec<i64>), AppError> {
        let (rules, ids) = self.round(round_id).await?;
        if rules.phase() != Phase::Voting {
            self.refuse(round_id, RefusalReason::Closed).await;
            return Err(AppError::field(ErrCode::PhaseClosed, "candidate_ids"));
        }
        match check_ballot(picks, &ids, rules.max_picks) {
            Ok(p) => Ok((rules, p)),
            Err(e) => {
                self.refuse(round_id, RefusalReason::Invalid).await;
                Err(e)
            }
        }
    }

    /// Checks and casts a ballot for `voter_hash`, of unknown origin; answers once it is durably committed.
    pub async fn cast(&self, round_id: i64, voter_hash: &str, picks: &[i64]) -> Result<BallotReceipt, AppError> {
        self.cast_from(round_id, voter_hash, picks, Origin::default()).await
    }

    /// Checks and casts a ballot for `voter_hash` from `origin`; answers once it is durably committed.
    pub async fn cast_from(
        &self,
        round_id: i64,
        voter_hash: &str,
        picks: &[i64],
        origin: Origin,
    ) -> Result<BallotReceipt, AppError> {
        let (_, picks) = self.check(round_id, picks).await?;
        let (done, answer) = oneshot::channel();
        let job = Job::Ballot { round_id, voter_hash: voter_hash.to_owned(), picks: picks.clone(), origin, done };
        self.queue.send(job).await.map_err(|_| AppError::new(ErrCode::Unavailable))?;
        let replaced = answer.await.map_err(|_| AppError::new(ErrCode::Unavailable))??;
        Ok(BallotReceipt { round_id, candidate_ids: picks, replaced })
    }

    /// Counts a refused submission for the round's integrity report (written with the next batch).
    pub async fn refuse(&self, round_id: i64, reason: RefusalReason) {
        let _ = self.queue.send(Job::Refusal { round_id, reason }).await;
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>, batches: Arc<AtomicU64>) {
    while let Some(first) = rx.recv().await {
        batches.fetch_add(1, Ordering::Relaxed);
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match write(&store, &batch).await {
            Ok(outcomes) => answer(batch, outcomes),
            Err(e) => {
                // One bad ballot must not sink its neighbours: write each on its own.
                tracing::warn!(error = %e, size = batch.len(), "ballot batch failed; writing one by one");
                for job in batch {
                    let outcome = write(&store, std::slice::from_ref(&job)).await;
                    answer(vec![job], outcome.unwrap_or_else(|e| vec![Err(e)]));
                }
            }
        }
    }
}

fn answer(batch: Vec<Job>, outcomes: Vec<Result<bool, AppError>>) {
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        if let Job::Ballot { done, .. } = job {
            let _ = done.send(outcome);
        }
    }
}

/// Writes a batch in one transaction; one outcome per job (refusals always `Ok(false)`).
async fn write(store: &Store, batch: &[Job]) -> Result<Vec<Result<bool, AppError>>, AppError> {
    let mut conn = store.pool().acquire().await?;
    let dialect = store.dialect();
    dialect.sync_fully(&mut conn).await?;
    let result = write_on(&mut conn, dialect, batch).await;
    dialect.relax(&mut conn).await;
    result
}

async fn write_on(
    conn: &mut AnyConnection,
    dialect: DbKind,
    batch: &[Job],
) -> Result<Vec<Result<bool, AppError>>, AppError> {
    let t = now();
    // A sqlx transaction: rolled back if anything fails or the future is dropped, never left open.
    let mut tx = sqlx::Connection::begin_with(&mut *conn, dialect.begin_write()).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut refusals: HashMap<(i64, RefusalReason), i64> = HashMap::new();
    for job in batch {
        match job {
            Job::Refusal { round_id, reason } => {
                *refusals.entry((*round_id, *reason)).or_default() += 1;
                outcomes.push(Ok(false));
            }
            Job::Ballot { round_id, voter_hash, picks, origin, .. } => {
                let outcome = upsert(&mut tx, *round_id, voter_hash, picks, origin, t).await?;
                if outcome.is_err() {
                    *refusals.entry((*round_id, RefusalReason::Closed)).or_default() += 1;
                }
                outcomes.push(outcome);
            }
        }
    }
    for ((round_id, reason), n) in &refusals {
        sqlx::query(
            "INSERT INTO ballot_refusals (round_id, reason, n) VALUES ($1, $2, $3) \
             ON CONFLICT (round_id, reason) DO UPDATE SET n = ballot_refusals.n + excluded.n",
        )
        .bind(round_id)
        .bind(reason.as_str())
        .bind(n)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One ballot: insert or replace the voter's ballot while the round is voting at `t`, then its picks.
/// `Ok(Ok(replaced))`, or `Ok(Err(phase_closed))` when voting closed before the batch committed.
async fn upsert(
    conn: &mut AnyConnection,
    round_id: i64,
    voter_hash: &str,
    picks: &[i64],
    origin: &Origin,
    t: i64,
) -> Result<Result<bool, AppError>, AppError> {
    // The origin is the first submission's; a ballot stored before ballots recorded it takes the next one's.
    let row = sqlx::query(
        "INSERT INTO ballots (round_id, voter_hash, picks, revision, created_at, updated_at, network_hash, device_minted_at) \
         SELECT id, $2, $3, 1, $4, $4, $5, $6 FROM rounds WHERE id = $1 AND vote_from <= $4 AND vote_until > $4 \
         ON CONFLICT (round_id, voter_hash) DO UPDATE SET picks = excluded.picks, \
         revision = ballots.revision + 1, updated_at = excluded.updated_at, \
         network_hash = COALESCE(ballots.network_hash, excluded.network_hash), \
         device_minted_at = COALESCE(ballots.device_minted_at, excluded.device_minted_at) RETURNING id, revision",
    )
    .bind(round_id)
    .bind(voter_hash)
    .bind(picks.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
    .bind(t)
    .bind(origin.network_hash.as_deref())
    .bind(origin.device_minted_at)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(Err(AppError::field(ErrCode::PhaseClosed, "candidate_ids"))) };
    let id: i64 = col(&row, "id")?;
    let revision: i64 = col(&row, "revision")?;
    if revision > 1 {
        sqlx::query("DELETE FROM ballot_picks WHERE ballot_id = $1").bind(id).execute(&mut *conn).await?;
    }
    let values: Vec<String> = (0..picks.len()).map(|i| format!("($1, $2, ${})", i + 3)).collect();
    let sql = format!("INSERT INTO ballot_picks (ballot_id, round_id, candidate_id) VALUES {}", values.join(", "));
    let mut q = sqlx::query(&sql).bind(id).bind(round_id);
    for p in picks {
        q = q.bind(*p);
    }
    q.execute(&mut *conn).await?;
    Ok(Ok(revision > 1))
}

/// The picks of one voter's ballot in a round, if any.
pub async fn ballot_of(store: &Store, round_id: i64, voter_hash: &str) -> Result<Option<Vec<i64>>, AppError> {
    let picks: Option<String> = sqlx::query_scalar("SELECT picks FROM ballots WHERE round_id = $1 AND voter_hash = $2")
        .bind(round_id)
        .bind(voter_hash)
        .fetch_optional(store.pool())
        .await?;
    Ok(picks.map(|p| p.split(',').filter_map(|n| n.parse().ok()).collect()))
}

#[cfg(test)]
mod tests {
    use crate::testing::{Backend, TestDb};
    use domain::picks::{CandidateInput, RoundInput, Schedule, VoterCheck};

    /// Group commit: 200 concurrent ballots are all committed and answered, in fewer transactions than ballots.
    #[tokio::test]
    async fn concurrent_ballots_share_transactions_and_all_commit() {
        let db = TestDb::new(Backend::Sqlite).await;
        let t = crate::clock::now();
        let round = RoundInput {
            title: "t".into(),
            description: String::new(),
            schedule: Schedule { nominate_from: t - 10, vote_from: t - 10, vote_until: t + 3600, publish_at: t + 7200 },
            max_picks: 2,
            show_live: true,
            voter_check: VoterCheck::Device,
        };
        let actor = crate::staff::audit::Actor::cli();
        let id = crate::picks::create_round(&db.state, &actor, &round).await.unwrap();
        let food = CandidateInput { food: "米粉".into(), category: "其他".into(), reason: String::new() };
        let a = crate::picks::add_candidate(db.store(), &actor, id, &food).await.unwrap();
        let writer = db.state.ballots.clone();
        let before = writer.batches();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let w = writer.clone();
                tokio::spawn(async move { w.cast(id, &format!("voter-{i}"), &[a]).await })
            })
            .collect();
        for t in tasks {
            assert!(!t.await.unwrap().unwrap().replaced);
        }
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ballot_picks").fetch_one(db.store().pool()).await.unwrap();
        assert_eq!(n, 200);
        let used = writer.batches() - before;
        assert!(used < 200, "200 ballots took {used} transactions");
        // A voter's second ballot replaces the first.
        assert!(writer.cast(id, "voter-1", &[a]).await.unwrap().replaced);
        db.cleanup().await;
    }
}
