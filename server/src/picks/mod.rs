//! 你点我检: the rounds API, the ballot and nomination forms, staff round management and moderation. (The
//! pages are declared in `app::picks`.)

/// The rounds API: list, detail, ballots, nominations, SMS codes.
pub mod api;
/// Form posts: ballots, nominations, codes; staff rounds, candidates, moderation.
pub mod forms;

use crate::http::routes::Routes;
use crate::http::Shared;
use backend::picks::voter::{device_of, voter_hash, Device, Identity, VOTER_COOKIE};
use domain::route::{Facts, Limit};
use domain::staff::Role;
use domain::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::HeaderMap;
use std::num::NonZeroU32;
use std::sync::LazyLock;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/rounds", Facts::API, api::list)
        .get("/api/v1/rounds/{id}", Facts::API, api::get_one)
        .get("/api/v1/rounds/{id}/voter", Facts { etag: false, ..Facts::API }.credential(), api::voter)
        .post("/api/v1/rounds/{id}/ballot", Facts::WRITE.limit(Limit::Vote), api::post_ballot)
        .post("/api/v1/rounds/{id}/nominations", Facts::WRITE, api::post_nomination)
        // Codes cost money: the write quota per address, then the database-backed bounds (`sms::request_code`).
        .post("/api/v1/rounds/{id}/code", Facts::WRITE, api::post_code)
        .post("/picks/{id}/ballot", Facts::WRITE.limit(Limit::Vote), forms::ballot)
        .post("/picks/{id}/nominate", Facts::WRITE, forms::nominate)
        .post("/picks/{id}/code", Facts::WRITE, forms::code)
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

/// The device voter of a request, from its signed cookie. Only the round's page and `GET …/voter` issue one:
/// a ballot or nomination without it is refused, so a client without a cookie jar cannot vote as a new voter
/// each time.
pub fn device(shared: &Shared, headers: &HeaderMap) -> Option<Device> {
    device_of(shared.app.config.secret_key.expose(), app::ssr::cookie(headers, VOTER_COOKIE).as_deref())
}

/// The stored hash of a device voter in a round.
pub fn device_hash(shared: &Shared, round_id: i64, device_id: &str) -> String {
    voter_hash(shared.app.config.secret_key.expose(), round_id, &Identity::Device(device_id.to_owned()))
}

/// The stored hash of a verified phone in a round.
pub fn phone_hash(shared: &Shared, round_id: i64, phone: &str) -> String {
    voter_hash(shared.app.config.secret_key.expose(), round_id, &Identity::Phone(phone.to_owned()))
}
