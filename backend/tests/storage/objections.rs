//! 异议 · 信用修复 · 申请复查 on both engines: the pending downgrade, filing within windows (with the holiday
//! calendar), refusals that store nothing, decisions each way, waivers, 待检查.

use crate::common::TestDb;
use crate::fixtures::{code, event};
use backend::credit::objections::{self, Filed};
use backend::credit::{self as credit};
use backend::staff::audit::Actor;
use domain::cases::{day_of, WorkCalendar};
use domain::credit::{BusinessFields, CreditCode, Grade, LicenceNo, ObjectionInput, ObjectionKind, WINDOWS};
use domain::ErrCode;

on_both!(
    an_objection_holds_the_downgrade_and_upheld_annuls_the_event,
    a_rejected_objection_or_a_waiver_publishes_the_pending_grade,
    windows_follow_the_holiday_calendar_at_their_edges,
    parallel_objections_to_one_event_open_one,
    never_inspected_businesses_await_inspection,
    another_instances_pending_rating_shows_in_search_within_the_poll,
);

fn licence(n: u32) -> String {
    format!("JY2510703{n:07}")
}

/// A licensed business `n` (grade A, 100).
async fn business(db: &TestDb, n: u32, name: &str) -> CreditCode {
    let b = BusinessFields {
        credit_code: code(n),
        licence_no: licence(n),
        name: name.into(),
        address: format!("四川省绵阳市涪城区临园路{n}号"),
        district: "涪城区".into(),
        category: "餐饮".into(),
        last_inspected: "2026-01-05".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    b.credit_code
}

/// Records a general penalty (−15: A → B) today and returns its id.
async fn penalty(db: &TestDb, code: &CreditCode) -> i64 {
    let now = backend::clock::now();
    credit::add_event(db.store(), &Actor::cli(), &event(code.as_str(), "penalty", "general", now)).await.unwrap();
    let d = credit::detail(&db.state, code).await.unwrap().unwrap();
    d.events[0].id
}

fn request(kind: ObjectionKind, event: Option<i64>, n: u32) -> ObjectionInput {
    ObjectionInput {
        kind,
        event_id: event,
        licence_no: LicenceNo::parse(&licence(n)).unwrap(),
        statement: "检查当日我店并未营业，记录有误，附营业记录。".into(),
        contact: format!("王先生 1380000{n:04}"),
        proof: None,
    }
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(db.store().pool()).await.unwrap();
    backend::store::col(&row, "n").unwrap()
}

async fn an_objection_holds_the_downgrade_and_upheld_annuls_the_event(db: &TestDb) {
    let code1 = business(db, 101, "异议测试面馆").await;
    let other = business(db, 102, "隔壁小吃").await;
    let before = credit::detail(&db.state, &code1).await.unwrap().unwrap();
    let event = penalty(db, &code1).await;
    let other_event = penalty(db, &other).await;
    // 新评级待公布: the grade in force stays, with the date it took effect.
    let d = credit::detail(&db.state, &code1).await.unwrap().unwrap();
    assert_eq!((d.summary.grade, d.summary.score, d.summary.new_rating_pending), (Grade::A, 100, true));
    assert_eq!(d.summary.rating_date, before.summary.rating_date);
    assert!(d.summary.rating_date.is_some());

    // Refusals name the field and store nothing.
    let wrong_licence = ObjectionInput {
        licence_no: LicenceNo::parse(&licence(102)).unwrap(),
        ..request(ObjectionKind::Objection, Some(event), 101)
    };
    let e = objections::file(&db.state, &code1, &wrong_licence, Some("10.0.0")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::InvalidValue, Some("licence_no")));
    let theirs = request(ObjectionKind::Objection, Some(other_event), 101);
    let e = objections::file(&db.state, &code1, &theirs, Some("10.0.0")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::InvalidValue, Some("event_id")), "another business's event");
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM objections").await, 0);

    let Filed { id, due_at } =
        objections::file(&db.state, &code1, &request(ObjectionKind::Objection, Some(event), 101), Some("10.0.0"))
            .await
            .unwrap();
    let cal = backend::cases::calendar::load(db.store()).await.unwrap();
    let filed_at = backend::clock::now();
    assert!((due_at - WINDOWS.decision_due(&cal, ObjectionKind::Objection, filed_at)).abs() <= 86_400);
    let again = request(ObjectionKind::Objection, Some(event), 101);
    let e = objections::file(&db.state, &code1, &again, Some("10.0.0")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("event_id")), "a second open objection");
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM objections").await, 1);

    // The window passes, but the open objection keeps the grade back until it is decided.
    sqlx::query("UPDATE businesses SET pending_until = 0").execute(db.store().pool()).await.unwrap();
    assert_eq!(objections::publish_due(db.store(), backend::clock::now()).await.unwrap(), 1, "only the other one");
    let d = credit::detail(&db.state, &code1).await.unwrap().unwrap();
    assert_eq!((d.summary.grade, d.summary.new_rating_pending), (Grade::A, true));
    let open = d.open_objection.expect("the open objection is shown");
    assert_eq!((open.id, open.state.as_str(), open.statement, open.contact), (id, "open", None, None), "public view");
    // …while the other business, with no objection, has its lower grade published.
    let o = credit::detail(&db.state, &other).await.unwrap().unwrap();
    assert_eq!((o.summary.grade, o.summary.new_rating_pending), (Grade::B, false));

    // Staff see the statement and the contact.
    let queue = objections::queue(&db.state, 10).await.unwrap();
    assert_eq!(queue[0].contact.as_deref(), Some("王先生 13800000101"));

    // Upheld: the event is annulled (kept, not counted), the grade stays A, the decision is in the history.
    let staff = Actor { id: None, name: "moderator".into() };
    objections::decide(db.store(), &staff, id, true, "营业记录属实，撤销该记录。").await.unwrap();
    let d = credit::detail(&db.state, &code1).await.unwrap().unwrap();
    assert_eq!((d.summary.grade, d.summary.score, d.summary.new_rating_pending), (Grade::A, 100, false));
    assert!(d.events[0].annulled && d.events[0].points == 0, "{:?}", d.events[0]);
    assert_eq!(d.open_objection, None);
    assert_eq!(d.objections[0].state, "upheld");
    assert_eq!(d.objections[0].reasons.as_deref(), Some("营业记录属实，撤销该记录。"));
    assert_eq!(d.history.last().map(|h| h.reason.clone()), Some(format!("objection:upheld:{id}")));
    // Deciding a decided request is refused, and changes nothing.
    let e = objections::decide(db.store(), &staff, id, false, "改判").await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("decision")));
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM objections WHERE state = 'upheld'").await, 1);
    assert_eq!(
        objections::decide(db.store(), &staff, 9_999, true, "无此申请").await.unwrap_err().code,
        ErrCode::NotFound
    );
    // On the record, by whom.
    let audited = count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'credit.objection_upheld'").await;
    assert_eq!(audited, 1);
    // An annulled event cannot be objected to again.
    let e = objections::file(&db.state, &code1, &request(ObjectionKind::Objection, Some(event), 101), None)
        .await
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("event_id")));
}

async fn a_rejected_objection_or_a_waiver_publishes_the_pending_grade(db: &TestDb) {
    let code1 = business(db, 111, "驳回测试餐馆").await;
    let event = penalty(db, &code1).await;
    let f =
        objections::file(&db.state, &code1, &request(ObjectionKind::Objection, Some(event), 111), None).await.unwrap();
    let staff = Actor { id: None, name: "moderator".into() };
    let t = backend::clock::now();
    objections::decide(db.store(), &staff, f.id, false, "证据不足，维持原记录。").await.unwrap();
    let d = credit::detail(&db.state, &code1).await.unwrap().unwrap();
    assert_eq!((d.summary.grade, d.summary.score, d.summary.new_rating_pending), (Grade::B, 85, false));
    assert!(d.summary.rating_date.unwrap() >= t, "the new grade took effect with the decision");
    assert!(!d.events[0].annulled);
    assert_eq!(d.objections[0].state, "rejected");

    // A waiver publishes at once; with the wrong licence it is refused and changes nothing.
    let code2 = business(db, 112, "放弃异议小馆").await;
    penalty(db, &code2).await;
    let wrong = LicenceNo::parse(&licence(111)).unwrap();
    let e = objections::waive(&db.state, &code2, &wrong, Some("10.0.1")).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("licence_no"));
    assert!(credit::detail(&db.state, &code2).await.unwrap().unwrap().summary.new_rating_pending);
    let right = LicenceNo::parse(&licence(112)).unwrap();
    assert!(objections::waive(&db.state, &code2, &right, Some("10.0.1")).await.unwrap());
    let d = credit::detail(&db.state, &code2).await.unwrap().unwrap();
    assert_eq!((d.summary.grade, d.summary.new_rating_pending), (Grade::B, false));
    assert!(!objections::waive(&db.state, &code2, &right, Some("10.0.1")).await.unwrap(), "nothing left to publish");
    // The search index follows at once.
    let q = domain::credit::SearchQuery::parse(Some("放弃异议"), None, None, None, None, None, None).unwrap();
    let found = credit::search(&db.state, &q).await.unwrap();
    assert_eq!((found.items[0].grade, found.items[0].new_rating_pending), (Grade::B, false));
}

/// The objection window in working days: an event published 24 calendar days ago is past its 15 working days; a
/// holiday in between moves the window's end past now. Repairs open after the minimum publicity; one open
/// re-inspection per business.
async fn windows_follow_the_holiday_calendar_at_their_edges(db: &TestDb) {
    let code1 = business(db, 121, "期限测试饭店").await;
    let event = penalty(db, &code1).await;
    let now = backend::clock::now();
    let published = now - 24 * 86_400;
    sqlx::query("UPDATE credit_events SET created_at = $1 WHERE id = $2")
        .bind(published)
        .bind(event)
        .execute(db.store().pool())
        .await
        .unwrap();
    assert!(WINDOWS.objection_closes(&WorkCalendar::default(), published) < now);
    let late = request(ObjectionKind::Objection, Some(event), 121);
    let e = objections::file(&db.state, &code1, &late, None).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::WindowClosed, Some("event_id")));
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM objections").await, 0);
    // The windows are data stored with the rules: a longer objection window admits it…
    let longer = domain::credit::CreditRules {
        windows: domain::credit::Windows { objection_days: 30, ..WINDOWS },
        ..Default::default()
    };
    sqlx::query("INSERT INTO credit_rules (id, rules, updated_at) VALUES (1, $1, 0)")
        .bind(serde_json::to_string(&longer).unwrap())
        .execute(db.store().pool())
        .await
        .unwrap();
    let f = objections::file(&db.state, &code1, &late, None).await.unwrap();
    // …(withdrawn here, as if it had not been filed, and the shipped rules back).
    sqlx::query("DELETE FROM objections WHERE id = $1").bind(f.id).execute(db.store().pool()).await.unwrap();
    sqlx::query("DELETE FROM credit_rules").execute(db.store().pool()).await.unwrap();
    assert_eq!(objections::file(&db.state, &code1, &late, None).await.unwrap_err().code, ErrCode::WindowClosed);
    // Ten holidays after publication (a Golden Week and more): the window now runs past today.
    let mut cal = WorkCalendar::default();
    for d in 1..=14 {
        let day = day_of(published) + d;
        if cal.is_working(day) && cal.holidays.len() < 10 {
            cal.holidays.insert(day);
            backend::cases::calendar::set_day(db.store(), &Actor::cli(), day, "holiday", "测试假日").await.unwrap();
        }
    }
    assert!(WINDOWS.objection_closes(&cal, published) >= now, "the holidays move the window's end");
    objections::file(&db.state, &code1, &late, None).await.unwrap();

    // A repair: not before the minimum publicity (90 days for a general penalty), then accepted.
    let code2 = business(db, 122, "修复测试餐厅").await;
    let event2 = penalty(db, &code2).await;
    let repair = request(ObjectionKind::Repair, Some(event2), 122);
    let e = objections::file(&db.state, &code2, &repair, None).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::WindowClosed, Some("event_id")));
    sqlx::query("UPDATE credit_events SET created_at = $1 WHERE id = $2")
        .bind(now - 90 * 86_400)
        .bind(event2)
        .execute(db.store().pool())
        .await
        .unwrap();
    let f = objections::file(&db.state, &code2, &repair, None).await.unwrap();
    let staff = Actor { id: None, name: "moderator".into() };
    objections::decide(db.store(), &staff, f.id, true, "整改到位，准予信用修复。").await.unwrap();
    let d = credit::detail(&db.state, &code2).await.unwrap().unwrap();
    assert!(d.events[0].annulled, "a repaired event no longer counts");
    assert_eq!((d.summary.grade, d.summary.new_rating_pending), (Grade::A, false));

    // Re-inspection: no event needed, 20 working days, one open at a time.
    let re = request(ObjectionKind::Reinspection, None, 122);
    let f = objections::file(&db.state, &code2, &re, None).await.unwrap();
    let cal = backend::cases::calendar::load(db.store()).await.unwrap();
    assert_eq!(day_of(f.due_at), cal.add_working_days(day_of(now), 20));
    let e = objections::file(&db.state, &code2, &re, None).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("kind")));
}

/// Two objections to one event at the same moment: one is registered, the other refused naming `event_id`.
async fn parallel_objections_to_one_event_open_one(db: &TestDb) {
    let code1 = business(db, 131, "并发异议酒楼").await;
    let event = penalty(db, &code1).await;
    let tasks: Vec<_> = (0..4u32)
        .map(|i| {
            let (state, code1) = (db.state.clone(), code1.clone());
            tokio::spawn(async move {
                let r = ObjectionInput {
                    contact: format!("联系人{i} 1390000000{i}"),
                    ..request(ObjectionKind::Objection, Some(event), 131)
                };
                objections::file(&state, &code1, &r, None).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("event_id"))),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count(db, "SELECT COUNT(*) AS n FROM objections").await, 1);
}

/// 待检查: a business never inspected shows no grade, in its record and in search; an inspection ends it.
async fn never_inspected_businesses_await_inspection(db: &TestDb) {
    let b = BusinessFields {
        credit_code: code(141),
        name: "新开业待检小店".into(),
        address: "四川省绵阳市游仙区东津路141号".into(),
        district: "游仙区".into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert!(d.summary.awaiting_inspection);
    let q = domain::credit::SearchQuery::parse(Some("待检小店"), None, None, None, None, None, None).unwrap();
    assert!(credit::search(&db.state, &q).await.unwrap().items[0].awaiting_inspection);
    let now = backend::clock::now();
    credit::add_event(db.store(), &Actor::cli(), &event(b.credit_code.as_str(), "inspection_finding", "minor", now))
        .await
        .unwrap();
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert!(!d.summary.awaiting_inspection);
    assert_eq!(
        (d.summary.grade, d.summary.score, d.summary.new_rating_pending),
        (Grade::A, 98, false),
        "not a downgrade"
    );
    assert!(!credit::search(&db.state, &q).await.unwrap().items[0].awaiting_inspection);
}

/// The pending rating is in search results: another instance's event (written without this one hearing of it)
/// shows as 新评级待公布 in this instance's index within the poll (SQLite's change stamp covers the new columns).
async fn another_instances_pending_rating_shows_in_search_within_the_poll(db: &TestDb) {
    let code1 = business(db, 151, "轮询待公布酒家").await;
    let q = domain::credit::SearchQuery::parse(Some("轮询待公布"), None, None, None, None, None, None).unwrap();
    assert!(!credit::search(&db.state, &q).await.unwrap().items[0].new_rating_pending);
    let config = db.state.config.as_ref().clone();
    let second = backend::AppState::new(backend::Store::connect(&db.url).await.unwrap(), config);
    let now = backend::clock::now();
    credit::add_event(&second.store, &Actor::cli(), &event(code1.as_str(), "penalty", "general", now)).await.unwrap();
    let deadline = std::time::Instant::now() + credit::index::POLL + std::time::Duration::from_millis(1_500);
    loop {
        let seen = credit::search(&db.state, &q).await.unwrap();
        if seen.items[0].new_rating_pending {
            assert_eq!(seen.items[0].grade, Grade::A, "the grade in force is shown meanwhile");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not seen within the poll");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    second.store.close().await;
}
