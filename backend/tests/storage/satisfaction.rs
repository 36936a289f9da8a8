//! 满意度评价 · 回访 and 投诉公示 in storage, on SQLite and on the real PostgreSQL.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::cases::handle::{self, Transition};
use backend::cases::satisfaction::{figures_of, rate, record_callback};
use backend::staff::audit::Actor;
use domain::cases::{CaseFields, CaseReceipt, CaseState, RatingFields, Satisfaction};
use domain::ErrCode;

on_both!(
    a_decided_case_is_rated_once_reopened_once_and_rated_again,
    staff_record_phone_callbacks_for_cases_not_filed_on_the_web,
    ratings_of_distinct_cases_run_together_and_one_case_is_rated_once,
    a_business_discloses_its_decided_cases_of_the_last_year_only,
);

fn fields(kind: &str, credit_code: &str, channel: &str) -> CaseFields {
    CaseFields {
        kind: kind.into(),
        business_name: "某某烧烤店".into(),
        credit_code: credit_code.into(),
        category: "卫生状况".into(),
        description: "后厨老鼠出没，餐具未消毒。".into(),
        reporter_name: "张三".into(),
        reporter_phone: "13800001234".into(),
        channel: channel.into(),
        ..Default::default()
    }
}

async fn file(db: &TestDb, f: CaseFields) -> (i64, CaseReceipt) {
    let actor = Actor::cli();
    let staff = (f.channel != "web" && !f.channel.is_empty()).then_some(&actor);
    let r = backend::cases::file(&db.state, &f.parse(backend::clock::now()).unwrap(), &[], staff).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&r.tracking_no)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    (id, r)
}

async fn decide(db: &TestDb, id: i64, path: &[CaseState]) {
    for to in path {
        let reject_reason = (*to == CaseState::Rejected).then_some(domain::cases::RejectReason::OutOfScope);
        let tr = Transition { to: Some(*to), reject_reason, message: "公开答复".into(), ..Default::default() };
        handle::transition(&db.state, &Actor::cli(), id, &tr).await.unwrap();
    }
}

fn rating(level: &str, comment: &str, reopen: bool) -> RatingFields {
    RatingFields { level: level.into(), comment: comment.into(), reopen }
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.store().pool()).await.unwrap()
}

async fn a_decided_case_is_rated_once_reopened_once_and_rated_again(db: &TestDb) {
    let b = biz(5, "某某烧烤店", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let (id, r) = file(db, fields("举报", &code(5), "")).await;
    let (no, code_) = (r.tracking_no.as_str(), r.access_code.as_str());
    // Undecided: nothing to rate, and nothing stored.
    decide(db, id, &[CaseState::Accepted]).await;
    let e = rate(&db.state, "n1", no, code_, &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("level")));
    let seen = backend::cases::track(&db.state, no, code_).await.unwrap();
    assert!(!seen.rating.can_rate && seen.rating.rate_until.is_none());
    decide(db, id, &[CaseState::Investigating, CaseState::Substantiated]).await;
    let seen = backend::cases::track(&db.state, no, code_).await.unwrap();
    assert!(seen.rating.can_rate && seen.rating.can_reopen && seen.rating.rate_until.is_some());
    // A wrong code is the same 404 as an unknown number; bad fields name themselves.
    let e = rate(&db.state, "n1", no, "AAAAAAAAAA", &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!(e.code, ErrCode::NotFound);
    let e = rate(&db.state, "n1", no, code_, &rating("dissatisfied", "", true)).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("comment"), "a reopening needs its reason");
    let e = rate(&db.state, "n1", no, code_, &rating("great", "", false)).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("level"));
    assert_eq!(count(db, "SELECT COUNT(*) FROM case_ratings").await, 0, "nothing stored");
    // 不满意 with a reason reopens the case: back in the queue, flagged, with its own clock and a timeline line.
    let after = rate(&db.state, "n1", no, code_, &rating("dissatisfied", "仍在销售", true)).await.unwrap();
    assert!(!after.can_rate && after.reopened_at.is_some() && after.ratings.len() == 1);
    assert!(after.ratings[0].reopened && !after.ratings[0].by_phone);
    let seen = backend::cases::track(&db.state, no, code_).await.unwrap();
    assert_eq!(seen.state, CaseState::Investigating);
    assert!(seen.timeline.last().unwrap().reopened, "a line of its own on the public timeline");
    let cal = backend::cases::calendar::load(db.store()).await.unwrap();
    assert_eq!(seen.deadline, Some(domain::cases::reopened_deadline(&cal, after.reopened_at.unwrap())));
    let q = handle::queue(db.store(), None, false, handle::QueueOrder::Deadline).await.unwrap();
    assert!(q.iter().any(|c| c.id == id && c.reopened), "back in the moderators' queue, flagged");
    // Rated while open again: refused; the second decision records no second credit event.
    let e = rate(&db.state, "n1", no, code_, &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("level"));
    decide(db, id, &[CaseState::Substantiated]).await;
    assert_eq!(count(db, "SELECT COUNT(*) FROM credit_events WHERE kind = 'substantiated_report'").await, 1);
    // The second decision is rated again, but never reopens the case a second time.
    let e = rate(&db.state, "n1", no, code_, &rating("dissatisfied", "还是不行", true)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("reopen")));
    assert_eq!(count(db, "SELECT COUNT(*) FROM case_ratings").await, 1, "the refused reopening stored nothing");
    let after = rate(&db.state, "n1", no, code_, &rating("satisfied", "", false)).await.unwrap();
    assert_eq!(
        after.ratings.iter().map(|r| (r.round, r.level)).collect::<Vec<_>>(),
        [(1, Satisfaction::Dissatisfied), (2, Satisfaction::Satisfied)]
    );
    let e = rate(&db.state, "n1", no, code_, &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("level")), "once per decision");
    // A decision older than 30 days can no longer be rated.
    let (late, lr) = file(db, fields("投诉", &code(5), "")).await;
    decide(db, late, &[CaseState::Accepted, CaseState::Unsubstantiated]).await;
    sqlx::query("UPDATE cases SET decided_at = decided_at - 31 * 86400 WHERE id = $1")
        .bind(late)
        .execute(db.store().pool())
        .await
        .unwrap();
    let e = rate(&db.state, "n1", &lr.tracking_no, &lr.access_code, &rating("basic", "", false)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::PhaseClosed, Some("level")));
    // The figures: two ratings, one satisfied; by the web channel and the business's district; one case in two
    // reopened.
    let s = figures_of(db.store()).await.unwrap();
    assert_eq!((s.overall.ratings, s.overall.satisfied, s.overall.rate), (2, 1, Some(50.0)));
    let web = s.by_channel.iter().find(|f| f.group == "web").unwrap();
    let fucheng = s.by_district.iter().find(|f| f.group == "涪城区").unwrap();
    assert_eq!((web.ratings, fucheng.ratings, fucheng.levels), (2, 2, [0, 1, 0, 1]));
    assert_eq!((s.decided_cases, s.reopened_cases, s.reopened_share), (2, 1, Some(50.0)));
    // The statistics follow at once (their cache follows the change), not after their 30 seconds.
    assert_eq!(backend::stats::cached(&db.state).await.unwrap().satisfaction.overall.ratings, 2);
    let (_, r3) = file(db, fields("投诉", &code(5), "")).await;
    let id3: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&r3.tracking_no)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    decide(db, id3, &[CaseState::Accepted, CaseState::Substantiated]).await;
    rate(&db.state, "n1", &r3.tracking_no, &r3.access_code, &rating("very_satisfied", "", false)).await.unwrap();
    assert_eq!(backend::stats::cached(&db.state).await.unwrap().satisfaction.overall.ratings, 3);
}

async fn staff_record_phone_callbacks_for_cases_not_filed_on_the_web(db: &TestDb) {
    let staff = Actor::cli();
    let (web, _) = file(db, fields("举报", "", "")).await;
    let (phone, _) = file(db, fields("投诉", "", "hotline")).await;
    for id in [web, phone] {
        decide(db, id, &[CaseState::Accepted, CaseState::Unsubstantiated, CaseState::Closed]).await;
    }
    let e = record_callback(&db.state, &staff, web, &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("channel")), "web reporters rate themselves");
    assert!(handle::detail(db.store(), phone).await.unwrap().callback_due);
    let after =
        record_callback(&db.state, &staff, phone, &rating("dissatisfied", "电话中表示不满", true)).await.unwrap();
    assert!(after.ratings[0].by_phone && after.reopened_at.is_some());
    let d = handle::detail(db.store(), phone).await.unwrap();
    assert!(d.summary.reopened && !d.callback_due && d.events.last().unwrap().reopened);
    assert_eq!(d.summary.state, CaseState::Investigating);
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'cases.callback'").await, 1);
    let e = record_callback(&db.state, &staff, 999_999, &rating("satisfied", "", false)).await.unwrap_err();
    assert_eq!(e.code, ErrCode::NotFound);
}

/// Ratings of eight cases at once all land (no rating holds a connection while it waits for another); five
/// ratings of one case at once: exactly one lands, the others are told it was rated.
async fn ratings_of_distinct_cases_run_together_and_one_case_is_rated_once(db: &TestDb) {
    let mut cases = Vec::new();
    for _ in 0..9 {
        let (id, r) = file(db, fields("举报", "", "")).await;
        decide(db, id, &[CaseState::Accepted, CaseState::Unsubstantiated]).await;
        cases.push(r);
    }
    let one = cases.pop().unwrap();
    let tasks: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (state, r) = (db.state.clone(), r.clone());
            tokio::spawn(async move {
                rate(&state, &format!("net{i}"), &r.tracking_no, &r.access_code, &rating("satisfied", "", false)).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let (state, r) = (db.state.clone(), one.clone());
            tokio::spawn(async move {
                rate(&state, &format!("same{i}"), &r.tracking_no, &r.access_code, &rating("basic", "", false)).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("level"))),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM case_ratings").await, 9);
}

async fn a_business_discloses_its_decided_cases_of_the_last_year_only(db: &TestDb) {
    let b = biz(8, "某某面馆", "游仙区", "游仙区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let c = code(8);
    let (report, _) = file(db, fields("举报", &c, "")).await;
    let (settled, _) = file(db, fields("投诉", &c, "")).await;
    let (unfounded, _) = file(db, CaseFields { category: "过期食品".into(), ..fields("举报", &c, "") }).await;
    let (open, _) = file(db, fields("举报", &c, "")).await;
    let (old, _) = file(db, fields("举报", &c, "")).await;
    let (rejected, _) = file(db, fields("举报", &c, "")).await;
    decide(db, report, &[CaseState::Accepted, CaseState::Substantiated, CaseState::Closed]).await;
    decide(db, settled, &[CaseState::Accepted, CaseState::Substantiated]).await;
    decide(db, unfounded, &[CaseState::Accepted, CaseState::Unsubstantiated]).await;
    decide(db, open, &[CaseState::Accepted, CaseState::Investigating]).await;
    decide(db, old, &[CaseState::Accepted, CaseState::Substantiated]).await;
    decide(db, rejected, &[CaseState::Rejected, CaseState::Closed]).await;
    sqlx::query("UPDATE cases SET decided_at = decided_at - 370 * 86400 WHERE id = $1")
        .bind(old)
        .execute(db.store().pool())
        .await
        .unwrap();
    let d = backend::credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    let x = &d.complaints;
    assert_eq!((x.total, x.substantiated, x.settled, x.unsubstantiated), (3, 1, 1, 1));
    let cats: Vec<_> = x.by_category.iter().map(|c| (c.category.as_str(), c.count)).collect();
    assert_eq!(cats, [("卫生状况", 2), ("过期食品", 1)]);
    // De-identified: the public record holds neither the reporter nor the description.
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("张三") && !json.contains("13800001234") && !json.contains("老鼠"));
    // A business with nothing decided shows an empty disclosure.
    let other = biz(9, "某某超市", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &other).await.unwrap();
    let d = backend::credit::detail(&db.state, &other.credit_code).await.unwrap().unwrap();
    assert_eq!((d.complaints.total, d.complaints.by_category.len()), (0, 0));
}
