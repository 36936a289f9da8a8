//! 投诉 / 举报: intake with photos (one durable transaction), the receipt, tracking with the access code,
//! staff handling through the state machine with statutory clocks, rewards, the confidential reporter.

/// The holiday calendar the statutory clocks count with.
pub mod calendar;
/// 投诉公示: the decided cases against a business, counted.
pub mod disclosure;
/// Sealed short-lived drafts: a failed form's fields, a receipt waiting to be shown.
pub mod drafts;
/// Staff handling: queues, transitions, assignment, rewards, revealing the contact.
pub mod handle;
/// Filing a case: the receipt, idempotency, sealed reporter.
pub mod intake;
/// 满意度评价 · 回访: ratings, the one reopening, the invitation, the figures.
pub mod satisfaction;
/// The demo cases.
pub mod seed;
/// What the reporter sees with the access code.
pub mod track;

pub use intake::{file, submit};
pub use track::track;
