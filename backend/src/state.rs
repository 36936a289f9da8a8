//! The state every request shares. Cheap to clone; provided to axum and to Leptos as context.

use crate::config::Config;
use crate::picks::BallotWriter;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Caps concurrent argon2 hashes (19 MiB each) so a login flood cannot exhaust memory.
    pub hash_permits: Arc<Semaphore>,
    /// The group-commit writer of 你点我检 ballots.
    pub ballots: BallotWriter,
    /// Ballots per voter per minute on this instance.
    pub voters: Arc<crate::picks::VoterQuota>,
    /// The registry's rules cache and search index.
    pub credit: crate::credit::Registry,
    /// How many photos this instance decodes at once, and their memory together (evidence, news covers).
    pub photos: Arc<crate::images::DecodeBudget>,
    /// Units of abuse bounds this instance reserved ahead of use (ballots).
    pub leases: Arc<crate::abuse::Leases>,
    /// The live statistics, counted at most once per `stats::TTL` on this instance, and again after a rating
    /// or a decision here (see `stats::cached`).
    pub stats: Arc<tokio::sync::Mutex<Option<crate::stats::Counted>>>,
}

impl AppState {
    /// Starts the ballot writer: call inside a tokio runtime.
    pub fn new(store: Store, config: Config) -> AppState {
        let ballots = BallotWriter::start(store.clone());
        AppState {
            store,
            config: Arc::new(config),
            hash_permits: Arc::new(Semaphore::new(2)),
            ballots,
            voters: Arc::default(),
            credit: Default::default(),
            photos: Arc::new(crate::images::DecodeBudget::for_machine()),
            leases: Arc::default(),
            stats: Arc::default(),
        }
    }
}
