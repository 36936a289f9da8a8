//! The portal's user interface, rendered on the server. Pages are plain HTML that works without JavaScript;
//! only islands (`#[island]`) ship WASM to the browser.
#![recursion_limit = "256"]

/// The language of the page and the `tr` helper.
pub mod lang;
/// Server-side helpers for server functions: state, current staff, role checks.
#[cfg(feature = "ssr")]
pub mod ssr;
/// The loading/error block and field errors every page uses.
pub mod ui;

/// 投诉 / 举报: report form, receipt, tracking.
pub mod cases;
/// 信用查询: search (type-ahead island), business pages, replies.
pub mod credit;
/// 关注: a subject's follow page (feed, SMS alerts), confirmation, unsubscribe.
pub mod follow;
/// 阳光餐饮: the section of a business's page (its kitchen on camera).
pub mod kitchens;
/// 一码通: markets, a stall's page (its QR code's target), a certificate's trace.
pub mod markets;
/// 新闻动态: the list and the article page.
pub mod news;
/// 你点我检: rounds, ballots (picker island), nominations, tallies.
pub mod picks;
/// 抽检结果: the results list and the batch list other pages reuse.
pub mod sampling;
/// The brand site: shell and routes, layout, home, placeholders, 404.
pub mod site;
/// The staff console.
pub mod staff;
/// 数据统计: live statistics and the district index.
pub mod stats;
/// 食安志愿者: the corps and its leaderboard, sign-up, sign-in, the three-tap report, a volunteer's own page.
pub mod volunteers;

pub use site::shell::{page_facts, shell, App};
