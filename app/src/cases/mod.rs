//! 投诉 / 举报: the report form (works without JavaScript and keeps what was typed after a failure), the
//! receipt shown once, and tracking with the access code.

/// 投诉公示 on a business's page.
pub mod disclosure;
/// The photo preview island of the report form.
pub mod preview;
/// The satisfaction rating form and the ratings given.
pub mod rating;
/// The report form and its receipt.
pub mod report;
/// Following a case with its number and access code.
pub mod track;

use domain::route::Facts;

/// The pages of this module and what each needs. None is cached: each holds a visitor's own data.
pub const PAGES: &[(&str, Facts)] = &[
    // The form may be filled from a sealed draft named in the URL; the receipt and the track page show a
    // case to whoever holds its id or cookie: credentials, never stored by anyone.
    ("/report", Facts::PAGE.credential()),
    ("/report/receipt/{id}", Facts::PAGE.credential()),
    ("/track", Facts::PAGE.credential()),
];
