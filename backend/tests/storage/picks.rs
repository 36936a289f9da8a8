//! 你点我检 and sampling results in storage: every case on SQLite and on the real PostgreSQL.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::clock::now;
use backend::picks::{self, nominations, BallotWriter};
use backend::sampling;
use backend::staff::audit::Actor;
use backend::Store;
use domain::cases::day_of;
use domain::credit::EventKind;
use domain::picks::{
    CandidateInput, NominationDecision, NominationStatus, RefusalReason, RoundInput, Schedule, VoterCheck,
};
use domain::sampling::{ResultsQuery, SamplingFields};
use domain::ErrCode;

on_both!(
    one_ballot_per_voter_across_instances_and_concurrent_submissions,
    bad_ballots_are_refused_counted_and_store_nothing,
    nominations_are_moderated_and_the_nominator_sees_the_outcome,
    counts_are_hidden_until_close_when_the_round_says_so,
    a_failing_batch_moves_the_business_grade,
    demo_rounds_and_results_load_once,
    a_rounds_rules_are_fixed_once_voting_opened,
    a_failing_round_batch_moves_the_grade_on_the_rounds_date,
);

const DAY: i64 = 86_400;

/// A round in the given phase now: `offset` days shift its schedule (0 = voting now).
fn round(phase_offset_days: i64, show_live: bool) -> RoundInput {
    let t = now() - phase_offset_days * DAY;
    RoundInput {
        title: "第一期".into(),
        description: "说明".into(),
        schedule: Schedule {
            nominate_from: t - 10 * DAY,
            vote_from: t - DAY,
            vote_until: t + 5 * DAY,
            publish_at: t + 30 * DAY,
        },
        max_picks: 2,
        show_live,
        voter_check: VoterCheck::Device,
    }
}

fn food(name: &str) -> CandidateInput {
    CandidateInput { food: name.into(), category: "其他".into(), reason: String::new() }
}

/// A voting round with three candidates.
async fn voting_round(db: &TestDb, show_live: bool) -> (i64, Vec<i64>) {
    let id = picks::create_round(&db.state, &Actor::cli(), &round(0, show_live)).await.unwrap();
    let mut ids = Vec::new();
    for f in ["米粉", "豆芽", "卤肉"] {
        ids.push(picks::add_candidate(db.store(), &Actor::cli(), id, &food(f)).await.unwrap());
    }
    (id, ids)
}

/// The round `id` as stored, closed now by its end date (its opening, already passed, stays as it is).
async fn closed_now(db: &TestDb, id: i64, show_live: bool) -> RoundInput {
    let vote_from: i64 = sqlx::query_scalar("SELECT vote_from FROM rounds WHERE id = $1")
        .bind(id)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    let mut r = round(0, show_live);
    r.schedule =
        Schedule { nominate_from: vote_from - DAY, vote_from, vote_until: now() - 60, publish_at: now() + 20 * DAY };
    r
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap()
}

async fn one_ballot_per_voter_across_instances_and_concurrent_submissions(db: &TestDb) {
    let (id, c) = voting_round(db, true).await;
    // A second instance: its own pool and its own writer on the same database.
    let other = Store::connect(&db.url).await.unwrap();
    let second = BallotWriter::start(other.clone());
    let first = db.state.ballots.clone();
    // Fifty concurrent ballots from one voter, split across the instances, with different picks.
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let w = if i % 2 == 0 { first.clone() } else { second.clone() };
            let picks = if i % 3 == 0 { vec![c[0]] } else { vec![c[1], c[2]] };
            tokio::spawn(async move { w.cast(id, "same-voter", &picks).await })
        })
        .collect();
    // And 100 distinct voters at the same time.
    let others: Vec<_> = (0..100)
        .map(|i| {
            let w = if i % 2 == 0 { first.clone() } else { second.clone() };
            let pick = c[i % 3];
            tokio::spawn(async move { w.cast(id, &format!("voter-{i}"), &[pick]).await })
        })
        .collect();
    let mut replaced = 0;
    for t in tasks {
        replaced += i64::from(t.await.unwrap().unwrap().replaced);
    }
    for t in others {
        assert!(!t.await.unwrap().unwrap().replaced);
    }
    assert_eq!(replaced, 49, "every submission but the first replaced an earlier one");
    assert_eq!(count(db.store(), "SELECT COUNT(*) FROM ballots WHERE voter_hash = 'same-voter'").await, 1);
    // The stored picks are exactly those of the stored ballot: no mixture of two submissions.
    let mine = picks::ballots::ballot_of(db.store(), id, "same-voter").await.unwrap().unwrap();
    let stored = count(
        db.store(),
        "SELECT COUNT(*) FROM ballot_picks p JOIN ballots b ON b.id = p.ballot_id WHERE b.voter_hash = 'same-voter'",
    )
    .await;
    assert_eq!(stored as usize, mine.len());
    let detail = picks::detail(&db.state, id, false).await.unwrap();
    assert_eq!(detail.summary.ballots, Some(101));
    let total: i64 = detail.candidates.iter().map(|c| c.votes.unwrap()).sum();
    assert_eq!(total, 100 + mine.len() as i64);
    // The database itself refuses a second ballot row for the voter.
    let dup = sqlx::query("INSERT INTO ballots (round_id, voter_hash, picks, created_at, updated_at) VALUES ($1, 'same-voter', '1', 0, 0)")
        .bind(id)
        .execute(db.store().pool())
        .await;
    assert!(dup.is_err());
    other.close().await;
}

async fn bad_ballots_are_refused_counted_and_store_nothing(db: &TestDb) {
    let (id, c) = voting_round(db, true).await;
    let (other, oc) = voting_round(db, true).await;
    let w = &db.state.ballots;
    let err = |r: Result<_, domain::AppError>| {
        let e = r.unwrap_err();
        (e.code, e.field.unwrap_or_default())
    };
    assert_eq!(err(w.cast(id, "v", &[]).await), (ErrCode::Required, "candidate_ids".into()));
    assert_eq!(err(w.cast(id, "v", &c).await), (ErrCode::TooMany, "candidate_ids".into()));
    assert_eq!(err(w.cast(id, "v", &[c[0], c[0]]).await), (ErrCode::InvalidValue, "candidate_ids".into()));
    assert_eq!(err(w.cast(id, "v", &[oc[0]]).await), (ErrCode::InvalidValue, "candidate_ids".into()));
    assert_eq!(w.cast(9_999, "v", &[c[0]]).await.unwrap_err().code, ErrCode::NotFound);
    // A round not yet voting, and one whose vote has closed.
    let early = picks::create_round(&db.state, &Actor::cli(), &round(-3, true)).await.unwrap();
    assert_eq!(err(w.cast(early, "v", &[c[0]]).await).0, ErrCode::PhaseClosed);
    assert_eq!(count(db.store(), "SELECT COUNT(*) FROM ballots").await, 0);
    assert_eq!(count(db.store(), "SELECT COUNT(*) FROM ballot_picks").await, 0);
    // Refusals are written with the next batch: cast one good ballot to flush them.
    w.cast(other, "v", &[oc[1]]).await.unwrap();
    let invalid =
        count(db.store(), &format!("SELECT n FROM ballot_refusals WHERE round_id = {id} AND reason = 'invalid'")).await;
    assert_eq!(invalid, 4);
    let closed =
        count(db.store(), &format!("SELECT n FROM ballot_refusals WHERE round_id = {early} AND reason = 'closed'"))
            .await;
    assert_eq!(closed, 1);
    // Closing the round by its dates: the integrity report shows the refusals.
    picks::update_round(&db.state, &Actor::cli(), id, &closed_now(db, id, true).await).await.unwrap();
    let report = picks::detail(&db.state, id, false).await.unwrap().integrity.unwrap();
    assert_eq!(report.ballots, 0);
    assert!(report.refused.iter().any(|r| r.reason == RefusalReason::Invalid && r.count == 4));
    assert_eq!(err(w.cast(id, "late", &[c[0]]).await).0, ErrCode::PhaseClosed);
}

async fn nominations_are_moderated_and_the_nominator_sees_the_outcome(db: &TestDb) {
    let mut r = round(0, true);
    let t = now();
    r.schedule =
        Schedule { nominate_from: t - DAY, vote_from: t + DAY, vote_until: t + 5 * DAY, publish_at: t + 9 * DAY };
    let id = picks::create_round(&db.state, &Actor::cli(), &r).await.unwrap();
    let existing = picks::add_candidate(db.store(), &Actor::cli(), id, &food("米粉")).await.unwrap();
    let n1 = nominations::submit(db.store(), id, "nominator", Some("203.0.113.0/24"), &food("小龙虾")).await.unwrap();
    let n2 = nominations::submit(db.store(), id, "nominator", None, &food("绵阳米粉")).await.unwrap();
    let n3 = nominations::submit(db.store(), id, "nominator", None, &food("辣条")).await.unwrap();
    assert_eq!(nominations::pending(db.store(), 50).await.unwrap().len(), 3);
    let mod_ = Actor::cli();
    nominations::decide(db.store(), &mod_, n1, &NominationDecision::Approve).await.unwrap();
    nominations::decide(db.store(), &mod_, n2, &NominationDecision::Merge(existing)).await.unwrap();
    nominations::decide(db.store(), &mod_, n3, &NominationDecision::Reject("不属于食品".into())).await.unwrap();
    // Decided once only.
    assert_eq!(
        nominations::decide(db.store(), &mod_, n3, &NominationDecision::Approve).await.unwrap_err().code,
        ErrCode::NotFound
    );
    let mine = nominations::mine(db.store(), id, "nominator").await.unwrap();
    let status = |n: i64| mine.iter().find(|m| m.id == n).unwrap().clone();
    assert_eq!(status(n1).status, NominationStatus::Approved);
    assert_eq!((status(n2).status, status(n2).candidate_id), (NominationStatus::Merged, Some(existing)));
    assert_eq!(status(n3).decision_reason.as_deref(), Some("不属于食品"));
    assert!(nominations::mine(db.store(), id, "somebody-else").await.unwrap().is_empty());
    let foods: Vec<String> =
        picks::detail(&db.state, id, false).await.unwrap().candidates.into_iter().map(|c| c.food).collect();
    assert_eq!(foods, ["米粉", "小龙虾"]);
    // Approving a food already listed is a conflict (merge instead); merging into another round's candidate fails.
    let dup = nominations::submit(db.store(), id, "n2", None, &food("米粉")).await.unwrap();
    assert_eq!(
        nominations::decide(db.store(), &mod_, dup, &NominationDecision::Approve).await.unwrap_err().code,
        ErrCode::Conflict
    );
    let (_, elsewhere) = voting_round(db, true).await;
    let e = nominations::decide(db.store(), &mod_, dup, &NominationDecision::Merge(elsewhere[0])).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("candidate_id"));
    // The per-voter cap, and no nominations once voting has opened.
    for i in 0..2 {
        nominations::submit(db.store(), id, "nominator", None, &food(&format!("食品{i}"))).await.unwrap();
    }
    let capped = nominations::submit(db.store(), id, "nominator", None, &food("再来一个")).await.unwrap_err();
    assert_eq!((capped.code, capped.field.as_deref()), (ErrCode::Conflict, Some("food")));
    let (voting, _) = voting_round(db, true).await;
    assert_eq!(
        nominations::submit(db.store(), voting, "x", None, &food("晚了")).await.unwrap_err().code,
        ErrCode::PhaseClosed
    );
}

async fn counts_are_hidden_until_close_when_the_round_says_so(db: &TestDb) {
    let (id, c) = voting_round(db, false).await;
    for i in 0..5 {
        db.state.ballots.cast(id, &format!("v{i}"), &[c[2]]).await.unwrap();
    }
    let open = picks::detail(&db.state, id, false).await.unwrap();
    assert_eq!(open.summary.ballots, None);
    assert!(open.candidates.iter().all(|c| c.votes.is_none()));
    // Staff see them.
    assert_eq!(picks::detail(&db.state, id, true).await.unwrap().summary.ballots, Some(5));
    picks::update_round(&db.state, &Actor::cli(), id, &closed_now(db, id, false).await).await.unwrap();
    let closed = picks::detail(&db.state, id, false).await.unwrap();
    assert_eq!(closed.summary.ballots, Some(5));
    assert_eq!((closed.candidates[0].id, closed.candidates[0].votes), (c[2], Some(5)), "most votes first");
    assert_eq!(closed.integrity.unwrap().distinct_voters, 5);
}

async fn a_failing_batch_moves_the_business_grade(db: &TestDb) {
    let b = biz(42, "老王绵阳米粉", "涪城区临园路1号", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let batch = |verdict: &str, failures: &str| SamplingFields {
        food: "米粉".into(),
        food_category: "粮食加工品".into(),
        place: "restaurant".into(),
        credit_code: code(42),
        sampled_on: domain::clock::format_date(now() - 3 * DAY),
        items: "二氧化硫残留量\n苯甲酸".into(),
        verdict: verdict.into(),
        failures: failures.into(),
        ..Default::default()
    };
    let pass = batch("pass", "").parse().unwrap();
    let fail = batch("fail", "苯甲酸 | 0.6 g/kg | 不得使用").parse().unwrap();
    let before = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    // A report that is not a PDF stores nothing.
    let e = sampling::publish(db.store(), &Actor::cli(), &fail, Some(b"\x89PNG\r\n")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::UnsupportedMediaType, Some("report")));
    // An unknown business stores nothing either.
    let stranger =
        SamplingFields { credit_code: code(43), ..batch("fail", "苯甲酸 | 0.6 g/kg | 不得使用") }.parse().unwrap();
    assert_eq!(
        sampling::publish(db.store(), &Actor::cli(), &stranger, None).await.unwrap_err().field.as_deref(),
        Some("credit_code")
    );
    assert_eq!(count(db.store(), "SELECT COUNT(*) FROM sampling_batches").await, 0);
    sampling::publish(db.store(), &Actor::cli(), &pass, None).await.unwrap();
    let failed = sampling::publish(db.store(), &Actor::cli(), &fail, Some(b"%PDF-1.4 report")).await.unwrap();
    crate::fixtures::windows_pass(db.store()).await;
    let after = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert!(after.summary.score < before.summary.score, "{} -> {}", before.summary.score, after.summary.score);
    assert_eq!(after.events.iter().filter(|e| e.kind == EventKind::SamplingFailure).count(), 1);
    assert_eq!(sampling::report(db.store(), failed).await.unwrap().unwrap(), b"%PDF-1.4 report");
    // The public list filters by verdict, district and business.
    let q =
        |verdict: Option<&str>| ResultsQuery::parse(Some("米粉"), Some("涪城区"), verdict, None, None, None).unwrap();
    assert_eq!(sampling::list(&db.state, &q(None)).await.unwrap().total, 2);
    let only_fail = sampling::list(&db.state, &q(Some("fail"))).await.unwrap();
    assert_eq!(only_fail.items.len(), 1);
    assert_eq!(only_fail.items[0].failures[0].item, "苯甲酸");
    assert!(only_fail.items[0].has_report);
    let hostile = ResultsQuery::parse(Some("%_'\\"), None, None, None, None, None).unwrap();
    assert_eq!(sampling::list(&db.state, &hostile).await.unwrap().total, 0);
    let mine = ResultsQuery {
        credit_code: Some(code(42)),
        ..ResultsQuery::parse(None, None, None, None, None, None).unwrap()
    };
    assert_eq!(sampling::list(&db.state, &mine).await.unwrap().total, 2);
}

async fn demo_rounds_and_results_load_once(db: &TestDb) {
    backend::credit::seed::load(db.store(), 0, 200).await.unwrap();
    let ballots = picks::seed::load(&db.state, 44_000).await.unwrap();
    let results = sampling::seed::load(&db.state, 44_000).await.unwrap();
    assert!(ballots > 3000 && results >= 300, "{ballots} {results}");
    assert_eq!(picks::seed::load(&db.state, 44_000).await.unwrap(), 0);
    assert_eq!(sampling::seed::load(&db.state, 44_000).await.unwrap(), 0);
    let rounds = picks::list(db.store(), false).await.unwrap();
    assert_eq!(rounds.len(), 2);
    let open = rounds.iter().find(|r| r.phase == domain::picks::Phase::Voting).unwrap();
    assert_eq!(open.candidate_count, 15);
    let done = rounds.iter().find(|r| r.phase == domain::picks::Phase::Published).unwrap();
    let detail = picks::detail(&db.state, done.id, false).await.unwrap();
    assert_eq!(detail.results.len(), 10);
    assert!(detail.results.iter().any(|r| !r.passed));
    assert!(detail.integrity.unwrap().replaced > 0);
    // 核查处置 of the failing batches: the round's failing batch was taken off sale and a case opened; one record
    // somewhere is overdue; a 消费提示 about the first failing batch is on the home page.
    let round_fail = detail.results.iter().find(|r| !r.passed).unwrap();
    let line = domain::sampling::BatchesSummary::of(std::slice::from_ref(round_fail)).text(domain::Lang::Zh);
    assert!(line.contains("已下架 200 千克") && line.contains("已立案"), "{line}");
    let q = ResultsQuery { per_page: 100, ..ResultsQuery::parse(None, None, Some("fail"), None, None, None).unwrap() };
    let failing = sampling::list(&db.state, &q).await.unwrap().items;
    assert!(failing.iter().any(|b| b.disposal.as_ref().unwrap().overdue), "one record is overdue");
    assert!(count(db.store(), "SELECT COUNT(*) FROM disposal_steps").await >= 5);
    backend::news::seed::load(&db.state).await.unwrap();
    let alerts = backend::news::current_alerts(db.store(), 3, now()).await.unwrap();
    assert_eq!(alerts[0].batch_id, Some(round_fail.id));
}

/// Once voting has opened (by the stored dates) the voter check, the number of picks and the opening are fixed:
/// moving the opening into the future, changing the rules and moving it back must not work, in any order.
async fn a_rounds_rules_are_fixed_once_voting_opened(db: &TestDb) {
    let (id, _) = voting_round(db, true).await;
    let stored = || async {
        let row = sqlx::query("SELECT vote_from, max_picks FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_one(db.store().pool())
            .await
            .unwrap();
        (backend::store::col::<i64>(&row, "vote_from").unwrap(), backend::store::col::<i64>(&row, "max_picks").unwrap())
    };
    let (opened, picks_before) = stored().await;
    let edit = |f: &dyn Fn(&mut RoundInput)| {
        let mut r = round(0, true);
        r.schedule.vote_from = opened;
        f(&mut r);
        r
    };
    let refused = |r: Result<(), domain::AppError>| r.err().map(|e| (e.code, e.field.unwrap_or_default()));
    // The attack: the opening moved into the future, the rules changed, the opening moved back.
    let step1 =
        picks::update_round(&db.state, &Actor::cli(), id, &edit(&|r| r.schedule.vote_from = now() + 2 * DAY)).await;
    let step2 = picks::update_round(
        &db.state,
        &Actor::cli(),
        id,
        &edit(&|r| {
            r.schedule.vote_from = now() + 2 * DAY;
            r.max_picks = 3;
        }),
    )
    .await;
    let _ = picks::update_round(&db.state, &Actor::cli(), id, &edit(&|r| r.max_picks = 3)).await;
    assert_eq!(refused(step1), Some((ErrCode::PhaseClosed, "vote_from".into())));
    assert_eq!(refused(step2).map(|(c, _)| c), Some(ErrCode::PhaseClosed));
    assert_eq!(stored().await, (opened, picks_before), "the opening and the rules as they were");
    // Nor can the opening move earlier, or the rules change directly.
    let earlier =
        picks::update_round(&db.state, &Actor::cli(), id, &edit(&|r| r.schedule.vote_from = opened - 3 * DAY)).await;
    assert_eq!(refused(earlier), Some((ErrCode::PhaseClosed, "vote_from".into())));
    let more = picks::update_round(&db.state, &Actor::cli(), id, &edit(&|r| r.max_picks = 1)).await;
    assert_eq!(refused(more), Some((ErrCode::PhaseClosed, "max_picks".into())));
    // The form sends days: the opening's day typed again keeps the stored time, and other edits go through.
    let day_start = |t: i64| domain::cases::end_of_day(day_of(t)) + 1 - DAY;
    picks::update_round(
        &db.state,
        &Actor::cli(),
        id,
        &edit(&|r| {
            r.schedule.vote_from = day_start(opened);
            r.title = "第一期（改）".into();
        }),
    )
    .await
    .unwrap();
    assert_eq!(stored().await, (opened, picks_before));
    // A round not yet open may still change its rules and its opening.
    let later = picks::create_round(&db.state, &Actor::cli(), &round(-3, true)).await.unwrap();
    let mut r = round(-4, true);
    r.max_picks = 3;
    picks::update_round(&db.state, &Actor::cli(), later, &r).await.unwrap();
}

/// A failing batch uploaded for a round before the round's results are due changes nothing public: not the list,
/// not the business's events or grade. When the date comes, the event is recorded, once, and the grade moves.
async fn a_failing_round_batch_moves_the_grade_on_the_rounds_date(db: &TestDb) {
    let b = biz(44, "某某米粉店", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let (round, _) = voting_round(db, true).await;
    let fail = SamplingFields {
        round_id: round.to_string(),
        food: "米粉".into(),
        food_category: "粮食加工品".into(),
        place: "restaurant".into(),
        credit_code: code(44),
        sampled_on: domain::clock::format_date(now() - 3 * DAY),
        items: "苯甲酸".into(),
        verdict: "fail".into(),
        failures: "苯甲酸 | 0.6 g/kg | 不得使用".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let before = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    sampling::publish(db.store(), &Actor::cli(), &fail, None).await.unwrap();
    let failures =
        |d: &domain::credit::BusinessDetail| d.events.iter().filter(|e| e.kind == EventKind::SamplingFailure).count();
    let now_ = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((failures(&now_), now_.summary.score), (0, before.summary.score), "nothing before the round's date");
    assert_eq!(sampling::record_due_failures(db.store()).await.unwrap(), 0);
    // The round's results come due.
    sqlx::query("UPDATE rounds SET vote_until = $1, publish_at = $2 WHERE id = $3")
        .bind(now() - 120)
        .bind(now() - 60)
        .bind(round)
        .execute(db.store().pool())
        .await
        .unwrap();
    let (a, b2) = tokio::join!(sampling::record_due_failures(db.store()), sampling::record_due_failures(db.store()));
    assert_eq!(a.unwrap() + b2.unwrap(), 1, "recorded once, however many instances look");
    crate::fixtures::windows_pass(db.store()).await;
    let after = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!(failures(&after), 1);
    assert!(after.summary.score < before.summary.score);
    assert_eq!(sampling::record_due_failures(db.store()).await.unwrap(), 0);
}
