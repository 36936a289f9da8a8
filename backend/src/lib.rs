//! Server-only half of the portal: configuration, storage and the services (one function per use case).
//! Adapters (pages, server functions, REST handlers, the CLI) call these; no SQL lives anywhere else.

/// Typed configuration, secrets that never print.
pub mod config;
/// The database: SQLite or PostgreSQL behind one sqlx `AnyPool`, migrations embedded.
pub mod store;
/// The state shared by every request: store, config, password-hash limiter.
pub mod state;
/// Passwords (argon2), staff sessions, login throttling.
pub mod auth;
/// Staff accounts.
pub mod staff;
/// The append-only audit log.
pub mod audit;
/// Campaign figures.
pub mod figures;
/// The deterministic demo data set.
pub mod seed;
/// Clock helpers.
pub mod clock;

pub use state::AppState;
pub use store::Store;
/// Fresh real databases (SQLite file or PostgreSQL database) for tests.
pub mod testing;
pub mod credit;
pub mod seed_registry;
/// Right to reply and credit-repair requests.
pub mod replies;
