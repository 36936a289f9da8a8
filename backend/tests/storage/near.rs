//! 附近 on both engines: nearest first with distances, the radius cut, businesses without coordinates never
//! answered, filters and paging, and the demo registry placing every business near its street.

use crate::common::TestDb;
use backend::credit;
use backend::staff::audit::Actor;
use domain::credit::geo::{street_index, street_point, Near, Point};
use domain::credit::{credit_check_char, BusinessFields, District, SearchQuery};

on_both!(near_answers_nearest_first_within_the_radius, near_pages_and_filters, the_demo_registry_is_placed_by_street,);

fn code(n: u32) -> String {
    let body = format!("91510703MC{n:07}");
    format!("{body}{}", credit_check_char(body.as_bytes()).unwrap())
}

const CENTRE: Point = Point { lat: 31.46, lng: 104.68 };

/// Business `n` named `name` at `at` (or without coordinates), in 游仙区 when `other_district`.
async fn place(store: &backend::store::Store, n: u32, name: &str, other_district: bool, at: Option<Point>) {
    let b = BusinessFields {
        credit_code: code(n),
        name: name.into(),
        address: format!("绵阳市涪城区临园路{n}号"),
        district: if other_district { "游仙区".into() } else { "涪城区".into() },
        category: "餐饮".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    credit::save_business(store, &Actor::cli(), &b).await.unwrap();
    assert!(credit::locate(store, &code(n), at).await.unwrap());
}

fn query(district: Option<&str>, page: &str, per_page: &str) -> SearchQuery {
    SearchQuery::parse(None, district, None, None, None, Some(page), Some(per_page)).unwrap()
}

/// A near query answered from the in-memory index (what the API and the pages use), checked against the SQL
/// reference: the same page, in the same order, with the same distances and total.
async fn near_both(db: &TestDb, q: &SearchQuery, n: &Near) -> domain::credit::Page<domain::credit::BusinessSummary> {
    let mem = credit::lookup(&db.state, q, Some(n)).await.unwrap();
    let sql = credit::near_sql(db.store(), q, n).await.unwrap();
    assert_eq!(mem, sql, "index and SQL disagree on {q:?} {n:?}");
    mem
}

fn near(radius: &str) -> Near {
    Near::parse(Some("31.46,104.68"), Some(radius)).unwrap().unwrap()
}

async fn near_answers_nearest_first_within_the_radius(db: &TestDb) {
    let store = db.store();
    // Placed out of order; one due east just inside 1 km, one just outside, one without coordinates.
    place(store, 1, "八百米面馆", false, Some(CENTRE.offset(800.0, 0.0))).await;
    place(store, 2, "一百米茶铺", false, Some(CENTRE.offset(0.0, -100.0))).await;
    place(store, 3, "东边九百九", false, Some(CENTRE.offset(0.0, 990.0))).await;
    place(store, 4, "一公里外", false, Some(CENTRE.offset(-1_020.0, 0.0))).await;
    place(store, 5, "不知在哪", false, None).await;
    place(store, 6, "原地小吃", false, Some(CENTRE)).await;
    assert!(!credit::locate(store, &code(99), Some(CENTRE)).await.unwrap(), "no such business");

    let page = near_both(db, &query(None, "1", "20"), &near("1000")).await;
    let names: Vec<&str> = page.items.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["原地小吃", "一百米茶铺", "八百米面馆", "东边九百九"]);
    assert_eq!(page.total, 4);
    assert!(!page.total_is_lower_bound);
    let dists: Vec<i64> = page.items.iter().map(|b| b.distance_m.unwrap()).collect();
    assert_eq!(dists[0], 0);
    for (d, want) in dists[1..].iter().zip([100, 800, 990]) {
        assert!((d - want).abs() <= 2, "{d} vs {want}");
    }
    // A wider circle takes the one beyond 1 km; the business without coordinates never comes.
    let page = near_both(db, &query(None, "1", "20"), &near("20000")).await;
    assert_eq!(page.total, 5);
    assert_eq!(page.items.last().unwrap().name, "一公里外");
    assert!(page.items.iter().all(|b| b.name != "不知在哪"));
    // Clearing a business's place takes it out.
    credit::locate(store, &code(6), None).await.unwrap();
    let page = near_both(db, &query(None, "1", "20"), &near("1000")).await;
    assert_eq!(page.items[0].name, "一百米茶铺");
    // Far from everything: nothing.
    let far = Near::parse(Some("30.0,104.0"), Some("20000")).unwrap().unwrap();
    assert_eq!(near_both(db, &query(None, "1", "20"), &far).await.total, 0);
    // Plain searches carry no distance.
    let plain = credit::search_sql(store, &query(None, "1", "20")).await.unwrap();
    assert!(plain.items.iter().all(|b| b.distance_m.is_none()));
}

async fn near_pages_and_filters(db: &TestDb) {
    let store = db.store();
    // 25 businesses 40 m apart going north; odd ones in another district.
    for n in 0..25u32 {
        place(store, 100 + n, &format!("第{n:02}家"), n % 2 == 1, Some(CENTRE.offset(40.0 * f64::from(n), 0.0))).await;
    }
    let mut seen = Vec::new();
    for p in ["1", "2", "3"] {
        let page = near_both(db, &query(None, p, "10"), &near("2000")).await;
        assert_eq!(page.total, 25);
        seen.extend(page.items.into_iter().map(|b| b.name));
    }
    let want: Vec<String> = (0..25).map(|n| format!("第{n:02}家")).collect();
    assert_eq!(seen, want, "pages continue one another, nearest first");
    let beyond = near_both(db, &query(None, "4", "10"), &near("2000")).await;
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 25);
    // Filters narrow the circle; the radius cuts by exact distance (500 m holds n = 0..=12).
    let page = near_both(db, &query(Some("游仙区"), "1", "100"), &near("500")).await;
    let names: Vec<String> = page.items.into_iter().map(|b| b.name).collect();
    assert_eq!(names, (1..=12).step_by(2).map(|n| format!("第{n:02}家")).collect::<Vec<_>>());
    // The text of the search narrows too.
    let q = SearchQuery::parse(Some("第07"), None, None, None, None, None, None).unwrap();
    let page = near_both(db, &q, &near("2000")).await;
    assert_eq!((page.total, page.items[0].name.as_str()), (1, "第07家"));
    // An exact credit code too (it is in no name or address).
    let q = SearchQuery::parse(Some(&code(111)), None, None, None, None, None, None).unwrap();
    let page = near_both(db, &q, &near("2000")).await;
    assert_eq!((page.total, page.items[0].name.as_str()), (1, "第11家"));
}

async fn the_demo_registry_is_placed_by_street(db: &TestDb) {
    let store = db.store();
    credit::seed::load(store, 0, 400).await.unwrap();
    let all = credit::export(store).await.unwrap();
    // Every demo business is within 400 m of its street's point in its district: the pick of district and
    // street finds it.
    let b = &all[0];
    let street = domain::credit::geo::STREETS.iter().find(|s| b.address.contains(**s)).unwrap();
    let d = District::parse(&b.district).unwrap();
    let at = street_point(d, street_index(street).unwrap());
    let nearby = Near { at, radius_m: 400.5 };
    let page = near_both(db, &query(None, "1", "100"), &nearby).await;
    assert!(page.items.iter().any(|x| x.credit_code == b.credit_code), "{b:?}");
    assert!(page.items.iter().all(|x| x.distance_m.unwrap() <= 401));
    // All 400 are somewhere within 20 km of their district's centre.
    let mut located = 0;
    for d in District::ALL {
        let (c, _) = domain::credit::geo::district_centre(*d);
        let page = near_both(db, &query(Some(d.as_str()), "1", "100"), &Near { at: c, radius_m: 20_000.0 }).await;
        located += page.total;
        assert!(page.items.iter().all(|x| x.distance_m.unwrap() <= 3_400));
    }
    assert_eq!(located, 400);
}
