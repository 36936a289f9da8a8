//! Domain types and rules shared by the browser and the server. Pure Rust: no I/O, no database.
//! Server-only glue (HTTP responses, sqlx error mapping) sits behind the `ssr` feature.
//!
//! Shared kernel first, then one module per capability (the same folders as in `backend`, `app`, `server`).

/// Calendar formatting and parsing in China Standard Time (UTC+8, no DST), identical in browser and server.
pub mod clock;
/// The one error type at the edge: codes, HTTP status, localised messages.
pub mod error;
/// `fields!`: raw form/JSON fields declared once, names shared with the pages.
pub mod fields;
/// Languages and every user-visible text, in zh-CN and en (checked complete at compile time).
pub mod i18n;
/// The list shape of paged answers.
pub mod page;
/// What each route needs: role, cacheability, rate-limit group, body limit.
pub mod route;
/// One text validator; full-width folding; CSV formula neutralising.
pub mod text;
/// `vocab!`: enumerated values (districts, categories, statuses, tags) declared once: stored string, zh, en.
pub mod vocab;

/// 投诉 / 举报: cases, their clocks and rewards.
pub mod cases;
/// 信用: businesses, identifiers, the deduction rules, search.
pub mod credit;
/// 关注: Atom feeds per followed subject (business, district, food category, round).
pub mod follow;
/// 阳光餐饮 (互联网+明厨亮灶): kitchens on camera, vendors' signed status and AI flags, staff review.
pub mod kitchens;
/// 一码通: markets, stalls, rapid tests (快检), 承诺达标合格证, signed batches.
pub mod markets;
/// 新闻动态.
pub mod news;
/// Open311 GeoReport v2: the case categories as services, partners' filings, the spec's shapes.
pub mod open311;
/// 你点我检: rounds, candidates, nominations, ballots.
pub mod picks;
/// 抽检结果: sampled batches and lab reports.
pub mod sampling;
/// The brand site: campaign figures.
pub mod site;
/// Staff roles, usernames, the password policy, audit entries.
pub mod staff;
/// Live statistics.
pub mod stats;
/// 食安志愿者: sign-up, states, three-tap reports, points, the leaderboard.
pub mod volunteers;

pub use error::{AppError, ErrCode};
pub use i18n::{Lang, T};
pub use page::Page;
pub use site::figures;
