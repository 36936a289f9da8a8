//! The in-memory search index against the SQL search it replaced, and its freshness: this instance's writes at
//! once, another instance's (or process's) within the poll. Every case on SQLite and on PostgreSQL.

use crate::common::TestDb;
use backend::credit::{self, index::POLL, MAX_CANDIDATES};
use backend::staff::audit::Actor;
use backend::store::Store;
use domain::credit::{credit_check_char, BusinessFields, BusinessInput, EventFields, SearchQuery};

on_both!(
    index_answers_exactly_what_the_sql_search_answers,
    own_writes_are_seen_by_the_next_search,
    another_instances_writes_are_seen_within_the_poll,
    concurrent_searches_while_businesses_change,
);

fn code(n: u32) -> String {
    let body = format!("91510703MB{n:07}");
    format!("{body}{}", credit_check_char(body.as_bytes()).unwrap())
}

fn biz(n: u32, name: &str, address: &str, district: &str) -> BusinessInput {
    BusinessFields {
        credit_code: code(n),
        name: name.into(),
        address: address.into(),
        district: district.into(),
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap()
}

fn query(q: &str, district: Option<&str>, grade: Option<&str>, page: &str, per_page: &str) -> SearchQuery {
    SearchQuery::parse(Some(q), district, grade, None, None, Some(page), Some(per_page)).unwrap()
}

fn codes(p: &domain::credit::Page<domain::credit::BusinessSummary>) -> Vec<&str> {
    p.items.iter().map(|b| b.credit_code.as_str()).collect()
}

/// The demo registry's names and addresses, every filter and several pages: where the SQL search saw every
/// match, the index gives the same businesses in the same order and the same total; where the SQL search
/// stopped at its candidate bound, the index counts at least as many.
async fn index_answers_exactly_what_the_sql_search_answers(db: &TestDb) {
    let store = db.store();
    credit::seed::load(store, 0, 3_000).await.unwrap();
    // A few events so grades differ.
    let all = credit::export(store).await.unwrap();
    let mut terms: Vec<String> = ["米粉", "火锅", "超市", "涪城", "绵阳", "路", "江油市", "便利店", "食堂", "号", "店"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Fragments of real names and addresses: whole names (exact rank), prefixes, middles.
    for b in all.iter().step_by(97) {
        let n: Vec<char> = b.name.chars().collect();
        terms.push(b.name.clone());
        terms.push(n[..2.min(n.len())].iter().collect());
        if n.len() > 3 {
            terms.push(n[1..3].iter().collect());
        }
        let a: Vec<char> = b.address.chars().collect();
        if a.len() > 8 {
            terms.push(a[5..9].iter().collect());
        }
    }
    // Every seventh business in 阳光餐饮 (as the kitchens service marks it), announced as its writes are.
    sqlx::query("UPDATE businesses SET sunshine = 1 WHERE id % 7 = 0").execute(store.pool()).await.unwrap();
    store.announce(backend::store::Change::Registry);
    let mut compared = 0;
    let mut bounded = 0;
    let mut sunshine_compared = 0;
    for (i, t) in terms.iter().enumerate() {
        if domain::credit::normalise_query(t).is_none() {
            continue;
        }
        let district = (i % 3 == 0).then_some("涪城区");
        let grade = (i % 5 == 0).then_some("A");
        for (page, per_page) in [("1", "20"), ("2", "7"), ("40", "20")] {
            let sunshine = [None, Some("1"), None, Some("0")][i % 4];
            let q = query(t, district, grade, page, per_page).with_sunshine(sunshine).unwrap();
            sunshine_compared += usize::from(sunshine.is_some());
            let sql = credit::search_sql(store, &q).await.unwrap();
            let mem = credit::search(&db.state, &q).await.unwrap();
            assert!(!mem.total_is_lower_bound, "{t}: the index counts every match");
            if sql.total_is_lower_bound {
                assert!(mem.total >= sql.total, "{t}: {} < {}", mem.total, sql.total);
                bounded += 1;
                continue;
            }
            assert_eq!(mem.total, sql.total, "{t} {district:?} {grade:?} {sunshine:?} page {page}");
            assert_eq!(codes(&mem), codes(&sql), "{t} {district:?} {grade:?} {sunshine:?} page {page}");
            if sunshine == Some("1") {
                assert!(mem.items.iter().all(|b| b.sunshine), "{t}: only 阳光餐饮");
            }
            compared += 1;
        }
    }
    assert!(compared > 100, "compared {compared}");
    assert!(sunshine_compared > 50, "sunshine compared {sunshine_compared}");
    assert!(bounded > 0, "a common term (路) must pass the SQL bound of {MAX_CANDIDATES}");
}

async fn own_writes_are_seen_by_the_next_search(db: &TestDb) {
    let store = db.store();
    credit::save_business(store, &Actor::cli(), &biz(1, "老街凉粉", "绵阳市涪城区临园路1号", "涪城区")).await.unwrap();
    assert_eq!(credit::search(&db.state, &query("凉粉", None, None, "1", "20")).await.unwrap().total, 1);
    // Renamed, moved, graded: each visible to the very next search, no waiting.
    let renamed = biz(1, "老街豆花", "绵阳市游仙区东津路9号", "游仙区");
    credit::save_business(store, &Actor::cli(), &renamed).await.unwrap();
    assert_eq!(credit::search(&db.state, &query("凉粉", None, None, "1", "20")).await.unwrap().total, 0);
    assert_eq!(credit::search(&db.state, &query("东津路", None, None, "1", "20")).await.unwrap().total, 1);
    assert_eq!(credit::search(&db.state, &query("老街", Some("涪城区"), None, "1", "20")).await.unwrap().total, 0);
    let event = EventFields {
        credit_code: code(1),
        kind: "inspection_finding".into(),
        severity: "serious".into(),
        occurred_at: domain::clock::format_date(backend::clock::now()),
        source: "日常检查".into(),
        description: "测试".into(),
    }
    .parse()
    .unwrap();
    credit::add_event(store, &Actor::cli(), &event).await.unwrap();
    let held = credit::search(&db.state, &query("豆花", None, None, "1", "20")).await.unwrap();
    assert_eq!((held.items[0].grade.as_str(), held.items[0].new_rating_pending), ("A", true), "新评级待公布");
    crate::fixtures::windows_pass(store).await;
    let found = credit::search(&db.state, &query("豆花", None, Some("D"), "1", "20")).await.unwrap();
    assert_eq!((found.total, found.items[0].watch_list), (1, true), "new grade and watch list");
}

/// Two instances on one database: the second writes without the first hearing of it (as another server or
/// the CLI would); the first sees the write within the poll.
async fn another_instances_writes_are_seen_within_the_poll(db: &TestDb) {
    let first = db.store();
    credit::save_business(first, &Actor::cli(), &biz(1, "川北凉粉", "绵阳市涪城区", "涪城区")).await.unwrap();
    assert_eq!(credit::search(&db.state, &query("凉粉", None, None, "1", "20")).await.unwrap().total, 1);
    let second_state = backend::AppState::new(Store::connect(&db.url).await.unwrap(), db.state.config.as_ref().clone());
    let second = second_state.store.clone();
    credit::save_business(&second, &Actor::cli(), &biz(2, "王记凉粉", "绵阳市江油市", "江油市")).await.unwrap();
    credit::save_business(&second, &Actor::cli(), &biz(1, "川北凉面", "绵阳市涪城区", "涪城区")).await.unwrap();
    assert_eq!(credit::search(&second_state, &query("凉粉", None, None, "1", "20")).await.unwrap().total, 1);
    // Searches answer at once; the look for others' writes runs behind them every POLL.
    let deadline = std::time::Instant::now() + POLL + std::time::Duration::from_millis(1_500);
    loop {
        let seen = credit::search(&db.state, &query("凉粉", None, None, "1", "20")).await.unwrap();
        if seen.items.iter().map(|b| b.name.as_str()).collect::<Vec<_>>() == ["王记凉粉"] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not seen within the poll: {:?}", seen.items);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(credit::search(&db.state, &query("凉面", None, None, "1", "20")).await.unwrap().total, 1);
    second.close().await;
}

/// Forty searches on distinct terms while twenty businesses are saved, all at once: every search answers, and
/// afterwards each saved business is found by its own name.
async fn concurrent_searches_while_businesses_change(db: &TestDb) {
    let store = db.store();
    credit::seed::load(store, 0, 1_000).await.unwrap();
    let terms = ["米粉", "火锅", "超市", "涪城", "江油", "便利", "面馆", "烧烤"];
    let searches = (0..40).map(|i| {
        let state = db.state.clone();
        let t = terms[i % terms.len()];
        tokio::spawn(async move { credit::search(&state, &query(t, None, None, "1", "20")).await.map(|p| p.total) })
    });
    let writes = (0..20u32).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            credit::save_business(
                &store,
                &Actor::cli(),
                &biz(100 + i, &format!("并发小店{i}号"), "绵阳市科学城", "涪城区"),
            )
            .await
            .map(|_| ())
        })
    });
    let searches: Vec<_> = searches.collect();
    let writes: Vec<_> = writes.collect();
    for s in searches {
        s.await.unwrap().unwrap();
    }
    for w in writes {
        w.await.unwrap().unwrap();
    }
    for i in 0..20 {
        let p = credit::search(&db.state, &query(&format!("并发小店{i}号"), None, None, "1", "20")).await.unwrap();
        assert_eq!(p.items.first().map(|b| b.credit_code.clone()), Some(code(100 + i)), "{i}");
    }
    assert_eq!(credit::search(&db.state, &query("并发小店", None, None, "1", "20")).await.unwrap().total, 20);
}
