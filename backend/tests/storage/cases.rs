//! 投诉 / 举报 in storage, on SQLite and on the real PostgreSQL.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::cases::handle::{self, Transition};
use backend::images::{process, sample_png};
use backend::staff::audit::Actor;
use domain::cases::{CaseFields, CaseState, RejectReason, RewardLevel, RewardStatus};
use domain::credit::EventKind;
use domain::ErrCode;

on_both!(
    a_case_is_filed_whole_tracked_with_its_code_and_filed_once_per_key,
    cases_move_through_the_state_machine_with_clocks_credit_and_rewards,
    demo_cases_load_once,
    parallel_reward_moves_one_wins_and_is_audited_once,
    statutory_clocks_run_from_receipt_and_from_acceptance,
);

fn fields() -> CaseFields {
    CaseFields {
        kind: "举报".into(),
        business_name: "某某烧烤店".into(),
        category: "卫生状况".into(),
        description: "后厨老鼠出没，餐具未消毒。<b>不是标记</b>".into(),
        reporter_name: "张三".into(),
        reporter_phone: "13800001234".into(),
        ..Default::default()
    }
}

async fn a_case_is_filed_whole_tracked_with_its_code_and_filed_once_per_key(db: &TestDb) {
    let t = backend::clock::now();
    let photos =
        vec![process(&sample_png(30, 20, [1, 2, 3])).unwrap(), process(&sample_png(10, 10, [9, 9, 9])).unwrap()];
    let r = backend::cases::file(&db.state, &fields().parse(t).unwrap(), &photos, None).await.unwrap();
    assert!(r.tracking_no.starts_with("JB-") && r.access_code.len() == 10);
    let seen = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    assert_eq!((seen.state, seen.photos, seen.timeline.len()), (CaseState::Submitted, 2, 1));
    assert!(seen.deadline.is_some() && !seen.overdue);
    // A wrong code and an unknown number look alike; the code is case-insensitive.
    let wrong = backend::cases::track(&db.state, &r.tracking_no, "AAAAAAAAAA").await.unwrap_err();
    let unknown = backend::cases::track(&db.state, "JB-20000101-000000", &r.access_code).await.unwrap_err();
    assert_eq!((wrong.code, unknown.code), (ErrCode::NotFound, ErrCode::NotFound));
    assert!(backend::cases::track(&db.state, &r.tracking_no.to_lowercase(), &r.access_code.to_lowercase())
        .await
        .is_ok());
    // No plain phone number anywhere in the case row.
    let row: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT reporter_sealed FROM cases").fetch_one(db.store().pool()).await.unwrap();
    assert!(!String::from_utf8_lossy(&row.unwrap()).contains("13800001234"));
    // Ten concurrent submissions with one idempotency key: one case, one receipt.
    let keyed = CaseFields { idempotency_key: "form-7f3a".into(), ..fields() }.parse(t).unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (state, keyed, photos) = (db.state.clone(), keyed.clone(), photos.clone());
            tokio::spawn(async move { backend::cases::file(&state, &keyed, &photos, None).await })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap().unwrap());
    }
    assert!(receipts.windows(2).all(|w| w[0] == w[1]), "the same tracking number and code every time");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(db.store().pool()).await.unwrap();
    let p: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_photos").fetch_one(db.store().pool()).await.unwrap();
    assert_eq!((n, p), (2, 4), "every acknowledged case has all its photos, and nothing else was stored");
    // Six photos are refused before anything is written; an unknown business too.
    let six = vec![photos[0].clone(); 6];
    assert_eq!(
        backend::cases::file(&db.state, &fields().parse(t).unwrap(), &six, None).await.unwrap_err().code,
        ErrCode::TooMany
    );
    let stranger = CaseFields { credit_code: code(77), ..fields() }.parse(t).unwrap();
    let e = backend::cases::file(&db.state, &stranger, &photos, None).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("credit_code"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_photos").fetch_one(db.store().pool()).await.unwrap();
    assert_eq!(n, 4, "nothing half-stored");
}

async fn cases_move_through_the_state_machine_with_clocks_credit_and_rewards(db: &TestDb) {
    let b = biz(5, "某某烧烤店", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let t = backend::clock::now();
    let with_code = CaseFields { credit_code: code(5), ..fields() }.parse(t).unwrap();
    let r = backend::cases::file(&db.state, &with_code, &[], None).await.unwrap();
    let other = backend::cases::file(&db.state, &with_code, &[], None).await.unwrap();
    let id = |no: &str| {
        let no = no.to_owned();
        let pool = db.store().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM cases WHERE tracking_no = $1")
                .bind(no)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (a, dup) = (id(&r.tracking_no).await, id(&other.tracking_no).await);
    let staff = Actor::cli();
    let go =
        |to: CaseState| Transition {
            to: Some(to), note: "内部".into(), message: "公开".into(), ..Default::default()
        };
    // The duplicate hint, then the duplicate rejected and linked to the original.
    let detail = handle::detail(db.store(), dup).await.unwrap();
    assert_eq!(detail.similar, vec![r.tracking_no.clone()]);
    let e = handle::transition(
        &db.state,
        &staff,
        dup,
        &Transition { reject_reason: Some(RejectReason::Duplicate), ..go(CaseState::Rejected) },
    )
    .await
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("duplicate_of"));
    let linked = Transition {
        reject_reason: Some(RejectReason::Duplicate),
        duplicate_of: Some(r.tracking_no.clone()),
        ..go(CaseState::Rejected)
    };
    handle::transition(&db.state, &staff, dup, &linked).await.unwrap();
    assert_eq!(handle::detail(db.store(), dup).await.unwrap().duplicate_of, Some(r.tracking_no.clone()));
    // Not every move is allowed.
    let e = handle::transition(&db.state, &staff, a, &go(CaseState::Substantiated)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("to")));
    let before = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    for to in [CaseState::Accepted, CaseState::Investigating, CaseState::Substantiated] {
        handle::transition(&db.state, &staff, a, &go(to)).await.unwrap();
    }
    let after = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert!(after.events.iter().any(|e| e.kind == EventKind::SubstantiatedReport));
    assert!(after.summary.score < before.summary.score);
    // The reporter sees the public messages (never the notes) and the reward.
    let seen = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    assert_eq!(seen.timeline.len(), 4);
    assert!(seen.timeline.iter().skip(1).all(|e| e.message == "公开"));
    assert_eq!(seen.reward.as_ref().unwrap().status, RewardStatus::Eligible);
    handle::reward(db.store(), &staff, a, RewardStatus::Approved, Some(RewardLevel::One), Some(40_000)).await.unwrap();
    let e = handle::reward(db.store(), &staff, a, RewardStatus::Approved, Some(RewardLevel::One), Some(1))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrCode::Conflict, "approved once");
    let seen = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    assert_eq!(seen.reward.unwrap().amount, Some(5_000), "5 % of 40,000 is below the level-1 minimum");
    // Revealing the contact is audited.
    let c = handle::reveal(&db.state, &staff, a, None).await.unwrap().unwrap();
    assert_eq!(c.phone, "13800001234");
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'cases.reveal_contact'")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!(audited, 1);
    // A stage that began three weeks ago is overdue, and the queue shows it first.
    let fresh = backend::cases::file(&db.state, &fields().parse(t).unwrap(), &[], None).await.unwrap();
    let old = backend::cases::file(&db.state, &fields().parse(t).unwrap(), &[], None).await.unwrap();
    sqlx::query("UPDATE cases SET created_at = created_at - 1814400, state_since = state_since - 1814400 WHERE tracking_no = $1").bind(&old.tracking_no).execute(db.store().pool()).await.unwrap();
    let q = handle::queue(db.store(), None, false, handle::QueueOrder::Deadline).await.unwrap();
    assert_eq!(q[0].tracking_no, old.tracking_no);
    assert!(q[0].overdue && q.iter().any(|c| c.tracking_no == fresh.tracking_no && !c.overdue));
    assert_eq!(handle::overdue_count(db.store()).await.unwrap(), 1);
}

async fn demo_cases_load_once(db: &TestDb) {
    backend::credit::seed::load(db.store(), 0, 60).await.unwrap();
    assert_eq!(backend::cases::seed::load(&db.state).await.unwrap(), 36);
    assert_eq!(backend::cases::seed::load(&db.state).await.unwrap(), 0);
    let states: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT state FROM cases").fetch_all(db.store().pool()).await.unwrap();
    for s in ["submitted", "accepted", "investigating", "substantiated", "unsubstantiated", "rejected", "closed"] {
        assert!(states.iter().any(|x| x == s), "no demo case is {s}");
    }
    assert!(handle::overdue_count(db.store()).await.unwrap() > 0);
    let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE reward_status = 'paid'")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert!(paid > 0);
    // Rated cases, by reporters and by phone; one reopened, decided and rated again; one reopened and open.
    let n = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.store().pool()).await.unwrap() };
    assert!(n("SELECT COUNT(*) FROM case_ratings WHERE recorded_by IS NULL").await > 0);
    assert!(n("SELECT COUNT(*) FROM case_ratings WHERE recorded_by IS NOT NULL").await > 0);
    assert_eq!(n("SELECT COUNT(*) FROM case_ratings WHERE round = 2").await, 1);
    assert_eq!(n("SELECT COUNT(*) FROM cases WHERE reopened_at IS NOT NULL").await, 2);
    assert_eq!(n("SELECT COUNT(*) FROM cases WHERE reopened_at IS NOT NULL AND decided_at IS NULL").await, 1);
}

/// Two moderators pressing at once: each reward move is guarded by the status it starts from, so exactly one
/// succeeds, the others answer a conflict, and the move is audited once.
async fn parallel_reward_moves_one_wins_and_is_audited_once(db: &TestDb) {
    let staff = Actor::cli();
    let substantiated = || async {
        let r =
            backend::cases::file(&db.state, &fields().parse(backend::clock::now()).unwrap(), &[], None).await.unwrap();
        let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
            .bind(&r.tracking_no)
            .fetch_one(db.store().pool())
            .await
            .unwrap();
        for to in [CaseState::Accepted, CaseState::Investigating, CaseState::Substantiated] {
            handle::transition(&db.state, &Actor::cli(), id, &Transition { to: Some(to), ..Default::default() })
                .await
                .unwrap();
        }
        id
    };
    let audited = |action: &'static str| {
        let pool = db.store().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let race = |id: i64, moves: Vec<(RewardStatus, Option<RewardLevel>, Option<i64>)>| async move {
        // Connections open and every move released at once, so the reads really overlap.
        let mut held = Vec::new();
        for _ in 0..moves.len().min(8) {
            held.push(db.store().pool().acquire().await.unwrap());
        }
        drop(held);
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(moves.len()));
        let tasks: Vec<_> = moves
            .into_iter()
            .map(|(to, level, base)| {
                let (store, start) = (db.store().clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    handle::reward(&store, &Actor::cli(), id, to, level, base).await
                })
            })
            .collect();
        {
            let mut won = 0;
            for task in tasks {
                match task.await.unwrap() {
                    Ok(()) => won += 1,
                    Err(e) => assert_eq!(e.code, ErrCode::Conflict, "a lost race is a conflict: {e:?}"),
                }
            }
            won
        }
    };
    // Approving and ruling out at once: approved or ineligible, never both.
    let a = substantiated().await;
    let moves: Vec<_> = (0..12)
        .map(|i| {
            if i % 2 == 0 {
                (RewardStatus::Approved, Some(RewardLevel::One), Some(40_000 + i))
            } else {
                (RewardStatus::Ineligible, None, None)
            }
        })
        .collect();
    assert_eq!(race(a, moves).await, 1);
    assert_eq!(audited("cases.reward_approved").await + audited("cases.reward_ineligible").await, 1);
    // Paying at once: paid once, audited once.
    let b = substantiated().await;
    handle::reward(db.store(), &staff, b, RewardStatus::Approved, Some(RewardLevel::Two), Some(200_000)).await.unwrap();
    handle::reward(db.store(), &staff, b, RewardStatus::Notified, None, None).await.unwrap();
    assert_eq!(race(b, vec![(RewardStatus::Paid, None, None); 12]).await, 1);
    assert_eq!(audited("cases.reward_paid").await, 1, "paid is audited once");
}

/// Acceptance is due 7 working days after receipt; a 举报's decision 15 and a 投诉's mediation 45 working days after
/// acceptance. Moving an overdue 举报 from accepted to investigating must not grant it 15 more days, on the staff
/// queue or on the reporter's page.
async fn statutory_clocks_run_from_receipt_and_from_acceptance(db: &TestDb) {
    const DAY: i64 = 86_400;
    let staff = Actor::cli();
    let cal = backend::cases::calendar::load(db.store()).await.unwrap();
    let pool = db.store().pool();
    let go = |to: CaseState| Transition { to: Some(to), ..Default::default() };
    let file = |kind: &str| {
        let f = CaseFields { kind: kind.into(), ..fields() }.parse(backend::clock::now()).unwrap();
        async move {
            let r = backend::cases::file(&db.state, &f, &[], None).await.unwrap();
            let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
                .bind(&r.tracking_no)
                .fetch_one(pool)
                .await
                .unwrap();
            (r, id)
        }
    };
    let queued = |no: String| async move {
        handle::queue(db.store(), None, false, handle::QueueOrder::Deadline)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.tracking_no == no)
            .unwrap()
    };
    let (r, a) = file("举报").await;
    // Received 30 days ago and not yet accepted: overdue for acceptance.
    sqlx::query("UPDATE cases SET created_at = created_at - $1, state_since = state_since - $1 WHERE id = $2")
        .bind(30 * DAY)
        .bind(a)
        .execute(pool)
        .await
        .unwrap();
    assert!(backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap().overdue);
    assert!(queued(r.tracking_no.clone()).await.overdue);
    // Accepted now: the decision is due 15 working days from today.
    handle::transition(&db.state, &staff, a, &go(CaseState::Accepted)).await.unwrap();
    let seen = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    let t = backend::clock::now();
    assert_eq!(seen.deadline, domain::cases::deadline(&cal, domain::cases::CaseKind::Report, CaseState::Accepted, t));
    assert!(!seen.overdue);
    // Accepted 25 days ago (more than 15 working days): overdue, and moving it on to investigating restarts nothing.
    sqlx::query("UPDATE cases SET accepted_at = accepted_at - $1, state_since = state_since - $1 WHERE id = $2")
        .bind(25 * DAY)
        .bind(a)
        .execute(pool)
        .await
        .unwrap();
    let before = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    assert!(before.overdue);
    handle::transition(&db.state, &staff, a, &go(CaseState::Investigating)).await.unwrap();
    let after = backend::cases::track(&db.state, &r.tracking_no, &r.access_code).await.unwrap();
    assert_eq!(
        (after.state, after.overdue, after.deadline),
        (CaseState::Investigating, true, before.deadline),
        "the reporter's page"
    );
    let q = queued(r.tracking_no.clone()).await;
    assert_eq!((q.overdue, q.deadline), (true, before.deadline), "the staff queue");
    assert_eq!(
        handle::queue(db.store(), None, true, handle::QueueOrder::Deadline).await.unwrap()[0].tracking_no,
        r.tracking_no,
        "overdue first"
    );
    // A 投诉 accepted 25 days ago is within its 45 working days, however late it was received or moved on.
    let (c, b) = file("投诉").await;
    sqlx::query("UPDATE cases SET created_at = created_at - $1, state_since = state_since - $1 WHERE id = $2")
        .bind(40 * DAY)
        .bind(b)
        .execute(pool)
        .await
        .unwrap();
    handle::transition(&db.state, &staff, b, &go(CaseState::Accepted)).await.unwrap();
    sqlx::query("UPDATE cases SET accepted_at = accepted_at - $1 WHERE id = $2")
        .bind(25 * DAY)
        .bind(b)
        .execute(pool)
        .await
        .unwrap();
    handle::transition(&db.state, &staff, b, &go(CaseState::Investigating)).await.unwrap();
    let seen = backend::cases::track(&db.state, &c.tracking_no, &c.access_code).await.unwrap();
    let accepted: i64 =
        sqlx::query_scalar("SELECT accepted_at FROM cases WHERE id = $1").bind(b).fetch_one(pool).await.unwrap();
    assert_eq!(
        seen.deadline,
        domain::cases::deadline(&cal, domain::cases::CaseKind::Complaint, CaseState::Accepted, accepted)
    );
    assert!(!seen.overdue && !queued(c.tracking_no.clone()).await.overdue);
}
