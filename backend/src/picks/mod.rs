//! 你点我检: rounds and candidates (staff), nominations (citizens, moderated), ballots (group-committed),
//! tallies and the integrity report.

/// Ballots: validation against the round, and the group-commit writer.
pub mod ballots;
/// The citizen's writes whole: casting a ballot, filing a nomination.
pub mod cast;
/// Nominations and their moderation.
pub mod nominations;
/// Rounds, candidates, the tally and the integrity report.
pub mod rounds;
/// The demo rounds.
pub mod seed;
/// One-time SMS codes for rounds that verify phone numbers.
pub mod sms;
/// Voter identities: device tokens in signed cookies, and the HMACs stored instead of any identity.
pub mod voter;

pub use ballots::BallotWriter;
pub use cast::{cast, nominate, Requester, VoterQuota};
pub use rounds::{add_candidate, create_round, detail, list, update_round};
