//! The portal's composition root: CLI, HTTP stack, REST API, and the form handlers that back the
//! no-JavaScript forms. Every handler is a thin adapter over a `backend` service.

/// The command line: `serve`, `migrate`, `seed --demo`, `staff add`, `backup --to`.
pub mod cli;
/// Building the app from a config and a bound listener; serving with graceful shutdown.
pub mod startup;
/// Middleware: client IP, rate limits, CSRF, security headers, page cache, staff gate.
pub mod http;
/// The REST API under `/api/v1` and its OpenAPI document.
pub mod api;
/// Handlers for plain HTML form posts (sign-in, sign-out, language, staff forms).
pub mod forms;
/// Credit form posts: replies, staff business and event editing, CSV upload, moderation.
pub mod forms_credit;
/// QR codes and embeddable credit badges.
pub mod badges;
/// `server import businesses FILE.csv`.
pub mod import;

pub use startup::{build, Running};
