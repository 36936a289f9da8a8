//! 新闻动态: the paged list with its tag filter, and the article page. (Staff edit articles in
//! `staff::news`; the feed and covers are served by `server::news`.)

/// The list and the article page.
pub mod pages;

use domain::route::Facts;

/// The pages of this module and what each needs. Both are the same for every visitor: cached briefly (a
/// scheduled article appears within 30 s of its time, never before).
pub const PAGES: &[(&str, Facts)] = &[("/news", Facts::PAGE.cached(30)), ("/news/{id}", Facts::PAGE.cached(30))];
