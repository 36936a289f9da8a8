//! Domain types and rules shared by the browser and the server. Pure Rust: no I/O, no database.
//! Server-only glue (HTTP responses, sqlx error mapping) sits behind the `ssr` feature.

/// Languages and every user-visible text, in zh-CN and en (checked complete at compile time).
pub mod i18n;
/// The one error type at the edge: codes, HTTP status, localised messages.
pub mod error;
/// Businesses and credit: identifiers, districts, categories, the deduction rules, search tokens.
pub mod credit;
/// Staff roles, usernames and the password policy.
pub mod staff;
/// The campaign's headline figures shown on the home page.
pub mod figures;

pub use error::{AppError, ErrCode};
pub use i18n::{Lang, T};
/// Calendar formatting in China Standard Time (UTC+8, no DST), identical in browser and server.
pub mod clock;
