//! 你点我检: the rounds API, the ballot and nomination forms, staff round management and moderation. (The
//! pages are declared in `app::picks`.)

/// The rounds API: list, detail, ballots, nominations, SMS codes.
pub mod api;
/// Form posts: ballots, nominations, codes; staff rounds, candidates, moderation.
pub mod forms;

use crate::http::forms::cookie;
use crate::http::routes::Routes;
use crate::http::Shared;
use backend::picks::voter::{mint_device_token, verify_device_token, voter_hash, Identity, VOTER_COOKIE};
use domain::route::{Facts, Limit};
use domain::staff::Role;
use domain::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{HeaderMap, HeaderValue};
use std::num::NonZeroU32;
use std::sync::LazyLock;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/rounds", Facts::API, api::list)
        .get("/api/v1/rounds/{id}", Facts::API, api::get_one)
        .post("/api/v1/rounds/{id}/ballot", Facts::WRITE.limit(Limit::Vote), api::post_ballot)
        .post("/api/v1/rounds/{id}/nominations", Facts::WRITE, api::post_nomination)
        .post("/api/v1/rounds/{id}/code", Facts::WRITE.limit(Limit::Vote), api::post_code)
        .post("/picks/{id}/ballot", Facts::WRITE.limit(Limit::Vote), forms::ballot)
        .post("/picks/{id}/nominate", Facts::WRITE, forms::nominate)
        .post("/picks/{id}/code", Facts::WRITE.limit(Limit::Vote), forms::code)
        .post("/staff/rounds", Facts::staff_write(Role::Moderator), forms::create_round)
        .post("/staff/rounds/{id}", Facts::staff_write(Role::Moderator), forms::update_round)
        .post("/staff/rounds/{id}/candidates", Facts::staff_write(Role::Moderator), forms::add_candidate)
        .post("/staff/nominations/{id}/decide", Facts::staff_write(Role::Moderator), forms::decide_nomination)
}

/// Ballots one voter may submit per minute (the per-address quota is larger: see `Limit::Vote`).
pub const BALLOTS_PER_VOTER_PER_MIN: u32 = 10;

/// Per-voter quotas, keyed by the stored voter hash (one process-wide map, swept with the others).
static VOTERS: LazyLock<DefaultKeyedRateLimiter<String>> = LazyLock::new(|| {
    RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(BALLOTS_PER_VOTER_PER_MIN).unwrap_or(NonZeroU32::MIN)))
});

/// Spends one of the voter's ballots for this minute.
pub fn admit_voter(hash: &str) -> Result<(), AppError> {
    VOTERS.check_key(&hash.to_owned()).map_err(|_| AppError::rate_limited(6))
}

/// Drops per-voter state that has fully replenished.
pub fn sweep_voters() {
    VOTERS.retain_recent();
    VOTERS.shrink_to_fit();
}

/// The device voter of a request: the id of its signed token, and the cookie to set when it had none (or a
/// forged one).
pub fn device(shared: &Shared, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let key = shared.app.config.secret_key.expose();
    if let Some(token) = app::ssr::cookie(headers, VOTER_COOKIE) {
        if let Some(id) = verify_device_token(key, &token) {
            return (id.to_owned(), None);
        }
    }
    let token = mint_device_token(key);
    let id = token.split('.').next().unwrap_or_default().to_owned();
    // A year: a voter keeps their identity across rounds (each round hashes it differently).
    (id, Some(cookie(shared, VOTER_COOKIE, &token, 365 * 86_400, true)))
}

/// The stored hash of a device voter in a round.
pub fn device_hash(shared: &Shared, round_id: i64, device_id: &str) -> String {
    voter_hash(shared.app.config.secret_key.expose(), round_id, &Identity::Device(device_id.to_owned()))
}

/// The stored hash of a verified phone in a round.
pub fn phone_hash(shared: &Shared, round_id: i64, phone: &str) -> String {
    voter_hash(shared.app.config.secret_key.expose(), round_id, &Identity::Phone(phone.to_owned()))
}
