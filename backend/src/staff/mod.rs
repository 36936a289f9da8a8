//! Staff: accounts, sign-in and sessions, and the append-only audit log of what staff do.

/// Staff accounts.
pub mod accounts;
/// The append-only audit log.
pub mod audit;
/// Passwords (argon2), database-backed sessions, login throttling.
pub mod auth;
