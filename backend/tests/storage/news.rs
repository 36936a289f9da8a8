//! 新闻动态 and the live statistics in storage, on SQLite and on the real PostgreSQL.

use crate::common::TestDb;
use crate::fixtures::code;
use backend::cases::handle::{self, Transition};
use backend::staff::audit::Actor;
use domain::cases::{CaseFields, CaseState};
use domain::credit::BusinessFields;
use domain::news::{ArticleFields, ArticleState};
use domain::sampling::SamplingFields;

on_both!(
    articles_publish_on_time_never_before,
    articles_save_with_audit_and_cover,
    statistics_of_an_empty_database_are_zeros,
    statistics_count_what_the_tables_hold,
    concurrent_saves_of_distinct_articles,
    statistics_are_reused_within_their_ttl,
);

fn article(title: &str, status: &str, publish_at: &str, tags: &str) -> domain::news::ArticleInput {
    ArticleFields {
        title: title.into(),
        body: "正文 **加粗** <script>alert(1)</script>".into(),
        tags: tags.into(),
        status: status.into(),
        publish_at: publish_at.into(),
        ..Default::default()
    }
    .parse(backend::clock::now())
    .unwrap()
}

fn local(t: i64) -> String {
    domain::clock::format_datetime_local(t)
}

async fn articles_publish_on_time_never_before(db: &TestDb) {
    let store = db.store();
    let staff = Actor::cli();
    let t = backend::clock::now();
    let now_id = backend::news::save(store, &staff, None, &article("现在发布", "publish", "", "科普"), None, None)
        .await
        .unwrap();
    let later = article("明天发布", "publish", &local(t + 86_400), "抽检公告");
    let later_id = backend::news::save(store, &staff, None, &later, None, None).await.unwrap();
    let draft_id =
        backend::news::save(store, &staff, None, &article("草稿", "draft", "", "科普"), None, None).await.unwrap();

    let page = backend::news::list_public(store, None, 1, 10, t + 1).await.unwrap();
    assert_eq!(
        page.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![now_id],
        "the scheduled one and the draft stay hidden"
    );
    assert!(backend::news::get_public(store, later_id, t + 1).await.unwrap().is_none());
    assert!(backend::news::get_public(store, draft_id, t + 1).await.unwrap().is_none());
    assert!(backend::news::feed(store, t + 1, 20).await.unwrap().iter().all(|a| a.summary.id == now_id));
    let latest: Vec<i64> = backend::news::latest(store, 3, t + 1).await.unwrap().iter().map(|a| a.id).collect();
    assert_eq!(latest, vec![now_id], "the home page's latest three follow the same rule");
    // Its time comes: it is public, newest first, and only under its own tag.
    let tomorrow = t + 86_400 + 60;
    let page = backend::news::list_public(store, None, 1, 10, tomorrow).await.unwrap();
    assert_eq!(page.items.iter().map(|a| a.id).collect::<Vec<_>>(), vec![later_id, now_id]);
    assert_eq!(page.total, 2);
    let tagged = backend::news::list_public(store, Some("抽检公告"), 1, 10, tomorrow).await.unwrap();
    assert_eq!(tagged.items.iter().map(|a| a.id).collect::<Vec<_>>(), vec![later_id]);
    let paged = backend::news::list_public(store, None, 2, 1, tomorrow).await.unwrap();
    assert_eq!((paged.items.len(), paged.items[0].id, paged.total), (1, now_id, 2));
    // The body is sanitised when read.
    let a = backend::news::get_public(store, now_id, tomorrow).await.unwrap().unwrap();
    assert!(a.body_html.contains("<strong>加粗</strong>") && !a.body_html.contains("<script"), "{}", a.body_html);
    // Staff see all three with their states.
    let staff_view = backend::news::list_staff(store).await.unwrap();
    let state = |id: i64| staff_view.iter().find(|a| a.id == id).unwrap().state;
    assert_eq!(
        (state(now_id), state(later_id), state(draft_id)),
        (ArticleState::Published, ArticleState::Scheduled, ArticleState::Draft)
    );
}

async fn articles_save_with_audit_and_cover(db: &TestDb) {
    let store = db.store();
    let staff = Actor::cli();
    let png = backend::images::sample_png(64, 32, [200, 10, 10]);
    let cover = backend::news::prepare_cover(&db.state.photos, png).await.unwrap();
    assert!(cover.starts_with(&[0xFF, 0xD8]), "re-encoded as a JPEG");
    let id = backend::news::save(store, &staff, None, &article("有封面", "publish", "", ""), Some(cover), None)
        .await
        .unwrap();
    let t = backend::clock::now();
    assert!(backend::news::cover(store, id, t).await.unwrap().is_some());
    // An edit keeps the cover unless told to drop it; an unknown article is a 404.
    let mut edit = article("改过的标题", "publish", "", "科普");
    backend::news::save(store, &staff, Some(id), &edit, None, None).await.unwrap();
    assert!(backend::news::cover(store, id, t).await.unwrap().is_some());
    edit.remove_cover = true;
    backend::news::save(store, &staff, Some(id), &edit, None, None).await.unwrap();
    assert!(backend::news::cover(store, id, t).await.unwrap().is_none());
    let e = backend::news::save(store, &staff, Some(id + 1000), &edit, None, None).await.unwrap_err();
    assert_eq!(e.code, domain::ErrCode::NotFound);
    let a = backend::news::get_staff(store, id).await.unwrap().unwrap();
    assert_eq!((a.title.as_str(), a.tags.clone()), ("改过的标题", vec!["科普".to_owned()]));
    // Every save is audited, the failed one is not.
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE target = $1 ORDER BY id")
        .bind(format!("article:{id}"))
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(actions, ["news.create", "news.update", "news.update"]);
    // A non-image cover names its field.
    let e = backend::news::prepare_cover(&db.state.photos, b"GIF89a not really".to_vec()).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("cover"));
}

async fn statistics_of_an_empty_database_are_zeros(db: &TestDb) {
    let s = backend::stats::compute(db.store()).await.unwrap();
    assert_eq!((s.businesses, s.batches, s.ballots, s.cases_received, s.rewards_paid), (0, 0, 0, 0, 0));
    assert_eq!(s.pass_rate(), None);
    assert_eq!(s.on_time_rate(), None);
    assert_eq!(s.districts.len(), domain::credit::District::ALL.len(), "every district listed, none ranked");
    assert!(s.districts.iter().all(|d| d.index.is_none()));
}

async fn statistics_count_what_the_tables_hold(db: &TestDb) {
    let store = db.store();
    let staff = Actor::cli();
    for (n, district) in [(1, "涪城区"), (2, "涪城区"), (3, "江油市")] {
        let b = BusinessFields {
            credit_code: code(n),
            name: format!("测试商户{n}"),
            address: district.into(),
            district: district.into(),
            category: "餐饮".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        backend::credit::save_business(store, &staff, &b).await.unwrap();
    }
    let batch = |verdict: &str, failures: &str| SamplingFields {
        food: "韭菜".into(),
        place: "market".into(),
        credit_code: code(3),
        sampled_on: domain::clock::format_date(backend::clock::now()),
        items: "腐霉利".into(),
        verdict: verdict.into(),
        failures: failures.into(),
        ..Default::default()
    };
    backend::sampling::publish(store, &staff, &batch("pass", "").parse().unwrap(), None).await.unwrap();
    backend::sampling::publish(
        store,
        &staff,
        &batch("fail", "腐霉利 | 0.52 mg/kg | ≤0.2 mg/kg").parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    let t = backend::clock::now();
    let case = CaseFields {
        kind: "举报".into(),
        credit_code: code(1),
        category: "卫生状况".into(),
        description: "后厨卫生很差，餐具没有消毒。".into(),
        ..Default::default()
    };
    let r = backend::cases::file(&db.state, &case.parse(t).unwrap(), &[], None).await.unwrap();
    backend::cases::file(&db.state, &case.parse(t).unwrap(), &[], None).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1")
        .bind(&r.tracking_no)
        .fetch_one(store.pool())
        .await
        .unwrap();
    for to in [CaseState::Accepted, CaseState::Substantiated] {
        handle::transition(&db.state, &staff, id, &Transition { to: Some(to), quiet: true, ..Default::default() })
            .await
            .unwrap();
    }

    let s = backend::stats::compute(store).await.unwrap();
    assert_eq!(s.businesses, 3);
    assert_eq!(s.grades.iter().sum::<i64>(), 3);
    // The failing batch lowered the grade of business 3 (a sampling-failure event).
    assert_eq!((s.batches, s.batches_passed, s.pass_rate()), (2, 1, Some(50.0)));
    assert_eq!((s.cases_received, s.cases_accepted, s.cases_decided, s.cases_decided_on_time), (2, 1, 1, 1));
    assert_eq!(s.cases_substantiated, 1);
    let fucheng = s.districts.iter().find(|d| d.district == "涪城区").unwrap();
    let jiangyou = s.districts.iter().find(|d| d.district == "江油市").unwrap();
    assert_eq!((fucheng.businesses, fucheng.substantiated_cases, fucheng.batches), (2, 1, 0));
    assert_eq!((jiangyou.businesses, jiangyou.batches, jiangyou.batches_passed), (1, 2, 1));
    assert!(fucheng.index.is_some() && jiangyou.index.is_some());
    // Ranked best first; districts without businesses come last, unranked.
    let ranked: Vec<Option<f64>> = s.districts.iter().map(|d| d.index).collect();
    assert!(ranked.windows(2).all(|w| w[0].unwrap_or(-1.0) >= w[1].unwrap_or(-1.0)), "{ranked:?}");
    assert_eq!(ranked.iter().filter(|i| i.is_some()).count(), 2);
}

async fn concurrent_saves_of_distinct_articles(db: &TestDb) {
    // Twenty staff saves at once (distinct articles): each commits whole with its audit entry, no pooled
    // connection is held while another is acquired (the pool is smaller than the burst).
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = db.store().clone();
            tokio::spawn(async move {
                backend::news::save(
                    &store,
                    &Actor::cli(),
                    None,
                    &article(&format!("文章{i}"), "publish", "", "科普"),
                    None,
                    None,
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_articles").fetch_one(db.store().pool()).await.unwrap();
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'news.create'")
        .fetch_one(db.store().pool())
        .await
        .unwrap();
    assert_eq!((n, audited), (20, 20));
    let page = backend::news::list_public(db.store(), Some("科普"), 1, 50, backend::clock::now()).await.unwrap();
    assert_eq!(page.total, 20);
}

async fn statistics_are_reused_within_their_ttl(db: &TestDb) {
    let first = backend::stats::cached(&db.state).await.unwrap();
    let b = BusinessFields {
        credit_code: code(9),
        name: "新开的店".into(),
        address: "涪城区".into(),
        district: "涪城区".into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    backend::credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    // Twenty readers at once within the TTL: all get the same count, taken once.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let state = db.state.clone();
            tokio::spawn(async move { backend::stats::cached(&state).await.unwrap() })
        })
        .collect();
    for t in tasks {
        let s = t.await.unwrap();
        assert_eq!((s.businesses, s.computed_at), (first.businesses, first.computed_at));
    }
    assert_eq!(
        backend::stats::compute(db.store()).await.unwrap().businesses,
        first.businesses + 1,
        "a fresh count sees it"
    );
}
