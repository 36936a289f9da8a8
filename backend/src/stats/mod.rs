//! Live statistics for `/stats`, the home page and `GET /api/v1/stats`: every figure counted from the tables,
//! at most once per [`TTL`] per instance (counting the 44 k registry on every uncached home page made it ten
//! times slower). An empty database gives zeros.

use crate::cases::calendar;
use crate::clock::now;
use crate::store::{col, Change, Store};
use domain::cases::{deadline, CaseKind, CaseState};
use domain::credit::{District, Grade};
use domain::stats::{DistrictStats, Stats};
use domain::AppError;

fn grade_slot(g: &str) -> Option<usize> {
    Some(match Grade::parse(g)? {
        Grade::A => 0,
        Grade::B => 1,
        Grade::C => 2,
        Grade::D => 3,
    })
}

fn empty(district: &str) -> DistrictStats {
    DistrictStats {
        district: district.to_owned(),
        businesses: 0,
        grades: [0; 4],
        batches: 0,
        batches_passed: 0,
        substantiated_cases: 0,
        index: None,
    }
}

/// How long counted statistics are reused.
pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// Statistics as counted: when, at which count of [`Change::Cases`] announced on this instance, and what.
#[derive(Debug)]
pub struct Counted {
    at: std::time::Instant,
    cases: u64,
    stats: Stats,
}

/// The statistics, counted at most once per [`TTL`], and again once this instance has recorded a rating or a
/// decision (the satisfaction figures move with them): callers arriving while they are being counted wait for
/// that count instead of starting their own.
pub async fn cached(state: &crate::AppState) -> Result<Stats, AppError> {
    let mut slot = state.stats.lock().await;
    let cases = state.store.announced(Change::Cases);
    if let Some(c) = slot.as_ref() {
        if c.at.elapsed() < TTL && c.cases == cases {
            return Ok(c.stats.clone());
        }
    }
    let s = compute(&state.store).await?;
    *slot = Some(Counted { at: std::time::Instant::now(), cases, stats: s.clone() });
    Ok(s)
}

/// Computes the statistics now. One connection, a handful of grouped queries.
pub async fn compute(store: &Store) -> Result<Stats, AppError> {
    let t = now();
    let mut conn = store.pool().acquire().await?;
    let mut s = Stats { computed_at: t, ..Stats::default() };
    // Every known district is listed, even with nothing in it yet.
    s.districts = District::ALL.iter().map(|d| empty(d.as_str())).collect();
    fn slot<'a>(s: &'a mut Stats, district: &str) -> &'a mut DistrictStats {
        if let Some(i) = s.districts.iter().position(|d| d.district == district) {
            &mut s.districts[i]
        } else {
            s.districts.push(empty(district));
            s.districts.last_mut().expect("just pushed")
        }
    }

    let rows = sqlx::query("SELECT district, grade, COUNT(*) AS n FROM businesses GROUP BY district, grade")
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        let (district, grade, n): (String, String, i64) = (col(r, "district")?, col(r, "grade")?, col(r, "n")?);
        s.businesses += n;
        let d = slot(&mut s, &district);
        d.businesses += n;
        if let Some(g) = grade_slot(&grade) {
            d.grades[g] += n;
            s.grades[g] += n;
        }
    }

    // Only public batches: a round's are counted from its results' date (crate::sampling::public_at).
    let rows = sqlx::query(&format!(
        "SELECT s.district AS district, s.passed AS passed, COUNT(*) AS n FROM sampling_batches s WHERE {} \
         GROUP BY s.district, s.passed",
        crate::sampling::public_at(1)
    ))
    .bind(t)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (district, passed, n): (String, i64, i64) = (col(r, "district")?, col(r, "passed")?, col(r, "n")?);
        s.batches += n;
        let d = slot(&mut s, &district);
        d.batches += n;
        if passed != 0 {
            d.batches_passed += n;
            s.batches_passed += n;
        }
    }

    s.rounds_held =
        sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE vote_until <= $1").bind(t).fetch_one(&mut *conn).await?;
    s.ballots = sqlx::query_scalar("SELECT COUNT(*) FROM ballots").fetch_one(&mut *conn).await?;

    s.cases_received = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&mut *conn).await?;
    s.cases_accepted = sqlx::query_scalar("SELECT COUNT(DISTINCT case_id) FROM case_events WHERE state = 'accepted'")
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(
        "SELECT b.district AS district, COUNT(DISTINCT e.case_id) AS n FROM case_events e \
         JOIN cases c ON c.id = e.case_id LEFT JOIN businesses b ON b.id = c.business_id \
         WHERE e.state = 'substantiated' GROUP BY b.district",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (district, n): (Option<String>, i64) = (col(r, "district")?, col(r, "n")?);
        s.cases_substantiated += n;
        if let Some(district) = district {
            slot(&mut s, &district).substantiated_cases += n;
        }
    }
    let cal = calendar::load_in(&mut conn).await?;
    let rows = sqlx::query(
        "SELECT c.kind AS kind, c.created_at AS created_at, MIN(e.at) AS decided FROM cases c \
         JOIN case_events e ON e.case_id = c.id AND e.state IN ('accepted', 'rejected') \
         GROUP BY c.id, c.kind, c.created_at",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (kind, created, decided): (String, i64, i64) = (col(r, "kind")?, col(r, "created_at")?, col(r, "decided")?);
        let Some(kind) = CaseKind::parse(&kind) else { continue };
        s.cases_decided += 1;
        if deadline(&cal, kind, CaseState::Submitted, created).is_some_and(|due| decided <= due) {
            s.cases_decided_on_time += 1;
        }
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(reward_amount), 0) AS BIGINT) AS amount FROM cases \
         WHERE reward_status = 'paid'",
    )
    .fetch_one(&mut *conn)
    .await?;
    s.rewards_paid = col(&row, "n")?;
    s.rewards_paid_amount = col(&row, "amount")?;
    s.satisfaction = crate::cases::satisfaction::figures_in(&mut conn).await?;
    s.volunteers = crate::volunteers::figures_in(&mut conn).await?;
    s.rank_districts();
    Ok(s)
}
