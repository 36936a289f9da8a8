//! The portal's composition root: the CLI, the HTTP infrastructure, and one folder per capability holding its
//! routes (declared with their facts), REST handlers and form handlers. Every handler is a thin adapter over a
//! `backend` service.

/// The command line: `serve`, `migrate`, `seed --demo`, `staff add`, `import businesses`, `backup --to`.
pub mod cli;
/// Shared HTTP infrastructure: client IP, rate limits, CSRF, headers, cache, route facts. No module paths.
pub mod http;
/// Building the app from a config and a bound listener; serving with graceful shutdown.
pub mod startup;

/// 投诉 / 举报: complaints API, report and track forms, staff handling.
pub mod cases;
/// 信用: registry API, forms, badges.
pub mod credit;
/// 关注: Atom feeds per followed subject (`/feeds/…`).
pub mod follow;
/// 阳光餐饮: vendors' signed batches, the console's vendors, keys, uploads and reviews.
pub mod kitchens;
/// 一码通: markets API, signed batches, stall QR codes, staff forms.
pub mod markets;
/// 新闻动态: feed, covers, API, staff posts.
pub mod news;
/// Open311 GeoReport v2 (`/open311/v2/`): services, partners' filings and their requests; staff partner keys.
pub mod open311;
/// 你点我检: rounds API, ballot and nomination forms, staff rounds and moderation.
pub mod picks;
/// 抽检结果: results API, lab reports, staff publication.
pub mod sampling;
/// The brand site: health, language, figures, the OpenAPI document.
pub mod site;
/// Staff sign-in and sign-out.
pub mod staff;
/// Live statistics API.
pub mod stats;
/// 食安志愿者: sign-up, SMS confirmation, sign-in, the three-tap report, the leaderboard, staff decisions.
pub mod volunteers;

pub use startup::{build, Running};
