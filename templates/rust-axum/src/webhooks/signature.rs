//! Standard Webhooks signing: a `whsec_` secret whose base64 part is the HMAC-SHA256 key, and
//! `Webhook-Signature: v1,<base64 of HMAC(key, "<id>.<timestamp>.<body>")>`.
//!
//! Receivers verify the same way (the README shows how); `verify` is here so the tests and any
//! Rust receiver check signatures with the exact rules the sender uses.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, general_purpose};
use hmac::{KeyInit, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";
/// Key sizes the contract accepts (the openapi.yaml pattern spells the same range).
pub const MIN_KEY_BYTES: usize = 22;
pub const MAX_KEY_BYTES: usize = 66;

/// Standard alphabet, padding optional, trailing bits allowed: secrets made by other tools
/// are not always canonical base64.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

type HmacSha256 = hmac::Hmac<Sha256>;

/// The HMAC key inside a `whsec_...` secret, or why it is not one. The text must have the
/// openapi.yaml pattern's shape (whole base64 quads, `=` only at the end), so the API accepts
/// exactly what its schema documents.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, &'static str> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or("must start with whsec_")?;
    if !has_base64_shape(encoded) {
        return Err("must be whsec_ followed by standard base64 of 22 to 66 bytes");
    }
    let key = LENIENT
        .decode(encoded)
        .map_err(|_| "must be whsec_ followed by standard base64")?;
    if (MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
        Ok(key)
    } else {
        Err("must encode 22 to 66 bytes")
    }
}

/// 8..=22 quads of the standard alphabet, the last one possibly ending in `=` or `==`.
fn has_base64_shape(encoded: &str) -> bool {
    let bytes = encoded.as_bytes();
    let is_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    let chars = bytes
        .strip_suffix(b"==")
        .or_else(|| bytes.strip_suffix(b"="))
        .unwrap_or(bytes);
    bytes.len().is_multiple_of(4)
        && (8..=22).contains(&(bytes.len() / 4))
        && chars.iter().all(is_char)
}

/// A fresh secret: 32 random bytes, padded base64.
pub fn generate_secret() -> String {
    let key: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `Webhook-Signature` value for one attempt.
pub fn sign(key: &[u8], event_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(format!("{event_id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// True when any `v1,` entry of a (space-separated) `Webhook-Signature` header matches,
/// compared in constant time.
pub fn verify(key: &[u8], event_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').any(|entry| {
        let Some(encoded) = entry.strip_prefix("v1,") else {
            return false;
        };
        let Ok(expected) = STANDARD.decode(encoded) else {
            return false;
        };
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(format!("{event_id}.{timestamp}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_way() {
        // The example of the Standard Webhooks specification (its reference libraries agree).
        let key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            body,
            &signature
        ));
        assert!(!verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232315}"#,
            &signature
        ));
        assert!(!verify(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_331,
            body,
            &signature
        ));
    }

    #[test]
    fn secrets_are_checked_and_generated() {
        let made = generate_secret();
        assert_eq!(decode_secret(&made).unwrap().len(), 32);
        assert_ne!(made, generate_secret());
        assert!(decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(decode_secret("whsec_c2hvcnQ=").is_err(), "too short");
        assert!(decode_secret(&format!("whsec_{}", STANDARD.encode([7_u8; 67]))).is_err());
        assert!(decode_secret("whsec_not base64 at all!!").is_err());
        // Trailing bits in the last character: accepted, as the pattern does.
        assert_eq!(
            decode_secret("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAB==")
                .unwrap()
                .len(),
            22
        );
        let padded = STANDARD.encode([1_u8; 23]);
        assert_eq!(decode_secret(&format!("whsec_{padded}")).unwrap().len(), 23);
        // Unpadded partial quads and padding in the middle: not the documented shape.
        assert!(decode_secret(&format!("whsec_{}", padded.trim_end_matches('='))).is_err());
        assert!(decode_secret("whsec_AAAA=AAAAAAAAAAAAAAAAAAAAAAAAAAA").is_err());
    }
}
