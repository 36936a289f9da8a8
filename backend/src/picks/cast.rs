//! The citizen's writes of 你点我检, whole: a ballot and a nomination, from what an adapter (API, form, server
//! function) read off the request to the stored row. Adapters parse and render; everything between is here.

use super::ballots::Origin;
use super::voter::{device_of, network_hash, voter_hash, Identity};
use crate::AppState;
use domain::picks::{parse_phone, BallotBody, BallotReceipt, CandidateFields, RefusalReason, VoterCheck};
use domain::{AppError, ErrCode};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Ballots one voter may submit per minute (the per-address quota is larger: see `Limit::Vote`).
pub const BALLOTS_PER_VOTER_PER_MIN: u32 = 10;

/// The `abuse` scope of the per-network bound on ballots (`PORTAL_BOUND_BALLOTS`).
pub const BALLOT_SCOPE: &str = "ballots";

/// Who is writing, as the adapter read it from the request.
#[derive(Clone, Copy, Debug)]
pub struct Requester<'a> {
    /// The client's address: its network is what the bounds count.
    pub ip: IpAddr,
    /// The `portal_voter` cookie as sent (issued only by the round's page or `GET …/voter`).
    pub voter_cookie: Option<&'a str>,
}

/// Per-voter quotas on this instance, keyed by the stored voter hash.
#[derive(Debug)]
pub struct VoterQuota(DefaultKeyedRateLimiter<String>);

impl Default for VoterQuota {
    fn default() -> VoterQuota {
        let per_min = NonZeroU32::new(BALLOTS_PER_VOTER_PER_MIN).unwrap_or(NonZeroU32::MIN);
        VoterQuota(RateLimiter::keyed(Quota::per_minute(per_min)))
    }
}

impl VoterQuota {
    /// Spends one of the voter's ballots for this minute.
    fn admit(&self, hash: &str) -> Result<(), AppError> {
        self.0.check_key(&hash.to_owned()).map_err(|_| AppError::rate_limited(6))
    }

    /// Drops per-voter state that has fully replenished.
    pub fn sweep(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

/// Casts the requester's ballot: checks the round and the picks, the honeypot, the voter (the device cookie
/// the round's page or `GET …/voter` issued, or phone and one-time code), the voter's quota, the network's
/// bound; then the group-commit writer, with the ballot's origin (network, device age) for the integrity
/// report. Every refusal is counted for the integrity report; a ballot never issues a voter. Answered after
/// the ballot is durably stored.
pub async fn cast(
    state: &AppState,
    round_id: i64,
    who: Requester<'_>,
    body: &BallotBody,
    honeypot: bool,
) -> Result<BallotReceipt, AppError> {
    let writer = &state.ballots;
    let (rules, picks) = writer.check(round_id, &body.candidate_ids).await?;
    if honeypot {
        writer.refuse(round_id, RefusalReason::Honeypot).await;
        return Err(AppError::field(ErrCode::InvalidValue, "website"));
    }
    let key = state.config.secret_key.expose();
    let network = crate::abuse::network_key(who.ip);
    let mut origin = Origin { network_hash: Some(network_hash(key, round_id, &network)), device_minted_at: None };
    let identity = match rules.voter_check {
        VoterCheck::Device => {
            let Some(d) = device_of(key, who.voter_cookie) else {
                writer.refuse(round_id, RefusalReason::NoVoter).await;
                return Err(AppError::field(ErrCode::VoterRequired, "voter"));
            };
            origin.device_minted_at = d.minted_at;
            Identity::Device(d.id)
        }
        VoterCheck::Sms => {
            let phone = parse_phone(body.phone.as_deref().unwrap_or(""))?;
            let code = body.code.as_deref().unwrap_or("");
            if let Err(e) = super::sms::verify_code(state, round_id, &phone, code).await {
                writer.refuse(round_id, RefusalReason::BadCode).await;
                return Err(e);
            }
            Identity::Phone(phone)
        }
    };
    let hash = voter_hash(key, round_id, &identity);
    // The voter's own quota (in memory), then the network's ballots per minute and day (shared by instances).
    let admitted = match state.voters.admit(&hash) {
        // Ballots come by the thousand a second: the bound is spent from units reserved in chunks.
        Ok(()) => {
            let bound = state.config.network_bounds.ballots;
            crate::abuse::spend_bound_leased(&state.store, &state.leases, BALLOT_SCOPE, Some(&network), bound).await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = admitted {
        writer.refuse(round_id, RefusalReason::RateLimited).await;
        return Err(e);
    }
    writer.cast_from(round_id, &hash, &picks, origin).await
}

/// Files a nomination for the requester's device voter (who must have one: a nomination never issues it),
/// spending the network's bound. Returns its id; it waits for moderation.
pub async fn nominate(
    state: &AppState,
    round_id: i64,
    who: Requester<'_>,
    f: &CandidateFields,
) -> Result<i64, AppError> {
    if f.is_bot() {
        return Err(AppError::field(ErrCode::InvalidValue, "website"));
    }
    let c = f.parse()?;
    let key = state.config.secret_key.expose();
    let d = device_of(key, who.voter_cookie).ok_or_else(|| AppError::field(ErrCode::VoterRequired, "voter"))?;
    let hash = voter_hash(key, round_id, &Identity::Device(d.id));
    super::nominations::submit_public(state, round_id, &hash, &crate::abuse::network_key(who.ip), &c).await
}
