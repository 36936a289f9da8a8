//! Domain types and rules shared by the browser and the server. Pure Rust: no I/O, no database.
//! Server-only glue (HTTP responses, sqlx error mapping) sits behind the `ssr` feature.
//!
//! Shared kernel first, then one module per capability (the same folders as in `backend`, `app`, `server`).

/// Languages and every user-visible text, in zh-CN and en (checked complete at compile time).
pub mod i18n;
/// The one error type at the edge: codes, HTTP status, localised messages.
pub mod error;
/// Calendar formatting and parsing in China Standard Time (UTC+8, no DST), identical in browser and server.
pub mod clock;
/// One text validator; full-width folding; CSV formula neutralising.
pub mod text;
/// `fields!`: raw form/JSON fields declared once, names shared with the pages.
pub mod fields;
/// `vocab!`: enumerated values (districts, categories, statuses, tags) declared once: stored string, zh, en.
pub mod vocab;
/// The list shape of paged answers.
pub mod page;
/// What each route needs: role, cacheability, rate-limit group, body limit.
pub mod route;

/// 信用: businesses, identifiers, the deduction rules, search.
pub mod credit;
/// Staff roles, usernames, the password policy, audit entries.
pub mod staff;
/// The brand site: campaign figures.
pub mod site;
/// 你点我检: rounds, candidates, nominations, ballots.
pub mod picks;
/// 抽检结果: sampled batches and lab reports.
pub mod sampling;
/// 投诉 / 举报: cases, their clocks and rewards.
pub mod cases;
/// 新闻动态.
pub mod news;
/// Live statistics.
pub mod stats;

pub use error::{AppError, ErrCode};
pub use i18n::{Lang, T};
pub use page::Page;
pub use site::figures;
