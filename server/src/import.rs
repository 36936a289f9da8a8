//! Bulk import of the business registry from CSV: the header is checked, every row is validated and reported
//! with its line number, valid rows are applied (each atomically), and re-running the same file changes nothing.

use backend::audit::{self, Actor};
use backend::credit::{upsert_business, BusinessInput, Upserted};
use backend::Store;
use domain::{AppError, Lang};
use std::collections::HashMap;

pub const REQUIRED: [&str; 5] = ["credit_code", "name", "address", "district", "category"];
pub const OPTIONAL: [&str; 4] = ["licence_no", "status", "dynamic_grade", "last_inspected"];
/// Largest file we accept (the whole city is ~6 MB).
pub const MAX_ROWS: usize = 2_000_000;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (line number, field, message)
    pub errors: Vec<(u64, String, String)>,
}

fn err_row(line: u64, e: &AppError) -> (u64, String, String) {
    (line, e.field.clone().unwrap_or_default(), e.message(Lang::Zh).to_owned())
}

/// Imports businesses from CSV bytes. `progress(done, total)` is called as rows are applied.
pub async fn import_businesses(
    store: &Store,
    actor: &Actor,
    data: &[u8],
    progress: impl Fn(u64, u64),
) -> anyhow::Result<ImportReport> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let headers = rdr.byte_headers()?.clone();
    let names: Vec<String> = headers.iter().map(|h| String::from_utf8_lossy(h).trim().to_lowercase()).collect();
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|r| !names.iter().any(|n| n == r)).collect();
    if !missing.is_empty() {
        anyhow::bail!("line 1: missing columns: {} (required: {})", missing.join(", "), REQUIRED.join(", "));
    }
    let idx = |name: &str| names.iter().position(|n| n == name);
    let mut report = ImportReport::default();
    let mut rows: Vec<(u64, BusinessInput)> = Vec::new();
    for (i, rec) in rdr.byte_records().enumerate() {
        let line = i as u64 + 2;
        if rows.len() + report.errors.len() >= MAX_ROWS {
            anyhow::bail!("more than {MAX_ROWS} rows");
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                report.errors.push((line, String::new(), format!("unreadable row: {e}")));
                continue;
            }
        };
        if rec.len() != headers.len() {
            report.errors.push((line, String::new(), format!("{} fields, expected {}", rec.len(), headers.len())));
            continue;
        }
        let mut fields: HashMap<&str, String> = HashMap::new();
        let mut bad_encoding = None;
        for name in REQUIRED.iter().chain(OPTIONAL.iter()) {
            if let Some(j) = idx(name) {
                match std::str::from_utf8(&rec[j]) {
                    Ok(s) => {
                        fields.insert(name, s.to_owned());
                    }
                    Err(_) => bad_encoding = Some(*name),
                }
            }
        }
        if let Some(field) = bad_encoding {
            report.errors.push((line, field.to_owned(), "不是UTF-8编码 (not UTF-8: save the file as UTF-8)".into()));
            continue;
        }
        let f = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        match BusinessInput::parse(
            f("credit_code"),
            f("licence_no"),
            f("name"),
            f("address"),
            f("district"),
            f("category"),
            f("status"),
            f("dynamic_grade"),
            f("last_inspected"),
        ) {
            Ok(b) => rows.push((line, b)),
            Err(e) => report.errors.push(err_row(line, &e)),
        }
    }
    // A code twice in one file is ambiguous: every row carrying it is refused.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, b) in &rows {
        *seen.entry(b.credit_code.to_string()).or_default() += 1;
    }
    let total = rows.len() as u64;
    let t = backend::clock::now();
    for (n, (line, b)) in rows.iter().enumerate() {
        if seen.get(b.credit_code.as_str()).copied().unwrap_or(0) > 1 {
            report.errors.push((*line, "credit_code".into(), "文件中重复的统一社会信用代码 (duplicate in this file)".into()));
            continue;
        }
        match upsert_business(store.pool(), b, t).await {
            Ok(Upserted::Created) => report.created += 1,
            Ok(Upserted::Updated) => report.updated += 1,
            Ok(Upserted::Unchanged) => report.unchanged += 1,
            Err(e) => report.errors.push(err_row(*line, &e)),
        }
        if n % 500 == 0 || n as u64 + 1 == total {
            progress(n as u64 + 1, total);
        }
    }
    report.errors.sort();
    let detail = format!(
        "created {} updated {} unchanged {} errors {}",
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len()
    );
    audit::record(store, actor, "business.import", Some("businesses"), Some(&detail), None)
        .await
        .map_err(|e| anyhow::anyhow!("audit: {e}"))?;
    Ok(report)
}
