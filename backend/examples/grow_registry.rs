#![allow(clippy::print_stdout, reason = "a tool prints what it did")]
//! Grows the demo registry of a database to ROWS businesses (deterministic, idempotent): the 1 M variant of
//! `bench/nearme.sh`. Usage: DATABASE_URL=… cargo run --release -p backend --example grow_registry -- ROWS

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let url = std::env::var("DATABASE_URL")?;
    let store = backend::Store::connect(&url).await?;
    store.migrate().await?;
    let mut done = 0;
    let mut added = 0;
    while done < rows {
        let to = (done + 20_000).min(rows);
        added += backend::credit::seed::load(&store, done, to).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        done = to;
    }
    println!("{added} businesses added, {rows} in the demo range");
    Ok(())
}
