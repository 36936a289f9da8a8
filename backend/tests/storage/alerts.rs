//! 关注 by SMS and partner webhooks, below HTTP, on SQLite and on the real PostgreSQL: the journal each capability
//! writes, the dispatcher's set-based fan-out (the right audience, nothing queued twice, however many dispatchers),
//! happenings that wait until they are public, and withdrawn ones that tell no one.

use crate::common::TestDb;
use crate::fixtures::{biz, event};
use backend::clock::now;
use backend::follow::dispatch::dispatch_due;
use backend::sampling;
use backend::staff::audit::Actor;
use domain::news::ArticleFields;
use domain::picks::{RoundInput, Schedule, VoterCheck};
use domain::sampling::SamplingFields;

on_both!(
    a_failing_batch_reaches_exactly_its_audience_once,
    two_dispatchers_at_once_queue_each_message_once,
    a_round_step_waits_for_its_time_and_a_withdrawn_alert_tells_no_one,
    a_business_hears_of_its_records_and_grade_changes,
);

const DAY: i64 = 86_400;

/// A subscription row as the service leaves it (the phone is not needed to queue).
async fn sub(db: &TestDb, n: i64, kind: &str, subject: &str, only: &str, mode: &str, state: &str) {
    let t = now();
    let (confirmed, cancelled) = match state {
        "confirmed" => (Some(t), None),
        "cancelled" => (Some(t), Some(t)),
        _ => (None, None),
    };
    sqlx::query(&format!(
        "INSERT INTO follow_subscriptions (subject_kind, subject, only_filter, phone_hash, phone, mode, lang, \
         attempts, confirmed_at, cancelled_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'zh', 0, {}, {}, $7)",
        confirmed.map_or("NULL".into(), |c| c.to_string()),
        cancelled.map_or("NULL".into(), |c| c.to_string()),
    ))
    .bind(kind)
    .bind(subject)
    .bind(only)
    .bind(format!("phone-{n}"))
    .bind(Vec::<u8>::new())
    .bind(mode)
    .bind(t)
    .execute(db.store().pool())
    .await
    .unwrap();
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.store().pool()).await.unwrap()
}

async fn failing_batch(db: &TestDb, district: &str, round: Option<i64>) -> i64 {
    let input = SamplingFields {
        round_id: round.map(|r| r.to_string()).unwrap_or_default(),
        food: "米粉".into(),
        food_category: "粮食加工品".into(),
        place: "restaurant".into(),
        business_name: "老王米粉店".into(),
        district: district.into(),
        sampled_on: domain::clock::format_date(now() - 3 * DAY),
        items: "苯甲酸".into(),
        verdict: "fail".into(),
        failures: "苯甲酸 | 0.6 g/kg | 不得使用".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    sampling::publish(db.store(), &Actor::cli(), &input, None).await.unwrap()
}

async fn a_failing_batch_reaches_exactly_its_audience_once(db: &TestDb) {
    // The audience: the district (whole feed or failing batches only), the category. Not: the district's grade
    // drops only, another district, unconfirmed or cancelled subscriptions.
    let mut n = 0;
    let mut add = |k: &'static str, s: &'static str, o: &'static str, m: &'static str, st: &'static str| {
        n += 1;
        (n, k, s, o, m, st)
    };
    let rows = vec![
        add("district", "涪城区", "", "immediate", "confirmed"),
        add("district", "涪城区", "failing_batches", "immediate", "confirmed"),
        add("district", "涪城区", "", "digest", "confirmed"),
        add("food", "粮食加工品", "", "immediate", "confirmed"),
        add("district", "涪城区", "grade_drops", "immediate", "confirmed"),
        add("district", "游仙区", "", "immediate", "confirmed"),
        add("district", "涪城区", "", "immediate", "pending"),
        add("district", "涪城区", "", "immediate", "cancelled"),
        add("food", "食用油", "", "immediate", "confirmed"),
    ];
    for (i, k, s, o, m, st) in rows {
        sub(db, i, k, s, o, m, st).await;
    }
    let batch = failing_batch(db, "涪城区", None).await;
    let d = dispatch_due(db.store(), now()).await.unwrap();
    assert_eq!((d.happenings, d.messages, d.digest_lines), (1, 3, 1), "{d:?}");
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT idempotency_key FROM outbox WHERE kind = 'follow' ORDER BY idempotency_key")
            .fetch_all(db.store().pool())
            .await
            .unwrap();
    let event: i64 = count(db, &format!("SELECT id FROM follow_events WHERE event_key = 'batch-{batch}'")).await;
    assert_eq!(keys, [1, 2, 4].map(|s| format!("follow:{s}:{event}")));
    // Dispatching again queues nothing: the happening went out.
    let again = dispatch_due(db.store(), now() + 60).await.unwrap();
    assert_eq!(again.messages + again.digest_lines, 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'follow'").await, 3);
    // A digest goes once it is past the digest hour (China time), once a day, with the line attached.
    let evening = {
        let t = now();
        let midnight_china = t - (t + 8 * 3600).rem_euclid(DAY);
        midnight_china + 21 * 3600
    };
    assert_eq!(
        backend::follow::sms::queue_digests(db.store(), evening - 2 * 3600).await.unwrap(),
        0,
        "not before 20:00"
    );
    assert_eq!(backend::follow::sms::queue_digests(db.store(), evening).await.unwrap(), 1);
    assert_eq!(backend::follow::sms::queue_digests(db.store(), evening + 60).await.unwrap(), 0, "once a day");
    assert_eq!(count(db, "SELECT COUNT(*) FROM follow_digest WHERE digest_day IS NULL").await, 0);
}

async fn two_dispatchers_at_once_queue_each_message_once(db: &TestDb) {
    for i in 0..200 {
        sub(db, i, "district", "涪城区", "", if i % 4 == 0 { "digest" } else { "immediate" }, "confirmed").await;
    }
    for _ in 0..6 {
        failing_batch(db, "涪城区", None).await;
    }
    let (a, b) = tokio::join!(dispatch_due(db.store(), now()), dispatch_due(db.store(), now()));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.happenings + b.happenings, 6, "{a:?} {b:?}");
    assert_eq!(a.messages + b.messages, 6 * 150);
    assert_eq!(count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'follow'").await, 6 * 150);
    assert_eq!(
        count(db, "SELECT COUNT(DISTINCT idempotency_key) FROM outbox").await,
        count(db, "SELECT COUNT(*) FROM outbox").await
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM follow_digest").await, 6 * 50);
}

async fn a_round_step_waits_for_its_time_and_a_withdrawn_alert_tells_no_one(db: &TestDb) {
    let t = now();
    let round = RoundInput {
        title: "第九期".into(),
        description: "测试".into(),
        schedule: Schedule {
            nominate_from: t - 10 * DAY,
            vote_from: t - DAY,
            vote_until: t + 5 * DAY,
            publish_at: t + 30 * DAY,
        },
        max_picks: 3,
        show_live: true,
        voter_check: VoterCheck::Device,
    };
    let id = backend::picks::create_round(&db.state, &Actor::cli(), &round).await.unwrap();
    sub(db, 1, "round", &id.to_string(), "", "immediate", "confirmed").await;
    // The round's failing batch is public with its results: it waits too.
    failing_batch(db, "涪城区", Some(id)).await;
    sub(db, 2, "district", "涪城区", "", "immediate", "confirmed").await;
    let d = dispatch_due(db.store(), t).await.unwrap();
    assert_eq!((d.happenings, d.messages), (1, 1), "only voting opens is due: {d:?}");
    let opened: Vec<String> = sqlx::query_scalar("SELECT event_key FROM follow_events WHERE dispatched_at IS NOT NULL")
        .fetch_all(db.store().pool())
        .await
        .unwrap();
    assert_eq!(opened, [format!("voting-opens-{id}")]);
    // Moving the results forward brings the results and the batch forward with them.
    let mut sooner = round.clone();
    sooner.schedule.vote_until = t + DAY;
    sooner.schedule.publish_at = t + 2 * DAY;
    backend::picks::update_round(&db.state, &Actor::cli(), id, &sooner).await.unwrap();
    let later = dispatch_due(db.store(), t + 2 * DAY + 1).await.unwrap();
    assert_eq!(
        (later.happenings, later.messages),
        (3, 3),
        "closes and results to the round, the batch to the district"
    );
    // A 消费提示 scheduled and then unpublished before it was due tells no one.
    let batch = failing_batch(db, "游仙区", None).await;
    let mut a = ArticleFields {
        title: "消费提示：米粉".into(),
        body: "请停止食用。".into(),
        tags: "消费提示".into(),
        status: "publish".into(),
        publish_at: domain::clock::format_datetime_local(t + 3 * DAY),
        batch_id: batch.to_string(),
        ..Default::default()
    };
    let article = backend::news::save(db.store(), &Actor::cli(), None, &a.parse(t).unwrap(), None, None).await.unwrap();
    let key = format!("SELECT COUNT(*) FROM follow_events WHERE event_key = 'alert-{article}'");
    assert_eq!(count(db, &key).await, 1);
    a.status = "draft".into();
    backend::news::save(db.store(), &Actor::cli(), Some(article), &a.parse(t).unwrap(), None, None).await.unwrap();
    assert_eq!(count(db, &key).await, 0);
}

async fn a_business_hears_of_its_records_and_grade_changes(db: &TestDb) {
    let store = db.store();
    let b = biz(7, "老王米粉店", "涪城区临园路1号", "涪城区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let code = b.credit_code.to_string();
    sub(db, 1, "business", &code, "", "immediate", "confirmed").await;
    sub(db, 2, "district", "涪城区", "grade_drops", "immediate", "confirmed").await;
    backend::credit::add_event(store, &Actor::cli(), &event(&code, "penalty", "serious", now())).await.unwrap();
    let d = dispatch_due(store, now()).await.unwrap();
    assert_eq!((d.happenings, d.messages), (1, 1), "the record, to the business's follower: {d:?}");
    // Its downgrade is published when the objection window passes: the business and the district hear of it.
    crate::fixtures::windows_pass(store).await;
    let d = dispatch_due(store, now()).await.unwrap();
    assert_eq!((d.happenings, d.messages), (1, 2), "{d:?}");
    let title: String = sqlx::query_scalar("SELECT title FROM follow_events WHERE kind = 'grade'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(title.starts_with("老王米粉店：信用评级 "), "{title}");
}
