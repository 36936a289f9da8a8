//! The brand site: the document shell and routes, the frame around every page, the home page, the sections
//! still being built, and the 404 page.

/// The public API's documentation.
pub mod api;
/// The campaign's reported figures, shared by the home, statistics and staff pages.
pub mod figures;
/// The brand home page.
pub mod home;
/// Header, navigation, language switch, footer.
pub mod layout;
/// The 404 page.
pub mod pages;
/// The printable campaign poster.
pub mod poster;
/// The HTML document, the routes, and the islands loader.
pub mod shell;

use domain::route::Facts;

/// The pages of this module and what each needs.
pub const PAGES: &[(&str, Facts)] = &[
    // Everyone sees the same home page (per language): render it once every few seconds.
    ("/", Facts::PAGE.cached(5)),
    ("/poster", Facts::PAGE.cached(60)),
    ("/api", Facts::PAGE.cached(60)),
];
