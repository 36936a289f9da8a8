#![allow(clippy::print_stdout, reason = "a benchmark prints its table")]
#![allow(clippy::unwrap_used, reason = "tests and benches report failures by panicking")]
//! Registry search latency on a generated registry, on SQLite and PostgreSQL, with a primary-key lookup by
//! credit code in the same database as the baseline.
//! Usage: cargo run --release -p backend --example search_bench -- [ROWS] [sqlite|postgres|both]

use backend::credit;
use backend::testing::{Backend, TestDb};
use domain::credit::{CreditCode, SearchQuery};
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "米粉", "绵阳米粉", "超市", "涪城", "火锅", "学校食堂", "白酒", "王记", "临园路", "便利店", "江油", "食品厂",
    "越王楼", "科学城", "串串", "面馆", "烧烤", "副食", "仙海", "太白路", "李家", "张师傅", "外卖",
];

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(44_000);
    let which = args.get(2).map(String::as_str).unwrap_or("both");
    let backends: Vec<Backend> = match which {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        _ => vec![Backend::Sqlite, Backend::Postgres],
    };
    println!("{:<9} {:>9} {:>10} {:>10} {:>10} {:>10} {:>12} {:>9}", "backend", "rows", "load s", "search p50", "search p99", "lookup p50", "p99/lookup", "queries");
    for b in backends {
        let db = TestDb::new(b).await;
        let t = Instant::now();
        let mut done = 0;
        while done < rows {
            let to = (done + 20_000).min(rows);
            backend::credit::seed::load(db.store(), done, to).await.expect("load");
            done = to;
        }
        if b == Backend::Sqlite {
            sqlx::query("ANALYZE").execute(db.store().pool()).await.expect("analyze");
        }
        let load = t.elapsed().as_secs_f64();
        let all = credit::export(db.store()).await.expect("export");
        let codes: Vec<CreditCode> =
            all.iter().step_by((all.len() / 500).max(1)).map(|b| CreditCode::parse(&b.credit_code).unwrap()).collect();
        drop(all);
        // Warm-up.
        for q in QUERIES {
            let sq = SearchQuery::parse(Some(q), None, None, None, None, None, None).unwrap();
            credit::search(db.store(), &sq).await.expect("search");
        }
        let mut search_times = Vec::new();
        let mut slowest: Vec<(Duration, &str, bool, &str)> = Vec::new();
        for round in 0..20 {
            for (i, q) in QUERIES.iter().enumerate() {
                // Mix in filters and later pages as real users do.
                let district = (i % 5 == 0).then_some("涪城区");
                let page = if round % 4 == 3 { "2" } else { "1" };
                let sq = SearchQuery::parse(Some(q), district, None, None, None, Some(page), None).unwrap();
                let t = Instant::now();
                credit::search(db.store(), &sq).await.expect("search");
                search_times.push(t.elapsed());
                slowest.push((t.elapsed(), *q, district.is_some(), page));
            }
        }
        let mut lookup_times = Vec::new();
        for code in codes.iter().cycle().take(1000) {
            let t = Instant::now();
            credit::detail(db.store(), code).await.expect("detail");
            lookup_times.push(t.elapsed());
        }
        search_times.sort();
        lookup_times.sort();
        let (p50, p99, l50) = (pct(&search_times, 0.5), pct(&search_times, 0.99), pct(&lookup_times, 0.5));
        println!(
            "{:<9} {:>9} {:>10.1} {:>10.2} {:>10.2} {:>10.2} {:>12.1} {:>9}",
            format!("{b:?}").to_lowercase(),
            rows,
            load,
            p50,
            p99,
            l50,
            p99 / l50,
            search_times.len()
        );
        slowest.sort_by_key(|a| std::cmp::Reverse(a.0));
        for (d, q, filtered, page) in slowest.iter().take(5) {
            println!("    slowest: {:>8.2} ms  q={q} district_filter={filtered} page={page}", d.as_secs_f64() * 1000.0);
        }
        db.cleanup().await;
    }
}
