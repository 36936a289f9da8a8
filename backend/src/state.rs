//! The state every request shares. Cheap to clone; provided to axum and to Leptos as context.

use crate::config::Config;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Caps concurrent argon2 hashes (19 MiB each) so a login flood cannot exhaust memory.
    pub hash_permits: Arc<Semaphore>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState { store, config: Arc::new(config), hash_permits: Arc::new(Semaphore::new(2)) }
    }
}
