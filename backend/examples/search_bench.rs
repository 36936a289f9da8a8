#![allow(clippy::print_stdout, reason = "a benchmark prints its table")]
#![allow(clippy::unwrap_used, reason = "tests and benches report failures by panicking")]
//! Registry search latency on a generated registry, on SQLite and PostgreSQL: the SQL search (`search_sql`, the
//! "before") and the in-memory index (`search`) on the same queries, with a lookup by credit code in the same
//! database as the baseline.
//! Usage: cargo run --release -p backend --example search_bench -- [ROWS] [sqlite|postgres|both]

use backend::credit;
use backend::testing::{Backend, TestDb};
use domain::credit::{CreditCode, SearchQuery};
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "米粉",
    "绵阳米粉",
    "超市",
    "涪城",
    "火锅",
    "学校食堂",
    "白酒",
    "王记",
    "临园路",
    "便利店",
    "江油",
    "食品厂",
    "越王楼",
    "科学城",
    "串串",
    "面馆",
    "烧烤",
    "副食",
    "仙海",
    "太白路",
    "李家",
    "张师傅",
    "外卖",
];

/// This process's resident memory in MB (Linux).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

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
    println!(
        "{:<9} {:>9} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "backend",
        "rows",
        "load s",
        "index s",
        "index MB",
        "sql p50",
        "sql p99",
        "index p50",
        "index p99",
        "lookup p50",
        "queries"
    );
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
        // No warm-up: the first query of each path is measured like the rest. The index is built first, timed
        // on its own (a server builds it on its first search).
        let before = rss_mb();
        let t = Instant::now();
        db.state.credit.index().refresh(db.store()).await.expect("index");
        let build = t.elapsed().as_secs_f64();
        let index_mb = rss_mb() - before;
        let mut sql_times = Vec::new();
        let mut index_times = Vec::new();
        let mut slowest: Vec<(Duration, &str, bool, &str)> = Vec::new();
        for round in 0..20 {
            for (i, q) in QUERIES.iter().enumerate() {
                // Mix in filters and later pages as real users do.
                let district = (i % 5 == 0).then_some("涪城区");
                let page = if round % 4 == 3 { "2" } else { "1" };
                let sq = SearchQuery::parse(Some(q), district, None, None, None, Some(page), None).unwrap();
                let t = Instant::now();
                credit::search_sql(db.store(), &sq).await.expect("search");
                sql_times.push(t.elapsed());
                let t = Instant::now();
                credit::search(&db.state, &sq).await.expect("search");
                index_times.push(t.elapsed());
                slowest.push((t.elapsed(), *q, district.is_some(), page));
            }
        }
        let mut lookup_times = Vec::new();
        for code in codes.iter().cycle().take(1000) {
            let t = Instant::now();
            credit::detail(&db.state, code).await.expect("detail");
            lookup_times.push(t.elapsed());
        }
        sql_times.sort();
        index_times.sort();
        lookup_times.sort();
        println!(
            "{:<9} {:>9} {:>7.1} {:>8.2} {:>9.0} {:>9.2} {:>9.2} {:>9.3} {:>9.3} {:>10.2} {:>8}",
            format!("{b:?}").to_lowercase(),
            rows,
            load,
            build,
            index_mb,
            pct(&sql_times, 0.5),
            pct(&sql_times, 0.99),
            pct(&index_times, 0.5),
            pct(&index_times, 0.99),
            pct(&lookup_times, 0.5),
            index_times.len()
        );
        slowest.sort_by_key(|a| std::cmp::Reverse(a.0));
        for (d, q, filtered, page) in slowest.iter().take(3) {
            println!(
                "    slowest (index): {:>8.3} ms  q={q} district_filter={filtered} page={page}",
                d.as_secs_f64() * 1000.0
            );
        }
        db.cleanup().await;
    }
}
