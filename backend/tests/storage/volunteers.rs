//! 食安志愿者 on both engines: sign-ups refused naming their field and never half-stored, one sign-up per phone,
//! audited decisions, reports filed as volunteer-channel cases linked to the business (only by approved
//! volunteers, capped per day), points from substantiated outcomes, a leaderboard without personal data, the
//! `/stats` figures, the demo corps once.

use crate::common::TestDb;
use crate::fixtures::{biz, code};
use backend::cases::handle::{transition, Transition};
use backend::staff::audit::Actor;
use backend::volunteers as v;
use domain::cases::CaseState;
use domain::volunteers::{Decision, JoinFields, QuickReportFields, POINTS_PER_SUBSTANTIATED, REPORTS_PER_DAY};
use domain::{ErrCode, Lang};

on_both!(
    a_sign_up_names_the_bad_field_and_stores_nothing,
    a_phone_signs_up_once,
    decisions_are_audited_and_follow_the_states,
    an_approved_volunteer_files_a_volunteer_case_linked_to_the_business,
    only_approved_volunteers_report_and_at_most_ten_a_day,
    substantiated_reports_earn_points_on_the_board_without_personal_data,
    the_demo_corps_loads_once,
);

fn fields(phone: &str) -> JoinFields {
    JoinFields {
        group: "外卖小哥".into(),
        district: "涪城区".into(),
        phone: phone.into(),
        consent: "on".into(),
        website: String::new(),
    }
}

async fn count(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM volunteers").fetch_one(db.store().pool()).await.unwrap()
}

async fn join(db: &TestDb, phone: &str) -> (i64, domain::volunteers::Joined) {
    let j = v::join(&db.state, &fields(phone).parse().unwrap(), Lang::Zh, None).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM volunteers WHERE number = $1")
        .bind(&j.number)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    (id, j)
}

async fn approved(db: &TestDb, phone: &str) -> i64 {
    let (id, _) = join(db, phone).await;
    v::decide(db.store(), &Actor::cli(), id, Decision::Approve).await.unwrap();
    id
}

async fn business(db: &TestDb, n: u32) -> String {
    let b = biz(n, &format!("志愿测试餐馆{n}"), "涪城区临园路1号", "涪城区", "餐饮");
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    code(n)
}

fn report(business: &str, kind: &str) -> domain::volunteers::QuickReport {
    QuickReportFields { business: business.into(), kind: kind.into(), ..Default::default() }.parse().unwrap()
}

async fn a_sign_up_names_the_bad_field_and_stores_nothing(db: &TestDb) {
    for (f, field) in [
        (JoinFields { phone: "12345".into(), ..fields("") }, "phone"),
        (JoinFields { group: "厨师".into(), ..fields("13800000001") }, "group"),
        (JoinFields { district: "北京市".into(), ..fields("13800000001") }, "district"),
        (JoinFields { consent: String::new(), ..fields("13800000001") }, "consent"),
    ] {
        assert_eq!(f.parse().unwrap_err().field.as_deref(), Some(field));
    }
    assert_eq!(count(db).await, 0, "nothing stored");
    let (_, j) = join(db, "13800000001").await;
    assert!(j.number.starts_with("ZY") && j.sign_in_code.len() == 10 && !j.sms_sent, "no gateway: no code sent");
    // The phone is sealed and hashed, never in clear.
    let row: (Vec<u8>, String, String, Option<i64>) =
        sqlx::query_as("SELECT phone_sealed, phone_hash, state, verified_at FROM volunteers WHERE number = $1")
            .bind(&j.number)
            .fetch_one(db.store().pool())
            .await
            .unwrap();
    assert!(!String::from_utf8_lossy(&row.0).contains("13800000001") && !row.1.contains("13800000001"));
    assert_eq!((row.2.as_str(), row.3), ("待审核", None), "pending and unverified");
}

async fn a_phone_signs_up_once(db: &TestDb) {
    join(db, "13800000002").await;
    let again = v::join(&db.state, &fields("138 0000 0002").parse().unwrap(), Lang::Zh, None).await.unwrap_err();
    assert_eq!((again.code, again.field.as_deref()), (ErrCode::Conflict, Some("phone")));
    assert_eq!(count(db).await, 1);
    // Parallel sign-ups of the same phone: one wins.
    let f = fields("13800000003").parse().unwrap();
    let (a, b) = tokio::join!(v::join(&db.state, &f, Lang::Zh, None), v::join(&db.state, &f, Lang::Zh, None));
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|x| **x).count(), 1);
    assert_eq!(count(db).await, 2);
}

async fn decisions_are_audited_and_follow_the_states(db: &TestDb) {
    let (id, j) = join(db, "13800000004").await;
    let mod_ = Actor { id: None, name: "mod1".into() };
    let wrong = v::decide(db.store(), &mod_, id, Decision::Suspend).await.unwrap_err();
    assert_eq!((wrong.code, wrong.field.as_deref()), (ErrCode::Conflict, Some("decision")));
    v::decide(db.store(), &mod_, id, Decision::Approve).await.unwrap();
    v::decide(db.store(), &mod_, id, Decision::Suspend).await.unwrap();
    v::decide(db.store(), &mod_, id, Decision::Approve).await.unwrap();
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE target = $1 AND actor = 'mod1' ORDER BY id")
            .bind(format!("volunteer:{}", j.number))
            .fetch_all(db.store().pool())
            .await
            .unwrap();
    assert_eq!(audited, ["volunteers.approved", "volunteers.suspended", "volunteers.approved"]);
    let list = v::staff_list(db.store()).await.unwrap();
    assert_eq!(
        (list[0].state.as_str(), list[0].decided_by.as_deref(), list[0].verified),
        ("已通过", Some("mod1"), false)
    );
}

async fn an_approved_volunteer_files_a_volunteer_case_linked_to_the_business(db: &TestDb) {
    let b = business(db, 1).await;
    let id = approved(db, "13800000005").await;
    let receipt = v::report(&db.state, id, &report(&b, "过期食品")).await.unwrap();
    let row: (String, String, Option<i64>, Option<i64>, String) = sqlx::query_as(
        "SELECT c.channel, c.kind, c.volunteer_id, c.business_id, c.category FROM cases c WHERE c.tracking_no = $1",
    )
    .bind(&receipt.tracking_no)
    .fetch_one(db.store().pool())
    .await
    .unwrap();
    let business_id: i64 = sqlx::query_scalar("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(&b)
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!(row, ("volunteer".into(), "report".into(), Some(id), Some(business_id), "过期食品".into()));
    let me = v::me(db.store(), id).await.unwrap().unwrap();
    assert_eq!(me.reports.len(), 1);
    assert_eq!(me.reports[0].tracking_no, receipt.tracking_no);
    // An unknown business is a 404 naming it.
    let missing = v::report(&db.state, id, &report(&code(99), "其他问题")).await.unwrap_err();
    assert_eq!((missing.code, missing.field.as_deref()), (ErrCode::NotFound, Some("business")));
}

async fn only_approved_volunteers_report_and_at_most_ten_a_day(db: &TestDb) {
    let b = business(db, 2).await;
    let (pending, _) = join(db, "13800000006").await;
    let refused = v::report(&db.state, pending, &report(&b, "卫生脏乱")).await.unwrap_err();
    assert_eq!((refused.code, refused.field.as_deref()), (ErrCode::Forbidden, Some("volunteer")));
    v::decide(db.store(), &Actor::cli(), pending, Decision::Reject).await.unwrap();
    assert!(v::report(&db.state, pending, &report(&b, "卫生脏乱")).await.is_err(), "rejected");
    let id = approved(db, "13800000007").await;
    for _ in 0..REPORTS_PER_DAY {
        v::report(&db.state, id, &report(&b, "无证经营")).await.unwrap();
    }
    let over = v::report(&db.state, id, &report(&b, "无证经营")).await.unwrap_err();
    assert_eq!(over.code, ErrCode::RateLimited);
    let filed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE volunteer_id IS NOT NULL")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!(filed, REPORTS_PER_DAY);
    v::decide(db.store(), &Actor::cli(), id, Decision::Suspend).await.unwrap();
    let me = v::me(db.store(), id).await.unwrap().unwrap();
    assert!(!me.approved());
}

async fn substantiated_reports_earn_points_on_the_board_without_personal_data(db: &TestDb) {
    let b = business(db, 3).await;
    let id = approved(db, "13800000008").await;
    let other = approved(db, "13800000009").await;
    sqlx::query("UPDATE volunteers SET grp = '广场舞阿姨', district = '游仙区' WHERE id = $1")
        .bind(other)
        .execute(db.store().pool())
        .await
        .unwrap();
    let mut nos = Vec::new();
    for _ in 0..3 {
        nos.push(v::report(&db.state, id, &report(&b, "过期食品")).await.unwrap().tracking_no);
    }
    let staff = Actor { id: None, name: "mod".into() };
    let case_id = |no: String| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM cases WHERE tracking_no = $1")
            .bind(no)
            .fetch_one(db.store().pool())
            .await
            .unwrap()
    };
    let step = |to| Transition { to: Some(to), message: "已处理".into(), quiet: true, ..Transition::default() };
    let first = case_id(nos[0].clone()).await;
    for to in [CaseState::Accepted, CaseState::Substantiated, CaseState::Closed] {
        transition(&db.state, &staff, first, &step(to)).await.unwrap();
    }
    let second = case_id(nos[1].clone()).await;
    for to in [CaseState::Accepted, CaseState::Investigating, CaseState::Unsubstantiated] {
        transition(&db.state, &staff, second, &step(to)).await.unwrap();
    }
    let me = v::me(db.store(), id).await.unwrap().unwrap();
    assert_eq!(me.points, POINTS_PER_SUBSTANTIATED, "one substantiated, closed since, still counts");
    let board = v::leaderboard(db.store()).await.unwrap();
    let delivery = board.by_group.iter().find(|r| r.key == "外卖小哥").unwrap();
    assert_eq!(
        (delivery.volunteers, delivery.reports, delivery.substantiated, delivery.points),
        (1, 3, 1, POINTS_PER_SUBSTANTIATED)
    );
    assert_eq!(board.by_group[0].key, "外卖小哥", "best first");
    let dance = board.by_group.iter().find(|r| r.key == "广场舞阿姨").unwrap();
    assert_eq!((dance.volunteers, dance.reports), (1, 0));
    let fucheng = board.by_district.iter().find(|r| r.key == "涪城区").unwrap();
    assert_eq!((fucheng.volunteers, fucheng.reports, fucheng.points), (1, 3, POINTS_PER_SUBSTANTIATED));
    assert_eq!(board.by_group.len(), domain::volunteers::Group::ALL.len(), "every group listed");
    let json = serde_json::to_string(&board).unwrap();
    assert!(!json.contains("1380000000") && !json.contains("ZY") && !json.contains(&me.number), "no personal data");
    // /stats
    let s = backend::stats::compute(db.store()).await.unwrap();
    assert_eq!((s.volunteers.volunteers, s.volunteers.reports, s.volunteers.substantiated), (2, 3, 1));
}

async fn the_demo_corps_loads_once(db: &TestDb) {
    assert_eq!(v::seed::size(44_000), 500);
    assert_eq!(v::seed::size(120), 20);
    backend::credit::seed::load(db.store(), 0, 120).await.unwrap();
    assert_eq!(v::seed::load(&db.state, 120).await.unwrap(), 20);
    assert_eq!(v::seed::load(&db.state, 120).await.unwrap(), 0, "idempotent");
    assert_eq!(count(db).await, 20);
    let states: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM volunteers GROUP BY state ORDER BY state")
            .fetch_all(db.store().pool())
            .await
            .unwrap();
    let of = |s: &str| states.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    assert!(of("已通过") > of("待审核") && of("待审核") > 0, "{states:?}");
    let board = v::leaderboard(db.store()).await.unwrap();
    assert_eq!(board.by_group.iter().map(|r| r.reports).sum::<i64>(), 12);
    assert!(board.by_group.iter().map(|r| r.substantiated).sum::<i64>() > 0);
}
