//! The registry: businesses, events and grades, search, replies, imports, the rules cache.

use crate::common::TestDb;
use crate::fixtures::{biz, code, event, windows_pass};
use backend::credit::{self as credit, Upserted};
use backend::staff::audit::{self, Actor};
use domain::credit::{BusinessInput, EventFields};
use domain::credit::{Grade, SearchQuery};
use domain::ErrCode;

on_both!(
    lookups_reuse_the_deduction_rules_within_their_ttl,
    replies_are_moderated_before_publication,
    contacts_stored_in_clear_before_sealing_are_sealed_at_start,
    imports_apply_in_batches_and_report_each_row,
    grades_follow_events_across_the_period_edge,
    concurrent_events_on_one_business_all_count,
    business_upserts_are_idempotent,
    events_drive_grades_and_history,
    search_ranks_and_filters,
    search_handles_hostile_input,
    demo_registry_is_valid_and_searchable,
);

fn search(q: &str) -> SearchQuery {
    SearchQuery::parse(Some(q), None, None, None, None, None, None).unwrap()
}

async fn business_upserts_are_idempotent(db: &TestDb) {
    let store = db.store();
    let b = biz(1, "老王绵阳米粉", "四川省绵阳市涪城区临园路1号", "涪城区", "餐饮");
    assert_eq!(credit::save_business(store, &Actor::cli(), &b).await.unwrap(), Upserted::Created);
    assert_eq!(credit::save_business(store, &Actor::cli(), &b).await.unwrap(), Upserted::Unchanged);
    let moved = BusinessInput {
        address: "四川省绵阳市游仙区东街2号".into(), district: "游仙区".into(), ..b.clone()
    };
    assert_eq!(credit::save_business(store, &Actor::cli(), &moved).await.unwrap(), Upserted::Updated);
    let found = credit::search(&db.state, &search("东街")).await.unwrap();
    assert_eq!(found.total, 1, "search follows the update");
    assert!(credit::search(&db.state, &search("临园路")).await.unwrap().items.is_empty(), "old address forgotten");
    assert_eq!(credit::count(store).await.unwrap(), 1);
}

async fn events_drive_grades_and_history(db: &TestDb) {
    let store = db.store();
    let b = biz(2, "涪城区学校食堂", "四川省绵阳市涪城区剑南路3号", "涪城区", "集中用餐单位");
    credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let today = domain::clock::format_date(backend::clock::now());
    let ev = |code: &str, kind: &str, sev: &str| {
        EventFields {
            credit_code: code.into(),
            kind: kind.into(),
            severity: sev.into(),
            occurred_at: today.clone(),
            source: "抽检通告".into(),
            description: "测试事项".into(),
        }
        .parse()
        .unwrap()
    };
    let this = b.credit_code.to_string();
    credit::add_event(store, &Actor::cli(), &ev(&this, "penalty", "general")).await.unwrap();
    // A downgrade is first 新评级待公布: the grade in force stays until the objection window closes.
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((d.summary.score, d.summary.grade.as_str(), d.summary.new_rating_pending), (100, "A", true));
    windows_pass(store).await;
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((d.summary.score, d.summary.grade.as_str(), d.summary.new_rating_pending), (85, "B", false));
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].points, -15);
    assert_eq!(d.history.len(), 1);
    credit::add_event(store, &Actor::cli(), &ev(&this, "inspection_finding", "serious")).await.unwrap();
    windows_pass(store).await;
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!(d.summary.grade, Grade::D, "a serious violation forces D");
    assert!(d.summary.watch_list);
    assert!(d.summary.last_inspected_at.is_some());
    assert_eq!(d.history.len(), 2, "history is appended, never overwritten");
    assert_eq!(d.history[0].grade, Grade::B);
    let watch = SearchQuery::parse(None, None, None, None, Some("true"), None, None).unwrap();
    assert_eq!(credit::search(&db.state, &watch).await.unwrap().total, 1);
    assert_eq!(
        credit::add_event(store, &Actor::cli(), &ev(&code(999), "penalty", "minor")).await.unwrap_err().code,
        ErrCode::NotFound
    );
    let log = audit::recent(store, 5, None).await.unwrap();
    assert!(log.iter().any(|e| e.action == "credit.event_add"));
}

async fn search_ranks_and_filters(db: &TestDb) {
    let store = db.store();
    let rows = [
        (10, "米粉", "四川省绵阳市游仙区东街1号", "游仙区", "餐饮"),
        (11, "老王绵阳米粉", "四川省绵阳市涪城区临园路8号", "涪城区", "餐饮"),
        (12, "米粉世家", "四川省绵阳市江油市太白路2号", "江油市", "餐饮"),
        (13, "绵州超市", "四川省绵阳市涪城区米粉巷5号", "涪城区", "销售"),
        (14, "江油白酒厂", "四川省绵阳市江油市中坝镇", "江油市", "生产"),
    ];
    for (n, name, addr, d, c) in rows {
        credit::save_business(store, &Actor::cli(), &biz(n, name, addr, d, c)).await.unwrap();
    }
    let r = credit::search(&db.state, &search("米粉")).await.unwrap();
    let names: Vec<&str> = r.items.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["米粉", "米粉世家", "老王绵阳米粉", "绵州超市"], "exact > prefix > substring > address");
    assert_eq!(r.total, 4);
    // Two-character place names in addresses.
    assert_eq!(credit::search(&db.state, &search("涪城")).await.unwrap().total, 2);
    // Filters.
    let q = SearchQuery::parse(Some("米粉"), Some("涪城区"), None, Some("餐饮"), None, None, None).unwrap();
    let r = credit::search(&db.state, &q).await.unwrap();
    assert_eq!(r.items.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["老王绵阳米粉"]);
    let q = SearchQuery::parse(None, Some("江油市"), Some("A"), None, None, None, None).unwrap();
    assert_eq!(credit::search(&db.state, &q).await.unwrap().total, 2);
    // Exact credit code and licence.
    let r = credit::search(&db.state, &search(&code(14))).await.unwrap();
    assert_eq!(r.items[0].name, "江油白酒厂");
    // Paging.
    let q = SearchQuery::parse(Some("米粉"), None, None, None, None, Some("2"), Some("3")).unwrap();
    let r = credit::search(&db.state, &q).await.unwrap();
    assert_eq!((r.items.len(), r.total, r.page), (1, 4, 2));
    let q = SearchQuery::parse(Some("米粉"), None, None, None, None, Some("9"), Some("3")).unwrap();
    let r = credit::search(&db.state, &q).await.unwrap();
    assert_eq!((r.items.len(), r.total), (0, 4), "past the end: no items, total still known");
}

async fn search_handles_hostile_input(db: &TestDb) {
    let store = db.store();
    credit::save_business(store, &Actor::cli(), &biz(20, "100%纯果汁_店", "绵阳市涪城区'引号'路", "涪城区", "销售"))
        .await
        .unwrap();
    credit::save_business(store, &Actor::cli(), &biz(21, "1000纯果汁店", "绵阳市涪城区东街", "涪城区", "销售"))
        .await
        .unwrap();
    // LIKE metacharacters are literal.
    let r = credit::search(&db.state, &search("100%")).await.unwrap();
    assert_eq!(r.items.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["100%纯果汁_店"]);
    let r = credit::search(&db.state, &search("汁_店")).await.unwrap();
    assert_eq!(r.total, 1);
    // Quotes, full width, emoji and FTS syntax cannot break the query.
    for q in ["'引号'", "１００%", "果汁🍊", r#""OR" NEAR(a b)"#, "米粉 AND *", "涪城区'; DROP TABLE businesses;--"]
    {
        let q = SearchQuery::parse(Some(q), None, None, None, None, None, None).unwrap();
        credit::search(&db.state, &q).await.unwrap();
    }
    assert_eq!(credit::count(store).await.unwrap(), 2);
    assert_eq!(SearchQuery::parse(Some("%"), None, None, None, None, None, None).unwrap_err().code, ErrCode::TooShort);
    assert_eq!(
        SearchQuery::parse(Some(&"米".repeat(200)), None, None, None, None, None, None).unwrap_err().code,
        ErrCode::TooLong
    );
    assert_eq!(
        SearchQuery::parse(None, None, None, None, None, None, Some("1000")).unwrap_err().field.as_deref(),
        Some("per_page")
    );
}

async fn demo_registry_is_valid_and_searchable(db: &TestDb) {
    let store = db.store();
    assert_eq!(backend::credit::seed::load(store, 0, 500).await.unwrap(), 500);
    assert_eq!(backend::credit::seed::load(store, 0, 500).await.unwrap(), 0, "idempotent");
    let all = credit::export(store).await.unwrap();
    assert_eq!(all.len(), 500);
    for b in &all {
        domain::credit::CreditCode::parse(&b.credit_code).unwrap();
        domain::credit::LicenceNo::parse(b.licence_no.as_deref().unwrap()).unwrap();
    }
    let grades: std::collections::HashMap<&str, usize> = all.iter().fold(Default::default(), |mut m, b| {
        *m.entry(b.grade.as_str()).or_default() += 1;
        m
    });
    assert!(grades["A"] > 300, "mostly A: {grades:?}");
    assert!(credit::search(&db.state, &search("米粉")).await.unwrap().total > 10);
}

/// Time: a penalty 364 days old still counts; two days later it has left the period and the stored grade is
/// re-derived by the refresh (a stored grade must not keep an old penalty for ever); running it again changes
/// nothing. An event dated tomorrow is refused beyond one day ahead.
async fn grades_follow_events_across_the_period_edge(db: &TestDb) {
    let store = db.store();
    let b = biz(30, "游仙区老火锅", "四川省绵阳市游仙区东街30号", "游仙区", "餐饮");
    credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let now = backend::clock::now();
    let code = b.credit_code.to_string();
    credit::add_event(store, &Actor::cli(), &event(&code, "penalty", "general", now - 364 * 86_400)).await.unwrap();
    windows_pass(store).await;
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((d.summary.score, d.summary.grade), (85, Grade::B));
    // Nothing crossed the edge yet.
    assert_eq!(credit::refresh_aged(store, now - 3600, now).await.unwrap(), 0);
    let later = now + 2 * 86_400;
    assert_eq!(credit::refresh_aged(store, now, later).await.unwrap(), 1);
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((d.summary.score, d.summary.grade), (100, Grade::A), "the penalty left the period");
    assert_eq!(d.history.last().map(|h| h.reason.as_str()), Some("period"));
    let entries = d.history.len();
    credit::refresh_aged(store, now, later).await.unwrap();
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!(d.history.len(), entries, "a second run appends nothing");
    let e = credit::add_event(store, &Actor::cli(), &event(&code, "penalty", "minor", now + 3 * 86_400)).await;
    assert_eq!(e.unwrap_err().field.as_deref(), Some("occurred_at"), "future-dated events are refused");
}

/// Concurrency: events recorded at the same moment on one business all count, and the grade reflects them all.
async fn concurrent_events_on_one_business_all_count(db: &TestDb) {
    let store = db.store().clone();
    let b = biz(31, "涪城区快餐店", "四川省绵阳市涪城区临园路31号", "涪城区", "餐饮");
    credit::save_business(&store, &Actor::cli(), &b).await.unwrap();
    let code = b.credit_code.to_string();
    let now = backend::clock::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, code) = (store.clone(), code.clone());
            tokio::spawn(async move {
                credit::add_event(&store, &Actor::cli(), &event(&code, "inspection_finding", "minor", now)).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!(d.events.len(), 8);
    assert_eq!((d.summary.grade, d.summary.new_rating_pending), (Grade::A, true), "held while it may be objected to");
    windows_pass(&store).await;
    let d = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap();
    assert_eq!((d.summary.score, d.summary.grade), (84, Grade::B), "8 minor findings at 2 points each");
}

/// Right to reply on both engines: submitted (pending, contact kept), not public, approved → published without
/// the contact; deciding twice is a 404; rejected ones never show.
async fn replies_are_moderated_before_publication(db: &TestDb) {
    let store = db.store();
    let b = biz(60, "回应测试面馆", "四川省绵阳市涪城区临园路60号", "涪城区", "餐饮");
    credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let fields = |body: &str| domain::credit::ReplyFields {
        kind: "reply".into(),
        body: body.into(),
        contact: "王先生 13800000000".into(),
    };
    let kept = credit::replies::submit(
        &db.state,
        &b.credit_code,
        &fields("我店已整改完毕，欢迎监督。").parse().unwrap(),
        Some("203.0.113.0/24"),
    )
    .await
    .unwrap();
    let dropped = credit::replies::submit(
        &db.state,
        &b.credit_code,
        &fields("这条回应将被驳回，不会公开。").parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    let queue = credit::replies::pending(&db.state, 10).await.unwrap();
    assert_eq!(queue.len(), 2);
    // The contact is sealed at rest: no row holds it in clear.
    let clear: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM business_replies WHERE contact LIKE '%13800000000%'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(clear, 0);
    assert_eq!(queue[0].contact.as_deref(), Some("王先生 13800000000"));
    assert_eq!(queue[0].origin.as_ref().unwrap().ip_prefix.as_deref(), Some("203.0.113.0/24"));
    assert_eq!(queue[0].origin.as_ref().unwrap().contact_submissions, 2);
    assert!(credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap().replies.is_empty(), "nothing public yet");
    credit::replies::decide(store, &Actor::cli(), kept, true, "").await.unwrap();
    credit::replies::decide(store, &Actor::cli(), dropped, false, "与事实不符").await.unwrap();
    let shown = credit::detail(&db.state, &b.credit_code).await.unwrap().unwrap().replies;
    assert_eq!(shown.len(), 1);
    assert_eq!((shown[0].body.as_str(), shown[0].contact.as_ref()), ("我店已整改完毕，欢迎监督。", None));
    assert_eq!(
        credit::replies::decide(store, &Actor::cli(), kept, false, "").await.unwrap_err().code,
        ErrCode::NotFound
    );
    assert!(credit::replies::pending(&db.state, 10).await.unwrap().is_empty());
}

/// CSV import on both engines: 1,201 rows in three batches (progress after each), a bad row reported with its
/// line and skipped, a second run changes nothing.
async fn imports_apply_in_batches_and_report_each_row(db: &TestDb) {
    let store = db.store();
    let mut csv = String::from("credit_code,name,address,district,category,licence_no\n");
    for n in 0..1_200u32 {
        csv.push_str(&format!("{},批量商户{n},四川省绵阳市江油市太白路{n}号,江油市,销售,\n", code(200 + n)));
    }
    csv.push_str("BAD,坏行,地址,江油市,销售,\n");
    let calls = std::sync::Mutex::new(Vec::new());
    let r = credit::import::import_now(store, &Actor::cli(), csv.as_bytes(), |done, total| {
        calls.lock().unwrap().push((done, total))
    })
    .await
    .unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (1_200, 0, 0));
    assert_eq!(r.errors.len(), 1);
    assert_eq!((r.errors[0].line, r.errors[0].field.as_str()), (1_202, "credit_code"));
    assert_eq!(*calls.lock().unwrap(), [(500, 1_200), (1_000, 1_200), (1_200, 1_200)]);
    let again = credit::import::import_now(store, &Actor::cli(), csv.as_bytes(), |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1_200));
    let found = credit::search(&db.state, &search("批量商户1199")).await.unwrap();
    assert_eq!(found.items[0].name, "批量商户1199");
}

/// Replies filed before contacts were sealed: sealed by the start-up pass, still shown to moderators, counted
/// against the same caps.
async fn contacts_stored_in_clear_before_sealing_are_sealed_at_start(db: &TestDb) {
    let store = db.store();
    let b = biz(61, "旧回应面馆", "四川省绵阳市涪城区临园路61号", "涪城区", "餐饮");
    credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(b.credit_code.as_str())
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO business_replies (business_id, kind, body, contact, status, created_at) VALUES ($1, 'reply', '旧的回应内容，等待审核。', '李老板 13700000000', 'pending', 1)")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(credit::replies::seal_legacy_contacts(&db.state).await.unwrap(), 1);
    assert_eq!(credit::replies::seal_legacy_contacts(&db.state).await.unwrap(), 0, "once");
    let clear: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM business_replies WHERE contact LIKE '%13700000000%'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(clear, 0);
    let queue = credit::replies::pending(&db.state, 10).await.unwrap();
    assert_eq!(queue[0].contact.as_deref(), Some("李老板 13700000000"));
    // The same contact (any case, any spacing) meets the same cap.
    let fields = |body: &str| domain::credit::ReplyFields {
        kind: "reply".into(),
        body: body.into(),
        contact: " 李老板 13700000000 ".into(),
    };
    credit::replies::submit(&db.state, &b.credit_code, &fields("第二条回应内容，等待审核。").parse().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        credit::replies::pending(&db.state, 10).await.unwrap()[0].origin.as_ref().unwrap().contact_submissions,
        2
    );
}

async fn lookups_reuse_the_deduction_rules_within_their_ttl(db: &TestDb) {
    use backend::credit::events::{rules, rules_cached};
    let store = db.store();
    let first = rules_cached(&db.state.credit, &mut store.pool().acquire().await.unwrap()).await.unwrap();
    let changed = domain::credit::CreditRules { period_days: first.period_days + 30, ..first.clone() };
    sqlx::query("INSERT INTO credit_rules (id, rules, updated_at) VALUES (1, $1, 0)")
        .bind(serde_json::to_string(&changed).unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    // A lookup within the TTL uses the rules it read (one query less); anything that writes reads them fresh.
    let again = rules_cached(&db.state.credit, &mut store.pool().acquire().await.unwrap()).await.unwrap();
    assert_eq!(again.period_days, first.period_days);
    assert_eq!(rules(store).await.unwrap().period_days, first.period_days + 30);
}
