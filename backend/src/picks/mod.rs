//! 你点我检: rounds and candidates (staff), nominations (citizens, moderated), ballots (group-committed),
//! tallies and the integrity report.

/// Voter identities: device tokens in signed cookies, and the HMACs stored instead of any identity.
pub mod voter;
/// Rounds, candidates, the tally and the integrity report.
pub mod rounds;
/// Nominations and their moderation.
pub mod nominations;
/// Ballots: validation against the round, and the group-commit writer.
pub mod ballots;
/// The citizen's writes whole: casting a ballot, filing a nomination.
pub mod cast;
/// One-time SMS codes for rounds that verify phone numbers.
pub mod sms;
/// The demo rounds.
pub mod seed;

pub use ballots::BallotWriter;
pub use cast::{cast, nominate, Requester, VoterQuota};
pub use rounds::{add_candidate, create_round, detail, list, update_round};
