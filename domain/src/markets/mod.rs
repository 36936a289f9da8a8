//! 一码通: markets (农贸市场, supermarkets' fresh sections), their stalls, each stall's rapid tests (快检) and the
//! 承诺达标合格证 of what it sells; the signed bulk batches market systems send.

/// What market systems send (one batch, a CSV row) and what staff type, parsed once.
pub mod input;
/// Stall codes and the vocabularies of rapid tests and certificates.
pub mod rules;
/// What pages and the API show.
pub mod views;

pub use input::*;
pub use rules::*;
pub use views::*;
