//! 关注: the entries of each followed subject's feed, in order and bounded, only what is public, on SQLite and on
//! the real PostgreSQL.

use crate::common::TestDb;
use crate::fixtures::{biz, code, event, windows_pass};
use backend::clock::now;
use backend::sampling;
use backend::staff::audit::Actor;
use domain::credit::{CreditCode, District};
use domain::follow::{EntryKind, Feed, Only, MAX_ENTRIES};
use domain::news::ArticleFields;
use domain::picks::{FoodCategory, RoundInput, Schedule, VoterCheck};
use domain::sampling::SamplingFields;
use domain::ErrCode;

on_both!(
    a_business_feed_has_its_records_and_grade_changes_newest_first,
    a_business_feed_keeps_the_newest_fifty,
    a_district_feed_has_drops_failing_batches_and_alerts_and_filters,
    a_food_feed_has_only_public_failing_batches_of_its_category,
    a_round_feed_has_the_phases_that_have_come,
);

const DAY: i64 = 86_400;

fn kinds(f: &Feed) -> Vec<EntryKind> {
    f.entries.iter().map(|e| e.kind).collect()
}

fn ordered(f: &Feed) -> bool {
    f.entries.windows(2).all(|w| w[0].at >= w[1].at)
}

async fn batch(db: &TestDb, district: &str, category: &str, verdict: &str, round: Option<i64>) -> i64 {
    let input = SamplingFields {
        round_id: round.map(|r| r.to_string()).unwrap_or_default(),
        food: "米粉 <&>".into(),
        food_category: category.into(),
        place: "restaurant".into(),
        business_name: "老王米粉店".into(),
        district: district.into(),
        sampled_on: domain::clock::format_date(now() - 3 * DAY),
        items: "苯甲酸".into(),
        verdict: verdict.into(),
        failures: if verdict == "fail" { "苯甲酸 | 0.6 g/kg | 不得使用".into() } else { String::new() },
        ..Default::default()
    }
    .parse()
    .unwrap();
    sampling::publish(db.store(), &Actor::cli(), &input, None).await.unwrap()
}

async fn alert(db: &TestDb, batch: i64) -> i64 {
    let a = ArticleFields {
        title: "消费提示：米粉抽检不合格".into(),
        body: "请停止食用。".into(),
        tags: "消费提示".into(),
        status: "publish".into(),
        publish_at: domain::clock::format_datetime_local(now() - 60),
        batch_id: batch.to_string(),
        ..Default::default()
    }
    .parse(now())
    .unwrap();
    backend::news::save(db.store(), &Actor::cli(), None, &a, None, None).await.unwrap()
}

async fn a_business_feed_has_its_records_and_grade_changes_newest_first(db: &TestDb) {
    let store = db.store();
    let b = biz(1, "米粉 <店> & 面", "涪城区临园路1号", "涪城区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let c = b.credit_code.to_string();
    backend::credit::add_event(store, &Actor::cli(), &event(&c, "penalty", "general", now())).await.unwrap();
    // The downgrade waits out its objection window; the record itself is in the feed at once.
    let f = backend::follow::business(store, &b.credit_code).await.unwrap();
    assert_eq!(f.subject, "米粉 <店> & 面");
    assert_eq!(f.path, format!("/feeds/businesses/{c}"));
    let recorded: Vec<_> = f.entries.iter().filter(|e| e.kind == EntryKind::EventRecorded).collect();
    assert_eq!(recorded.len(), 1, "{:?}", f.entries);
    assert!(recorded[0].title.contains("行政处罚") || recorded[0].title.contains("米粉 <店> & 面"));
    assert_eq!(recorded[0].path, format!("/credit/{c}"));
    let key = recorded[0].key();
    windows_pass(store).await;
    let f = backend::follow::business(store, &b.credit_code).await.unwrap();
    let grade = f.entries.iter().find(|e| e.kind == EntryKind::GradeChange && e.title.ends_with(" B")).unwrap();
    assert_eq!(grade.detail, "85 分");
    assert!(ordered(&f), "{:?}", f.entries);
    assert!(f.entries.iter().any(|e| e.key() == key), "the record keeps its key");
    // Another business's records stay out; an unknown code is a 404.
    let other = biz(2, "别家", "游仙区", "游仙区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &other).await.unwrap();
    let o = backend::follow::business(store, &other.credit_code).await.unwrap();
    assert!(!o.entries.iter().any(|e| e.kind == EntryKind::EventRecorded));
    let unknown = CreditCode::parse(&code(999)).unwrap();
    assert_eq!(backend::follow::business(store, &unknown).await.unwrap_err().code, ErrCode::NotFound);
}

async fn a_business_feed_keeps_the_newest_fifty(db: &TestDb) {
    let store = db.store();
    let b = biz(3, "老店", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(b.credit_code.as_str())
        .fetch_one(store.pool())
        .await
        .unwrap();
    for i in 0..70_i64 {
        sqlx::query(
            "INSERT INTO grade_history (business_id, at, score, grade, watch_list, reason) VALUES ($1, $2, $3, 'A', 0, 't')",
        )
        .bind(id)
        .bind(1_000_000 + i)
        .bind(30 + i)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let f = backend::follow::business(store, &b.credit_code).await.unwrap();
    assert_eq!(f.entries.len(), MAX_ENTRIES);
    assert!(ordered(&f));
    assert_eq!(f.entries[0].detail, "99 分", "the newest first");
    assert_eq!(f.entries[MAX_ENTRIES - 1].detail, "50 分", "the oldest twenty left out");
}

async fn a_district_feed_has_drops_failing_batches_and_alerts_and_filters(db: &TestDb) {
    let store = db.store();
    let b = biz(4, "涪城面馆", "涪城区", "涪城区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let c = b.credit_code.to_string();
    backend::credit::add_event(store, &Actor::cli(), &event(&c, "penalty", "general", now())).await.unwrap();
    windows_pass(store).await;
    let y = biz(5, "游仙面馆", "游仙区", "游仙区", "餐饮");
    backend::credit::save_business(store, &Actor::cli(), &y).await.unwrap();
    let fail = batch(db, "涪城区", "粮食加工品", "fail", None).await;
    batch(db, "涪城区", "粮食加工品", "pass", None).await;
    batch(db, "游仙区", "粮食加工品", "fail", None).await;
    let article = alert(db, fail).await;

    let f = backend::follow::district(store, District::Fucheng, None, now()).await.unwrap();
    let mut k = kinds(&f);
    k.sort_by_key(|k| k.slug());
    assert_eq!(k, [EntryKind::ConsumerAlert, EntryKind::FailingBatch, EntryKind::GradeChange], "{:?}", f.entries);
    assert!(ordered(&f));
    let keys: Vec<String> = f.entries.iter().map(|e| e.key()).collect();
    assert!(keys.contains(&format!("batch-{fail}")) && keys.contains(&format!("alert-{article}")));
    assert!(f.entries.iter().any(|e| e.path == format!("/results#batch-{fail}")));
    let drops = backend::follow::district(store, District::Fucheng, Some(Only::GradeDrops), now()).await.unwrap();
    assert_eq!(kinds(&drops), [EntryKind::GradeChange]);
    assert_eq!(drops.entries[0].path, format!("/credit/{c}"));
    assert_eq!(drops.path, "/feeds/districts/%E6%B6%AA%E5%9F%8E%E5%8C%BA?only=grade_drops");
    let batches = backend::follow::district(store, District::Fucheng, Some(Only::FailingBatches), now()).await.unwrap();
    assert_eq!(kinds(&batches), [EntryKind::FailingBatch]);
    let youxian = backend::follow::district(store, District::Youxian, None, now()).await.unwrap();
    assert_eq!(kinds(&youxian), [EntryKind::FailingBatch], "its own batch, no drop (a new business is no drop)");
}

async fn a_food_feed_has_only_public_failing_batches_of_its_category(db: &TestDb) {
    let store = db.store();
    let round = backend::picks::create_round(
        &db.state,
        &Actor::cli(),
        &RoundInput {
            title: "第一期".into(),
            description: String::new(),
            schedule: Schedule {
                nominate_from: now() - 10 * DAY,
                vote_from: now() - DAY,
                vote_until: now() + 5 * DAY,
                publish_at: now() + 30 * DAY,
            },
            max_picks: 2,
            show_live: true,
            voter_check: VoterCheck::Device,
        },
    )
    .await
    .unwrap();
    let open = batch(db, "涪城区", "乳制品", "fail", None).await;
    let embargoed = batch(db, "涪城区", "乳制品", "fail", Some(round)).await;
    batch(db, "涪城区", "乳制品", "pass", None).await;
    batch(db, "涪城区", "饮料", "fail", None).await;
    let f = backend::follow::food(store, FoodCategory::Dairy, now()).await.unwrap();
    let keys: Vec<String> = f.entries.iter().map(|e| e.key()).collect();
    assert_eq!(keys, [format!("batch-{open}")], "the round's batch waits for the round's results");
    assert!(f.entries[0].title.contains("米粉 <&>"));
    assert_eq!(f.path, "/feeds/food/%E4%B9%B3%E5%88%B6%E5%93%81");
    // From the round's publication on it is in, dated then.
    let published = now() - 60;
    sqlx::query("UPDATE rounds SET vote_until = $1, publish_at = $2 WHERE id = $3")
        .bind(published - 60)
        .bind(published)
        .bind(round)
        .execute(store.pool())
        .await
        .unwrap();
    let f = backend::follow::food(store, FoodCategory::Dairy, now()).await.unwrap();
    let e = f.entries.iter().find(|e| e.key() == format!("batch-{embargoed}")).unwrap();
    assert!(e.at >= published);
}

async fn a_round_feed_has_the_phases_that_have_come(db: &TestDb) {
    let store = db.store();
    let t = now();
    let input = RoundInput {
        title: "第二期 <试点>".into(),
        description: String::new(),
        schedule: Schedule {
            nominate_from: t - 10 * DAY,
            vote_from: t - DAY,
            vote_until: t + 5 * DAY,
            publish_at: t + 30 * DAY,
        },
        max_picks: 2,
        show_live: true,
        voter_check: VoterCheck::Device,
    };
    let id = backend::picks::create_round(&db.state, &Actor::cli(), &input).await.unwrap();
    let f = backend::follow::round(store, id, t).await.unwrap();
    assert_eq!(kinds(&f), [EntryKind::VotingOpens]);
    assert_eq!((f.entries[0].at, f.entries[0].path.as_str()), (t - DAY, format!("/picks/{id}").as_str()));
    let later = backend::follow::round(store, id, t + 31 * DAY).await.unwrap();
    assert_eq!(kinds(&later), [EntryKind::ResultsPublished, EntryKind::VotingCloses, EntryKind::VotingOpens]);
    assert_eq!(later.entries[2].key(), f.entries[0].key(), "the same entry, the same key");
    assert_eq!(backend::follow::round(store, id + 100, t).await.unwrap_err().code, ErrCode::NotFound);
}
