//! Who a voter is, without storing who they are. A device voter carries a random token in a cookie signed
//! with the secret key; a phone voter proves a number with a one-time code. Either identity is stored only as
//! an HMAC keyed by the secret key and the round, so ballots of one person in two rounds cannot be linked.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The cookie holding a voter's signed device token (HttpOnly; read by the server only).
pub const VOTER_COOKIE: &str = "portal_voter";

/// The device voter of a request, from its cookie, when the token is ours.
pub fn device_of(key: &[u8], cookie: Option<&str>) -> Option<String> {
    verify_device_token(key, cookie?).map(str::to_owned)
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
        m.update(b"\x1f");
    }
    m.finalize().into_bytes().to_vec()
}

/// A new device token: 128 random bits and a signature, `hex.hex`.
pub fn mint_device_token(key: &[u8]) -> String {
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let id = hex::encode(raw);
    let sig = hex::encode(&mac(key, &[b"device-token", id.as_bytes()])[..16]);
    format!("{id}.{sig}")
}

/// The token's id when its signature is ours.
pub fn verify_device_token<'a>(key: &[u8], token: &'a str) -> Option<&'a str> {
    let (id, sig) = token.split_once('.')?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let given = hex::decode(sig).ok().filter(|g| g.len() == 16)?;
    // Constant-time comparison through the MAC type; the same framing as `mac`.
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    for p in [&b"device-token"[..], id.as_bytes()] {
        m.update(p);
        m.update(b"\x1f");
    }
    m.verify_truncated_left(&given).ok().map(|()| id)
}

/// A voter of a round: what is stored instead of the device token or the phone number.
pub fn voter_hash(key: &[u8], round_id: i64, identity: &Identity) -> String {
    let (kind, value) = match identity {
        Identity::Device(id) => ("device", id.as_str()),
        Identity::Phone(p) => ("phone", p.as_str()),
    };
    hex::encode(&mac(key, &[b"voter", round_id.to_string().as_bytes(), kind.as_bytes(), value.as_bytes()])[..20])
}

/// A keyed hash of a secret (SMS codes, phone numbers) for storage.
pub fn keyed_hash(key: &[u8], purpose: &str, value: &str) -> String {
    hex::encode(&mac(key, &[purpose.as_bytes(), value.as_bytes()])[..20])
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
        let t = mint_device_token(&key);
        let id = verify_device_token(&key, &t).unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!(verify_device_token(&b"x".repeat(32), &t), None);
        let mut forged = t.clone().into_bytes();
        forged[0] = if forged[0] == b'a' { b'b' } else { b'a' };
        assert_eq!(verify_device_token(&key, std::str::from_utf8(&forged).unwrap()), None);
        assert_eq!(verify_device_token(&key, "nonsense"), None);
        assert_ne!(mint_device_token(&key), t);
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
