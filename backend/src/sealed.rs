//! Personal data sealed at rest: XChaCha20-Poly1305 (RustCrypto) with a key derived by HKDF-SHA256 from
//! `PORTAL_SECRET_KEY` for one purpose, a random 192-bit nonce per value, stored as `nonce ‖ ciphertext`.
//! Every instance with the same secret opens what another sealed; a database copy alone opens nothing.

use chacha20poly1305::aead::{Aead, KeyInit};
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

/// Seals `plain` for `purpose` (e.g. "reporter", "reply-contact").
pub fn seal(secret: &[u8], purpose: &str, plain: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(secret, purpose)
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|_| AppError::internal("sealing failed"))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

/// Opens what [`seal`] sealed with the same secret and purpose.
pub fn open(secret: &[u8], purpose: &str, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
    if sealed.len() < 24 {
        return Err(AppError::internal("sealed value too short"));
    }
    let (nonce, body) = sealed.split_at(24);
    cipher(secret, purpose)
        .decrypt(XNonce::from_slice(nonce), body)
        .map_err(|_| AppError::internal("sealed value does not open (wrong PORTAL_SECRET_KEY?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_open_only_with_the_same_secret_and_purpose() {
        let k = b"k".repeat(32);
        let s = seal(&k, "reporter", "张三 13800001234".as_bytes()).unwrap();
        assert!(!String::from_utf8_lossy(&s).contains("13800001234"));
        assert_eq!(open(&k, "reporter", &s).unwrap(), "张三 13800001234".as_bytes());
        assert!(open(&b"x".repeat(32), "reporter", &s).is_err());
        assert!(open(&k, "reply-contact", &s).is_err());
        assert_ne!(seal(&k, "reporter", b"a").unwrap(), seal(&k, "reporter", b"a").unwrap(), "fresh nonces");
        let mut tampered = s;
        tampered[30] ^= 1;
        assert!(open(&k, "reporter", &tampered).is_err());
    }
}
