//! 核查处置 of failing batches and 消费提示 in storage, on SQLite and on the real PostgreSQL.

use crate::common::TestDb;
use backend::cases::calendar;
use backend::clock::now;
use backend::sampling::{self, disposal};
use backend::staff::audit::Actor;
use domain::cases::day_of;
use domain::news::ArticleFields;
use domain::sampling::{BatchesSummary, DisposalFields, DisposalStep, ResultsQuery, SamplingFields, StepStatus};
use domain::{ErrCode, Lang};

on_both!(
    steps_are_kept_in_order_audited_and_shown_on_the_batch,
    the_holiday_calendar_moves_the_deadlines,
    one_of_two_concurrent_equal_steps_is_stored,
    a_consumer_alert_names_its_batch_and_is_current_for_a_month,
);

const DAY: i64 = 86_400;

fn batch(verdict: &str, sampled_days_ago: i64) -> domain::sampling::SamplingInput {
    SamplingFields {
        food: "米粉".into(),
        food_category: "粮食加工品".into(),
        place: "restaurant".into(),
        business_name: "老王米粉店".into(),
        district: "涪城区".into(),
        sampled_on: domain::clock::format_date(now() - sampled_days_ago * DAY),
        items: "二氧化硫残留量\n苯甲酸".into(),
        verdict: verdict.into(),
        failures: if verdict == "fail" { "苯甲酸 | 0.6 g/kg | 不得使用".into() } else { String::new() },
        ..Default::default()
    }
    .parse()
    .unwrap()
}

/// Publishes a batch whose result the bureau had `result_days_ago`.
async fn published(db: &TestDb, verdict: &str, sampled_days_ago: i64, result_days_ago: i64) -> i64 {
    let id = sampling::publish(db.store(), &Actor::cli(), &batch(verdict, sampled_days_ago), None).await.unwrap();
    sqlx::query("UPDATE sampling_batches SET published_at = $1 WHERE id = $2")
        .bind(now() - result_days_ago * DAY)
        .bind(id)
        .execute(db.store().pool())
        .await
        .unwrap();
    id
}

fn step(kind: &str, days_ago: i64) -> DisposalFields {
    DisposalFields {
        kind: kind.into(),
        done_on: domain::clock::format_date(now() - days_ago * DAY),
        ..Default::default()
    }
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.store().pool()).await.unwrap()
}

async fn failing(db: &TestDb) -> domain::sampling::SamplingBatch {
    let q = ResultsQuery::parse(None, None, Some("fail"), None, None, None).unwrap();
    sampling::list(&db.state, &q).await.unwrap().items.remove(0)
}

async fn steps_are_kept_in_order_audited_and_shown_on_the_batch(db: &TestDb) {
    let staff = Actor::cli();
    let pass = published(db, "pass", 20, 15).await;
    let fail = published(db, "fail", 20, 15).await;
    let add = |id: i64, f: DisposalFields| {
        let state = &db.state;
        let staff = &staff;
        async move { disposal::add_step(state, staff, id, &f.parse().unwrap()).await }
    };
    let refused = |r: Result<(), domain::AppError>| r.err().map(|e| (e.code, e.field.unwrap_or_default()));

    // Nothing done fifteen days after the result: 核查 is overdue.
    let b = failing(db).await;
    let d = b.disposal.clone().unwrap();
    assert!(d.overdue);
    assert_eq!(d.steps[0].status, StepStatus::Overdue);

    // A passing batch and an unknown one have no disposal record.
    assert_eq!(add(pass, step("check", 10)).await.unwrap_err().code, ErrCode::NotFound);
    assert_eq!(add(9_999, step("check", 10)).await.unwrap_err().code, ErrCode::NotFound);
    // Out of order, before the batch, in the future: refused naming the field.
    assert_eq!(
        refused(add(fail, DisposalFields { removed: "1".into(), unit: "kg".into(), ..step("control", 10) }).await),
        Some((ErrCode::InvalidValue, "kind".into()))
    );
    assert_eq!(refused(add(fail, step("check", 21)).await), Some((ErrCode::InvalidValue, "done_on".into())));
    assert_eq!(refused(add(fail, step("check", -2)).await), Some((ErrCode::InvalidValue, "done_on".into())));
    assert_eq!(count(db, "SELECT COUNT(*) FROM disposal_steps").await, 0, "nothing stored");

    add(fail, DisposalFields { note: "已通知经营者".into(), ..step("check", 14) }).await.unwrap();
    assert_eq!(refused(add(fail, step("check", 13)).await), Some((ErrCode::Conflict, "kind".into())));
    assert_eq!(
        refused(add(fail, DisposalFields { removed: "1".into(), unit: "kg".into(), ..step("control", 15) }).await),
        Some((ErrCode::InvalidValue, "done_on".into()))
    );
    add(
        fail,
        DisposalFields { removed: "200".into(), recalled: "12.5".into(), unit: "kg".into(), ..step("control", 14) },
    )
    .await
    .unwrap();
    assert_eq!(
        refused(
            add(fail, DisposalFields { decision_no: "1号".into(), measures: "罚款".into(), ..step("penalty", 5) })
                .await
        ),
        Some((ErrCode::InvalidValue, "kind".into()))
    );
    add(fail, step("case_filed", 10)).await.unwrap();

    let b = failing(db).await;
    let d = b.disposal.clone().unwrap();
    assert!(!d.overdue, "{d:?}");
    let entry = |k: DisposalStep| d.steps.iter().find(|e| e.kind == k).unwrap();
    assert_eq!(entry(DisposalStep::Check).status, StepStatus::Done);
    assert_eq!(entry(DisposalStep::Check).step.as_ref().unwrap().note, "已通知经营者");
    let control = entry(DisposalStep::Control).step.clone().unwrap();
    assert_eq!(
        (control.removed.unwrap().to_string(), control.recalled.unwrap().to_string()),
        ("200".into(), "12.5".into())
    );
    assert_eq!(entry(DisposalStep::Penalty).status, StepStatus::Due);
    assert_eq!(day_of(entry(DisposalStep::Penalty).deadline.unwrap()), day_of(now() - 10 * DAY) + 90);
    assert_eq!(
        BatchesSummary::of(std::slice::from_ref(&b)).text(Lang::Zh),
        "1 批抽检，1 批不合格，已下架 200 千克，已召回 12.5 千克，已立案"
    );
    assert_eq!(disposal::of_batch(&db.state, fail).await.unwrap(), b.disposal);
    assert_eq!(disposal::of_batch(&db.state, pass).await.unwrap(), None);
    let passing = sampling::list(&db.state, &ResultsQuery::parse(None, None, Some("pass"), None, None, None).unwrap())
        .await
        .unwrap();
    assert_eq!(passing.items[0].disposal, None);
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'sampling.disposal_step'").await, 3);
    assert_eq!(
        count(db, &format!("SELECT COUNT(*) FROM audit_log WHERE target = 'batch:{fail}' AND detail = 'case_filed'"))
            .await,
        1
    );
}

async fn the_holiday_calendar_moves_the_deadlines(db: &TestDb) {
    // Twelve days after the result, at least seven working days have passed: 核查 is overdue.
    published(db, "fail", 14, 12).await;
    assert!(failing(db).await.disposal.unwrap().overdue);
    // Declare every one of those days a holiday: its five working days have not passed.
    let result_day = day_of(now() - 12 * DAY);
    for day in result_day + 1..=day_of(now()) {
        calendar::set_day(db.store(), &Actor::cli(), day, "holiday", "测试").await.unwrap();
    }
    let d = failing(db).await.disposal.unwrap();
    assert!(!d.overdue);
    assert_eq!(d.steps[0].status, StepStatus::Due);
    assert!(day_of(d.steps[0].deadline.unwrap()) > day_of(now()));
}

async fn one_of_two_concurrent_equal_steps_is_stored(db: &TestDb) {
    let fail = published(db, "fail", 5, 3).await;
    let staff = Actor::cli();
    let input = step("check", 1).parse().unwrap();
    let (a, b) = tokio::join!(
        disposal::add_step(&db.state, &staff, fail, &input),
        disposal::add_step(&db.state, &staff, fail, &input)
    );
    let mut outcomes = [a.map_err(|e| (e.code, e.field)), b.map_err(|e| (e.code, e.field))];
    outcomes.sort_by_key(|o| o.is_err());
    assert_eq!(outcomes[0], Ok(()));
    assert_eq!(outcomes[1], Err((ErrCode::Conflict, Some("kind".to_owned()))));
    assert_eq!(count(db, "SELECT COUNT(*) FROM disposal_steps").await, 1);
    // Distinct steps of distinct batches at once all land.
    let others =
        [published(db, "fail", 5, 3).await, published(db, "fail", 5, 3).await, published(db, "fail", 5, 3).await];
    let all = tokio::join!(
        disposal::add_step(&db.state, &staff, others[0], &input),
        disposal::add_step(&db.state, &staff, others[1], &input),
        disposal::add_step(&db.state, &staff, others[2], &input)
    );
    assert!(all.0.is_ok() && all.1.is_ok() && all.2.is_ok(), "{all:?}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM disposal_steps").await, 4);
}

async fn a_consumer_alert_names_its_batch_and_is_current_for_a_month(db: &TestDb) {
    let fail = published(db, "fail", 5, 3).await;
    let alert = |batch: String, publish_at: i64| {
        ArticleFields {
            title: "消费提示：米粉抽检不合格".into(),
            body: "请停止食用。".into(),
            tags: "消费提示".into(),
            status: "publish".into(),
            publish_at: domain::clock::format_datetime_local(publish_at),
            batch_id: batch,
            ..Default::default()
        }
        .parse(now())
        .unwrap()
    };
    let e = backend::news::save(db.store(), &Actor::cli(), None, &alert("9999".into(), now() - 60), None, None)
        .await
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrCode::NotFound, Some("batch_id")));
    assert_eq!(count(db, "SELECT COUNT(*) FROM news_articles").await, 0);
    let current =
        backend::news::save(db.store(), &Actor::cli(), None, &alert(fail.to_string(), now() - 60), None, None)
            .await
            .unwrap();
    let old =
        backend::news::save(db.store(), &Actor::cli(), None, &alert(fail.to_string(), now() - 31 * DAY), None, None)
            .await
            .unwrap();
    let shown = backend::news::current_alerts(db.store(), 5, now()).await.unwrap();
    assert_eq!(shown.iter().map(|a| a.id).collect::<Vec<_>>(), [current], "the month-old alert is no longer current");
    assert_eq!(shown[0].batch_id, Some(fail));
    let d = disposal::of_batch(&db.state, fail).await.unwrap().unwrap();
    assert_eq!(d.alerts, [current, old], "every published alert stays linked from the batch");
    // A scheduled alert is not shown before its time.
    backend::news::save(db.store(), &Actor::cli(), None, &alert(fail.to_string(), now() + 3600), None, None)
        .await
        .unwrap();
    assert_eq!(backend::news::current_alerts(db.store(), 5, now()).await.unwrap().len(), 1);
    assert_eq!(disposal::of_batch(&db.state, fail).await.unwrap().unwrap().alerts.len(), 2);
}
