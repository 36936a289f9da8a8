//! Abuse bounds stored in the database: they hold under parallel requests on both engines, per key and per
//! window, whatever instance answers.

use crate::common::TestDb;

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
    sqlx::query("UPDATE businesses SET grade = 'D' WHERE id = (SELECT MIN(id) FROM businesses)")
        .execute(store.pool())
        .await
        .unwrap();
    // The stamp has millisecond resolution: a change within the same millisecond as the seed would keep it.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    sqlx::query("UPDATE businesses SET grade = 'C' WHERE id = (SELECT MIN(id) FROM businesses)")
        .execute(store.pool())
        .await
        .unwrap();
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
        schedule: Schedule {
            nominate_from: t - DAY,
            vote_from: t + DAY,
            vote_until: t + 5 * DAY,
            publish_at: t + 9 * DAY,
        },
        max_picks: 2,
        show_live: false,
        voter_check: VoterCheck::Device,
    };
    let id = picks::create_round(&state, &Actor::cli(), &round).await.unwrap();
    let food =
        |n: usize| CandidateInput { food: format!("食品{n}"), category: "其他".into(), reason: String::new() };
    // Distinct voters of one network, in parallel: the minute's three pass.
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (state, c) = (state.clone(), food(i));
            tokio::spawn(async move {
                nominations::submit_public(&state, id, &format!("voter-{i}"), "198.51.100.0/24", &c).await
            })
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
        }
        .parse()
        .unwrap();
        let r = backend::credit::replies::submit(&state, &code, &reply, Some("198.51.100.0/24")).await;
        assert_eq!(r.is_ok(), i < 2, "{i}: {r:?}");
    }
}

on_both!(sealed_values_open_only_in_their_row_and_old_ones_are_resealed);

/// A reporter's sealed contact copied into another case does not open there; values stored before the binding
/// are re-sealed by the start-up pass, once, and then open in their own row only.
async fn sealed_values_open_only_in_their_row_and_old_ones_are_resealed(db: &TestDb) {
    use backend::staff::audit::Actor;
    use domain::cases::CaseFields;
    let state = &db.state;
    let t = backend::clock::now();
    let fields = |phone: &str| CaseFields {
        kind: "举报".into(),
        business_name: "某某烧烤店".into(),
        category: "卫生状况".into(),
        description: "后厨老鼠出没，餐具未消毒。".into(),
        reporter_name: "李四".into(),
        reporter_phone: phone.into(),
        ..Default::default()
    };
    let a = backend::cases::file(state, &fields("13800001111").parse(t).unwrap(), &[], None).await.unwrap();
    let b = backend::cases::file(state, &fields("13800002222").parse(t).unwrap(), &[], None).await.unwrap();
    let id = |no: String| {
        let pool = state.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM cases WHERE tracking_no = $1")
                .bind(no)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (ia, ib) = (id(a.tracking_no.clone()).await, id(b.tracking_no.clone()).await);
    let staff = Actor::cli();
    let revealed = backend::cases::handle::reveal(state, &staff, ia, None).await.unwrap().unwrap();
    assert_eq!(revealed.phone, "13800001111");
    // Someone with write access to the database moves A's sealed contact into B: it does not open there.
    sqlx::query("UPDATE cases SET reporter_sealed = (SELECT reporter_sealed FROM cases WHERE id = $1) WHERE id = $2")
        .bind(ia)
        .bind(ib)
        .execute(state.store.pool())
        .await
        .unwrap();
    assert!(backend::cases::handle::reveal(state, &staff, ib, None).await.is_err());
    // A value stored by an older version (unbound) is re-sealed bound by the start-up pass, once.
    let secret = state.config.secret_key.expose();
    let old = backend::sealed::seal_unbound(secret, "reporter", r#"{"name":"王五","phone":"13800003333"}"#.as_bytes())
        .unwrap();
    sqlx::query("UPDATE cases SET reporter_sealed = $1 WHERE id = $2")
        .bind(old)
        .bind(ib)
        .execute(state.store.pool())
        .await
        .unwrap();
    assert!(
        backend::cases::handle::reveal(state, &staff, ib, None).await.is_err(),
        "unbound values are not opened as they are"
    );
    assert_eq!(backend::cases::intake::reseal_legacy(state).await.unwrap(), 1);
    assert_eq!(backend::cases::intake::reseal_legacy(state).await.unwrap(), 0, "once");
    assert_eq!(backend::cases::handle::reveal(state, &staff, ib, None).await.unwrap().unwrap().phone, "13800003333");
    // The receipt of an idempotent replay still opens (the access code is bound to its case too).
    let keyed = CaseFields { idempotency_key: "k-9".into(), ..fields("13800004444") }.parse(t).unwrap();
    let first = backend::cases::file(state, &keyed, &[], None).await.unwrap();
    assert_eq!(backend::cases::file(state, &keyed, &[], None).await.unwrap(), first);
}

on_both!(a_flood_of_old_cases_hides_neither_the_overdue_nor_the_newest);

/// 2,100 open cases (more than the queue ever read) cannot hide the newest case from staff, nor the overdue
/// ones: the queue reads from both ends.
async fn a_flood_of_old_cases_hides_neither_the_overdue_nor_the_newest(db: &TestDb) {
    use backend::cases::handle::{queue, QueueOrder};
    use domain::cases::CaseFields;
    let state = &db.state;
    let t = backend::clock::now();
    let mut tx = state.store.begin_write().await.unwrap();
    for i in 0..2_100i64 {
        // The first is a month old (overdue); the rest are recent.
        let at = if i == 0 { t - 30 * DAY } else { t - 3_600 + i };
        sqlx::query(
            "INSERT INTO cases (tracking_no, access_hash, access_sealed, kind, channel, business_name, category, \
             description, state, state_since, created_at, updated_at) \
             VALUES ($1, 'x', $2, 'report', 'web', '某店', '卫生状况', '灌水', 'submitted', $3, $3, $3)",
        )
        .bind(format!("JB-FLOOD-{i:06}"))
        .bind(vec![0u8; 4])
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let real = CaseFields {
        kind: "举报".into(),
        business_name: "某某烧烤店".into(),
        category: "卫生状况".into(),
        description: "后厨老鼠出没，餐具未消毒。".into(),
        ..Default::default()
    };
    let r = backend::cases::file(state, &real.parse(t).unwrap(), &[], None).await.unwrap();
    let newest = queue(&state.store, None, false, QueueOrder::Newest).await.unwrap();
    assert_eq!(newest[0].tracking_no, r.tracking_no, "the newest case is seen");
    assert_eq!(newest.len(), 200);
    let urgent = queue(&state.store, None, false, QueueOrder::Deadline).await.unwrap();
    assert_eq!(urgent[0].tracking_no, "JB-FLOOD-000000", "the overdue case comes first");
    assert!(urgent[0].overdue);
}

on_both!(leased_spends_hold_the_bound_across_instances);

/// Units reserved in chunks by two instances (two lease tables over one database) never pass the limit, and
/// fall short of it by at most what each instance holds unused.
async fn leased_spends_hold_the_bound_across_instances(db: &TestDb) {
    let store = &db.state.store;
    let instances = [std::sync::Arc::new(abuse::Leases::default()), std::sync::Arc::new(abuse::Leases::default())];
    let limit = 200; // chunks of 10
    let mut passed = 0;
    // Six waves of 100 parallel requests, spread over the two instances.
    for _ in 0..6 {
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let (store, leases) = (store.clone(), instances[i % 2].clone());
                tokio::spawn(async move {
                    abuse::spend_leased(&store, &leases, "ballots", "198.51.100.0/24", DAY, limit).await.is_ok()
                })
            })
            .collect();
        for t in tasks {
            passed += i64::from(t.await.unwrap());
        }
    }
    let held: i64 = instances.iter().map(|l| l.held()).sum();
    assert!(passed <= limit, "{passed}");
    assert_eq!(passed + held, limit, "every unit reserved either admitted a request or is still held");
    assert!(passed >= limit * 3 / 4, "{passed}");
    assert_eq!(
        abuse::used(store, "ballots", "198.51.100.0/24", DAY).await.unwrap(),
        limit,
        "everything reserved is counted"
    );
}
