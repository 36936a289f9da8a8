#![allow(clippy::unwrap_used, reason = "tests and benches report failures by panicking")]
//! Abuse bounds stored in the database: they hold under parallel requests on both engines, per key and per
//! window, whatever instance answers.

mod common;
use common::TestDb;

on_both!(parallel_spends_never_pass_the_limit, amounts_and_bounds);

use backend::abuse::{self, DAY, MINUTE};
use backend::config::Bound;
use domain::ErrCode;

async fn parallel_spends_never_pass_the_limit(db: &TestDb) {
    let store = &db.state.store;
    // 200 spends at once against a limit of 17 (the count-then-insert pattern lets several through).
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { abuse::spend(&store, "cases", "198.51.100.0/24", MINUTE, 17).await })
        })
        .collect();
    let mut passed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => passed += 1,
            Err(e) => {
                assert_eq!(e.code, ErrCode::RateLimited);
                assert!(e.retry_after.is_some_and(|s| (1..=60).contains(&s)), "{:?}", e.retry_after);
            }
        }
    }
    assert_eq!(passed, 17);
    assert_eq!(abuse::used(store, "cases", "198.51.100.0/24", MINUTE).await.unwrap(), 17);
    // Other keys, scopes and windows are independent.
    abuse::spend(store, "cases", "198.51.101.0/24", MINUTE, 17).await.unwrap();
    abuse::spend(store, "drafts", "198.51.100.0/24", MINUTE, 17).await.unwrap();
    abuse::spend(store, "cases", "198.51.100.0/24", DAY, 17).await.unwrap();
    assert_eq!(abuse::used(store, "cases", "198.51.101.0/24", MINUTE).await.unwrap(), 1);
    // Distinct keys in parallel: each gets its own count.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { abuse::spend(&store, "ballots", &format!("10.0.{i}.0/24"), DAY, 1).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // The sweep keeps current windows.
    abuse::sweep(store).await.unwrap();
    assert_eq!(abuse::used(store, "cases", "198.51.100.0/24", MINUTE).await.unwrap(), 17);
}

async fn amounts_and_bounds(db: &TestDb) {
    let store = &db.state.store;
    abuse::spend_amount(store, "photo-bytes", "n", DAY, 100, 60).await.unwrap();
    // 60 + 50 would pass 100: refused whole, nothing spent.
    assert!(abuse::spend_amount(store, "photo-bytes", "n", DAY, 100, 50).await.is_err());
    abuse::spend_amount(store, "photo-bytes", "n", DAY, 100, 40).await.unwrap();
    assert_eq!(abuse::used(store, "photo-bytes", "n", DAY).await.unwrap(), 100);
    // A first spend larger than the limit is refused too.
    assert!(abuse::spend_amount(store, "photo-bytes", "m", DAY, 100, 101).await.is_err());
    assert_eq!(abuse::used(store, "photo-bytes", "m", DAY).await.unwrap(), 0);
    // A bound spends the minute, then the day; no network, no bound.
    let b = Bound::new(2, 3);
    abuse::spend_bound(store, "sms", Some("a"), b).await.unwrap();
    abuse::spend_bound(store, "sms", Some("a"), b).await.unwrap();
    assert!(abuse::spend_bound(store, "sms", Some("a"), b).await.is_err(), "the minute is full");
    assert_eq!(abuse::used(store, "sms", "a", DAY).await.unwrap(), 2);
    for _ in 0..10 {
        abuse::spend_bound(store, "sms", None, b).await.unwrap();
    }
}

on_both!(bulk_export_pages_cover_the_registry_once);

/// The streamed bulk download reads the registry in short pages: together they are the whole registry, in
/// order, each business once; the version changes with any change.
async fn bulk_export_pages_cover_the_registry_once(db: &TestDb) {
    let store = &db.state.store;
    backend::seed::demo_with(&db.state, 50, backend::seed::DEMO_PASSWORD).await.unwrap();
    let whole = backend::credit::export(store).await.unwrap();
    assert!(whole.len() >= 50);
    let v1 = backend::credit::export_version(store).await.unwrap();
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = backend::credit::export_page(store, after.as_deref(), 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|b| b.credit_code.as_str().to_owned());
        paged.extend(page);
    }
    assert_eq!(paged, whole);
    assert_eq!(backend::credit::export_version(store).await.unwrap(), v1, "reading changes nothing");
    sqlx::query("UPDATE businesses SET grade = 'D' WHERE id = (SELECT MIN(id) FROM businesses)").execute(store.pool()).await.unwrap();
    // The stamp has millisecond resolution: a change within the same millisecond as the seed would keep it.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    sqlx::query("UPDATE businesses SET grade = 'C' WHERE id = (SELECT MIN(id) FROM businesses)").execute(store.pool()).await.unwrap();
    assert_ne!(backend::credit::export_version(store).await.unwrap(), v1);
}

on_both!(nominations_and_replies_are_bounded_per_network);

/// Nominations and business replies spend their network's bound for the minute and the day, shared by every
/// instance: past it 429, while another network goes on.
async fn nominations_and_replies_are_bounded_per_network(db: &TestDb) {
    use backend::picks::{self, nominations};
    use backend::staff::audit::Actor;
    use domain::picks::{CandidateInput, RoundInput, Schedule, VoterCheck};
    let mut config = (*db.state.config).clone();
    config.network_bounds.nominations = Bound::new(3, 4);
    config.network_bounds.replies = Bound::new(2, 2);
    let state = backend::AppState { config: std::sync::Arc::new(config), ..db.state.clone() };
    let t = backend::clock::now();
    let round = RoundInput {
        title: "第九期".into(),
        description: "说明".into(),
        schedule: Schedule { nominate_from: t - DAY, vote_from: t + DAY, vote_until: t + 5 * DAY, publish_at: t + 9 * DAY },
        max_picks: 2,
        show_live: false,
        voter_check: VoterCheck::Device,
    };
    let id = picks::create_round(&state, &Actor::cli(), &round).await.unwrap();
    let food = |n: usize| CandidateInput { food: format!("食品{n}"), category: "其他".into(), reason: String::new() };
    // Distinct voters of one network, in parallel: the minute's three pass.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (state, c) = (state.clone(), food(i));
            tokio::spawn(async move { nominations::submit_public(&state, id, &format!("voter-{i}"), "198.51.100.0/24", &c).await })
        })
        .collect();
    let mut passed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => passed += 1,
            Err(e) => assert_eq!(e.code, ErrCode::RateLimited),
        }
    }
    assert_eq!(passed, 3);
    nominations::submit_public(&state, id, "voter-x", "203.0.113.0/24", &food(99)).await.unwrap();
    // Replies: two from a network, then 429 — to other businesses and with other contacts alike.
    backend::seed::demo_with(&state, 20, backend::seed::DEMO_PASSWORD).await.unwrap();
    let codes: Vec<String> = sqlx::query_scalar("SELECT credit_code FROM businesses ORDER BY id LIMIT 3")
        .fetch_all(state.store.pool())
        .await
        .unwrap();
    for (i, code) in codes.iter().enumerate() {
        let code = domain::credit::CreditCode::parse(code).unwrap();
        let reply = domain::credit::ReplyFields {
            kind: "reply".into(),
            body: "我店已整改完毕，欢迎监督。".into(),
            contact: format!("联系人{i} 1380000000{i}"),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let r = backend::credit::replies::submit(&state, &code, &reply, Some("198.51.100.0/24")).await;
        assert_eq!(r.is_ok(), i < 2, "{i}: {r:?}");
    }
}
