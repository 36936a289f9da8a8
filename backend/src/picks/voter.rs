//! Who a voter is, without storing who they are. A device voter carries a random token in a cookie signed
//! with the secret key; a phone voter proves a number with a one-time code. Either identity is stored only as
//! an HMAC keyed by the secret key and the round, so ballots of one person in two rounds cannot be linked.

use super::rounds::{rules_in, RoundRules};
use crate::clock::now;
use crate::config::Config;
use crate::sealed::keyed_hash;
use crate::sealed::mac;
use crate::AppState;
use domain::picks::{Phase, VoterCheck};
use domain::{AppError, ErrCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;
use rand::RngCore;

/// The cookie holding a voter's signed device token (HttpOnly; read by the server only).
pub const VOTER_COOKIE: &str = "portal_voter";

/// The device voter of a request, from its cookie, when the token is ours.
pub fn device_of(key: &[u8], cookie: Option<&str>) -> Option<Device> {
    verify_device_token(key, cookie?)
}

/// A verified device token: its random id and when it was issued (`None` for tokens issued before tokens
/// carried the time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub minted_at: Option<i64>,
}

/// A new device token issued at `at`: 128 random bits, the issue time and a signature over both,
/// `hex.unix-seconds.hex`.
pub fn mint_device_token(key: &[u8], at: i64) -> String {
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let id = hex::encode(raw);
    let at = at.to_string();
    let sig = hex::encode(&mac(key, &[b"device-token-v2", id.as_bytes(), at.as_bytes()])[..16]);
    format!("{id}.{at}.{sig}")
}

/// The token's device when its signature is ours: `id.at.sig`, or the older `id.sig` (no issue time).
pub fn verify_device_token(key: &[u8], token: &str) -> Option<Device> {
    let mut parts = token.split('.');
    let (id, at, sig) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(sig), None, None) => (id, None, sig),
        (Some(id), Some(at), Some(sig), None) => (id, Some(at), sig),
        _ => return None,
    };
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let minted_at = match at {
        Some(a) if a.len() <= 12 && !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) => {
            Some(a.parse::<i64>().ok()?)
        }
        Some(_) => return None,
        None => None,
    };
    let given = hex::decode(sig).ok().filter(|g| g.len() == 16)?;
    // Constant-time comparison through the MAC type; the same framing as `mac`.
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    let framed: Vec<&[u8]> = match at {
        Some(a) => vec![b"device-token-v2", id.as_bytes(), a.as_bytes()],
        None => vec![b"device-token", id.as_bytes()],
    };
    for p in framed {
        m.update(p);
        m.update(b"\x1f");
    }
    m.verify_truncated_left(&given).ok()?;
    Some(Device { id: id.to_owned(), minted_at })
}

/// The counter of device tokens issued per round and network (`abuse` scope).
pub const NEW_DEVICE_SCOPE: &str = "new_device";
/// Issued device tokens are counted per round and network over this window.
pub const NEW_DEVICE_WINDOW_SECS: i64 = 3600;
/// A device token lives a year: a voter keeps their identity across rounds (each round hashes it differently).
pub const VOTER_COOKIE_SECS: i64 = 365 * 86_400;

/// Whether a round's visitors need a device voter now: while it takes nominations, and while it votes by device.
pub fn needs_device(rules: &RoundRules) -> bool {
    match rules.phase() {
        Phase::Nominating => true,
        Phase::Voting => rules.voter_check == VoterCheck::Device,
        _ => false,
    }
}

/// Issues a device token to a visitor of `round_id` who has none, from `network` (`abuse::network_key`). Only a
/// page or the explicit `GET …/voter` issues tokens, never a ballot or nomination, and at most
/// `PORTAL_NEW_DEVICES_PER_NETWORK_HOUR` per network and round an hour, on all instances together (429 beyond,
/// with the wait). 404 for an unknown round; 409 `phase_closed` naming `voter` when the round needs no device now.
pub async fn issue_device(state: &AppState, round_id: i64, network: &str) -> Result<String, AppError> {
    let rules = {
        let mut conn = state.store.pool().acquire().await?;
        rules_in(&mut conn, round_id).await?
    };
    if !needs_device(&rules) {
        return Err(AppError::field(ErrCode::PhaseClosed, "voter"));
    }
    let limit = state.config.network_bounds.new_devices_per_hour;
    crate::abuse::spend(
        &state.store,
        NEW_DEVICE_SCOPE,
        &format!("{round_id}:{network}"),
        NEW_DEVICE_WINDOW_SECS,
        limit,
    )
    .await?;
    Ok(mint_device_token(state.config.secret_key.expose(), now()))
}

/// The `Set-Cookie` value carrying a device token (HttpOnly, `SameSite=Lax`, `Secure` when configured).
pub fn voter_cookie(config: &Config, token: &str) -> String {
    let secure = if config.cookie_secure { "; Secure" } else { "" };
    format!("{VOTER_COOKIE}={token}; Path=/; Max-Age={VOTER_COOKIE_SECS}; SameSite=Lax; HttpOnly{secure}")
}

/// A keyed hash of the network a ballot came from, per round (networks of two rounds cannot be linked).
pub fn network_hash(key: &[u8], round_id: i64, network: &str) -> String {
    keyed_hash(key, "ballot-network", &format!("{round_id}:{network}"))
}

/// A voter of a round: what is stored instead of the device token or the phone number.
pub fn voter_hash(key: &[u8], round_id: i64, identity: &Identity) -> String {
    let (kind, value) = match identity {
        Identity::Device(id) => ("device", id.as_str()),
        Identity::Phone(p) => ("phone", p.as_str()),
    };
    hex::encode(&mac(key, &[b"voter", round_id.to_string().as_bytes(), kind.as_bytes(), value.as_bytes()])[..20])
}

/// A voter's identity, before hashing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The id of a verified device token.
    Device(String),
    /// A verified phone number.
    Phone(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_our_key_and_unaltered() {
        let key = b"k".repeat(32);
        let t = mint_device_token(&key, 1_765_000_000);
        let d = verify_device_token(&key, &t).unwrap();
        assert_eq!((d.id.len(), d.minted_at), (32, Some(1_765_000_000)));
        assert_eq!(verify_device_token(&b"x".repeat(32), &t), None);
        let mut forged = t.clone().into_bytes();
        forged[0] = if forged[0] == b'a' { b'b' } else { b'a' };
        assert_eq!(verify_device_token(&key, std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(verify_device_token(&key, "nonsense"), None);
        assert_ne!(mint_device_token(&key, 1_765_000_000), t);
        // The issue time is signed: moving it makes the token invalid.
        let (id, rest) = t.split_once('.').unwrap();
        let sig = rest.split_once('.').unwrap().1;
        assert_eq!(verify_device_token(&key, &format!("{id}.1765009999.{sig}")), None);
        assert_eq!(verify_device_token(&key, &format!("{id}.{sig}")), None, "a v2 signature is no v1 token");
        // Tokens issued before they carried the time stay valid, with no issue time.
        let old = format!("{id}.{}", hex::encode(&mac(&key, &[b"device-token", id.as_bytes()])[..16]));
        assert_eq!(verify_device_token(&key, &old), Some(Device { id: id.to_owned(), minted_at: None }));
    }

    /// The token format is a contract with tools that sign voters themselves (bench/ballots.sh, in Python):
    /// HMAC-SHA256 over `device-token-v2 \x1f id \x1f at \x1f`, first 16 bytes in hex.
    #[test]
    fn a_token_signed_elsewhere_with_the_key_verifies() {
        let key = b"k".repeat(32);
        let t = "0123456789abcdef0123456789abcdef.1765000000.9919c89bbd420b8f1a32905b98982423";
        let d = verify_device_token(&key, t).unwrap();
        assert_eq!((d.id.as_str(), d.minted_at), ("0123456789abcdef0123456789abcdef", Some(1_765_000_000)));
    }

    #[test]
    fn voter_hashes_differ_per_round_and_identity_kind() {
        let key = b"k".repeat(32);
        let d = Identity::Device("a".repeat(32));
        assert_eq!(voter_hash(&key, 1, &d), voter_hash(&key, 1, &d));
        assert_ne!(voter_hash(&key, 1, &d), voter_hash(&key, 2, &d));
        assert_ne!(voter_hash(&key, 1, &d), voter_hash(&key, 1, &Identity::Phone("a".repeat(32))));
        assert_eq!(voter_hash(&key, 1, &d).len(), 40);
    }
}
