//! Personal data sealed at rest: XChaCha20-Poly1305 (RustCrypto) with a key derived by HKDF-SHA256 from
//! `PORTAL_SECRET_KEY` for one purpose, a random 192-bit nonce per value, stored as `v2 ‖ nonce ‖ ciphertext`.
//! Every value is bound to where it lives (its table, its row's stable key and its purpose) as associated data:
//! a reporter's sealed contact or an access code copied into another row does not open there. Every instance
//! with the same secret opens what another sealed; a database copy alone opens nothing.
//!
//! Values sealed before the binding (`nonce ‖ ciphertext`, no marker) open only through [`open_legacy`], which
//! the start-up passes use once to re-seal them bound.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::AppError;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

fn cipher(secret: &[u8], purpose: &str) -> XChaCha20Poly1305 {
    let mut key = [0u8; 32];
    // HKDF-Expand never fails for a 32-byte output.
    let _ = Hkdf::<Sha256>::new(Some(b"shian-mianyang/sealed/v1"), secret).expand(purpose.as_bytes(), &mut key);
    XChaCha20Poly1305::new(&key.into())
}

/// The marker of a value bound to its place.
const BOUND: &[u8; 4] = b"SMv2";

/// Seals `plain` for `purpose` (e.g. "reporter", "reply-contact"), bound to `place` — the table and the row's
/// stable key, e.g. `cases/JB-20261207-123456` — so it opens nowhere else.
pub fn seal(secret: &[u8], purpose: &str, place: &str, plain: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(secret, purpose)
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: place.as_bytes() })
        .map_err(|_| AppError::internal("sealing failed"))?;
    Ok([BOUND.as_slice(), nonce.as_slice(), &sealed].concat())
}

/// Opens what [`seal`] sealed with the same secret, purpose and place.
pub fn open(secret: &[u8], purpose: &str, place: &str, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
    let Some(rest) = sealed.strip_prefix(BOUND.as_slice()).filter(|r| r.len() >= 24) else {
        return Err(AppError::internal("sealed value not bound to its place (legacy or damaged)"));
    };
    let (nonce, body) = rest.split_at(24);
    cipher(secret, purpose)
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: place.as_bytes() })
        .map_err(|_| AppError::internal("sealed value does not open here (wrong PORTAL_SECRET_KEY, or moved)"))
}

/// Whether a stored value is bound to its place (else the start-up pass re-seals it).
pub fn is_bound(sealed: &[u8]) -> bool {
    sealed.starts_with(BOUND.as_slice())
}

/// Opens a value sealed before values were bound to their place (`nonce ‖ ciphertext`), to re-seal it.
pub fn open_legacy(secret: &[u8], purpose: &str, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
    if sealed.len() < 24 {
        return Err(AppError::internal("sealed value too short"));
    }
    let (nonce, body) = sealed.split_at(24);
    cipher(secret, purpose)
        .decrypt(XNonce::from_slice(nonce), body)
        .map_err(|_| AppError::internal("sealed value does not open (wrong PORTAL_SECRET_KEY?)"))
}

/// A value in the format stored before values were bound to their place: only tests write it, to check that
/// the start-up passes re-seal what older versions stored.
pub fn seal_unbound(secret: &[u8], purpose: &str, plain: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(secret, purpose)
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|_| AppError::internal("sealing failed"))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// Re-seals a stored value bound to `place`: legacy values are opened and sealed again; bound ones are kept.
pub fn reseal(secret: &[u8], purpose: &str, place: &str, stored: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
    if is_bound(stored) {
        return Ok(None);
    }
    let plain = open_legacy(secret, purpose, stored)?;
    seal(secret, purpose, place, &plain).map(Some)
}

/// HMAC-SHA256 of `parts`, each followed by a separator, under `key`.
pub fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
        m.update(b"\x1f");
    }
    m.finalize().into_bytes().to_vec()
}

/// How far a signature's `t` may be from the receiver's clock, seconds.
pub const SIGNATURE_MAX_SKEW_SECS: i64 = 300;

/// A webhook-style signature header: `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<key>.<body>">` under `secret`. Outgoing
/// webhooks (the case webhook, partner receivers) sign this way, and the SMS gateway signs replies this way.
pub fn signature(secret: &[u8], t: i64, key: &str, body: &[u8]) -> String {
    signed(secret, &format!("{t}.{key}."), t, body)
}

/// Checks a [`signature`] header, in constant time, with its `t` at most five minutes from `now`.
pub fn verify_signature(secret: &[u8], header: &str, key: &str, body: &[u8], now: i64) -> bool {
    verify_signed(secret, header, body, now, |t| format!("{t}.{key}."))
}

/// The batch APIs' signature header (market systems, kitchen vendors): `t=<t>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">` under the key's secret.
pub fn batch_signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    signed(secret, &format!("{t}."), t, body)
}

/// Checks a [`batch_signature`] header, in constant time, with its `t` at most five minutes from `now`.
pub fn verify_batch_signature(secret: &[u8], header: &str, body: &[u8], now: i64) -> bool {
    verify_signed(secret, header, body, now, |t| format!("{t}."))
}

fn signed(secret: &[u8], prefix: &str, t: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(prefix.as_bytes());
    m.update(body);
    format!("t={t},v1={}", hex::encode(m.finalize().into_bytes()))
}

fn verify_signed(secret: &[u8], header: &str, body: &[u8], now: i64, prefix: impl Fn(i64) -> String) -> bool {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    if (now - t).abs() > SIGNATURE_MAX_SKEW_SECS {
        return false;
    }
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(prefix(t).as_bytes());
    m.update(body);
    m.verify_slice(&v1).is_ok()
}

/// A keyed hash of a value that must be compared but never read back (SMS codes, phone numbers, contacts,
/// networks), for storage: 160 bits of HMAC for `purpose`.
pub fn keyed_hash(key: &[u8], purpose: &str, value: &str) -> String {
    hex::encode(&mac(key, &[purpose.as_bytes(), value.as_bytes()])[..20])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_unchanged_and_recent() {
        let h = signature(b"s", 1000, "k", b"body");
        assert!(verify_signature(b"s", &h, "k", b"body", 1100));
        assert!(!verify_signature(b"s", &h, "k", b"bodY", 1100));
        assert!(!verify_signature(b"s", &h, "x", b"body", 1100));
        assert!(!verify_signature(b"t", &h, "k", b"body", 1100));
        assert!(!verify_signature(b"s", &h, "k", b"body", 1400));
        assert!(!verify_signature(b"s", "v1=00", "k", b"body", 1000));
    }

    #[test]
    fn seals_open_only_with_the_same_secret_purpose_and_place() {
        let k = b"k".repeat(32);
        let here = "cases/JB-20261207-000001";
        let s = seal(&k, "reporter", here, "张三 13800001234".as_bytes()).unwrap();
        assert!(!String::from_utf8_lossy(&s).contains("13800001234"));
        assert_eq!(open(&k, "reporter", here, &s).unwrap(), "张三 13800001234".as_bytes());
        assert!(open(&b"x".repeat(32), "reporter", here, &s).is_err());
        assert!(open(&k, "reply-contact", here, &s).is_err());
        assert!(open(&k, "reporter", "cases/JB-20261207-000002", &s).is_err(), "moved to another row");
        assert_ne!(
            seal(&k, "reporter", here, b"a").unwrap(),
            seal(&k, "reporter", here, b"a").unwrap(),
            "fresh nonces"
        );
        let mut tampered = s;
        tampered[30] ^= 1;
        assert!(open(&k, "reporter", here, &tampered).is_err());
        // A value sealed before places were bound: not opened as bound, re-sealed once.
        let mut nonce = [7u8; 24];
        nonce[0] = 1;
        let legacy_body = cipher(&k, "reporter").encrypt(XNonce::from_slice(&nonce), b"old".as_slice()).unwrap();
        let legacy = [nonce.as_slice(), &legacy_body].concat();
        assert!(!is_bound(&legacy) && open(&k, "reporter", here, &legacy).is_err());
        let resealed = reseal(&k, "reporter", here, &legacy).unwrap().unwrap();
        assert_eq!(open(&k, "reporter", here, &resealed).unwrap(), b"old");
        assert_eq!(reseal(&k, "reporter", here, &resealed).unwrap(), None, "once");
    }
}
