//! Server-only half of the portal: configuration, storage and the services (one function per use case).
//! Adapters (pages, server functions, REST handlers, the CLI) call these; no SQL lives anywhere else.
//!
//! Infrastructure first, then one folder per capability (the same folders as in `domain`, `app`, `server`).

/// Abuse bounds per network, phone and city, shared by every instance (counters in the database).
pub mod abuse;
/// Clock helpers.
pub mod clock;
/// Typed configuration, secrets that never print.
pub mod config;
/// Every difference between SQLite and PostgreSQL: statement fragments, locks, durability.
pub mod dialect;
/// Uploaded images: checked by content and header, decoded within the instance's budget, re-encoded bare.
pub mod images;
/// The journal of happenings followers are told about (written by each capability, fanned out by `follow`).
pub mod journal;
/// Outbound messages (webhooks, SMS notices) queued with the change they report, delivered with retries.
pub mod outbox;
/// Personal data sealed at rest (AEAD, key from the secret).
pub mod sealed;
/// The deterministic demo data set, across modules.
pub mod seed;
/// The state shared by every request: store, config, password-hash limiter.
pub mod state;
/// The database (SQLite or PostgreSQL behind one sqlx `AnyPool`, migrations embedded) and its change notifier.
pub mod store;
/// Fresh real databases (SQLite file or PostgreSQL database) and `on_both!`, for tests only.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

/// 投诉 / 举报: intake with photos, tracking, handling, clocks, rewards, the sealed reporter.
pub mod cases;
/// 信用: registry, grades, search, replies, imports.
pub mod credit;
/// 关注: the entries of each followed subject's Atom feed.
pub mod follow;
/// 阳光餐饮 (互联网+明厨亮灶): kitchens on camera, vendors' signed status and AI flags, staff review.
pub mod kitchens;
/// 一码通: markets, stalls, rapid tests and certificates, signed batches from market systems.
pub mod markets;
/// 新闻动态.
pub mod news;
/// Open311 GeoReport v2: partners' keys and quotas, filing through the case intake, their requests.
pub mod open311;
/// 你点我检: rounds, nominations, ballots (group commit), tallies.
pub mod picks;
/// 抽检结果: sampled batches, lab reports, credit events for failures.
pub mod sampling;
/// The brand site: campaign figures.
pub mod site;
/// Staff accounts, sessions, audit log.
pub mod staff;
/// Live statistics.
pub mod stats;
/// 食安志愿者: sign-up, staff decisions, sign-in, three-tap reports, points, the leaderboard.
pub mod volunteers;

pub use state::AppState;
pub use store::{Change, Store};
