//! The portal's user interface, rendered on the server and hydrated in the browser.
#![recursion_limit = "256"]

/// The HTML document around the app, and the router.
pub mod shell;
/// Header, navigation, language switch and footer.
pub mod layout;
/// The language of the page and the `tr` helper.
pub mod lang;
/// Brand home page with the campaign figures.
pub mod home;
/// 信用查询: registry search and business pages.
pub mod credit;
/// Placeholder pages for sections still being built, and the 404 page.
pub mod pages;
/// The staff console: sign-in, home, audit log.
pub mod staff;
/// Server-side helpers for server functions: state, current staff, role checks.
#[cfg(feature = "ssr")]
pub mod ssr;

pub use shell::{shell, App};
