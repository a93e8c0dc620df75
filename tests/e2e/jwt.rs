//! Forging and reading JWTs, so the contract suite can present the tokens a server must refuse.
//!
//! The contract pins tokens to HS256 over `JWT_SECRET` with claims `sub`, `iat`, `exp`, and the
//! harness starts every server with a secret it knows. So it can mint a valid token (proving the
//! forging matches the server), then the same token expired, signed with another key or another
//! algorithm, with `alg: none`, or for a user that does not exist.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};

/// Signing algorithms the harness can forge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    Hs512,
    /// Unsigned: `alg: none` and an empty signature.
    None,
}

impl Alg {
    fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::Hs512 => "HS512",
            Alg::None => "none",
        }
    }
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS `header.payload.signature` over the given claims.
pub fn forge(alg: Alg, secret: &[u8], claims: &Value) -> String {
    let header = json!({"alg": alg.name(), "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = sign(alg, secret, signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&signature))
}

fn sign(alg: Alg, secret: &[u8], input: &[u8]) -> Vec<u8> {
    match alg {
        Alg::Hs256 => {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        Alg::Hs512 => {
            let mut mac =
                Hmac::<Sha512>::new_from_slice(secret).expect("HMAC takes keys of any length");
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        Alg::None => Vec::new(),
    }
}

/// The claims the contract requires: `sub` (user id as a string), `iat`, `exp`.
pub fn claims(sub: &str, iat: i64, exp: i64) -> Value {
    json!({"sub": sub, "iat": iat, "exp": exp})
}

/// Decodes a token's header and payload without checking anything.
pub fn decode(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let header = parts.next()?;
    let payload = parts.next()?;
    parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let parse = |p: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok()?).ok()
    };
    Some((parse(header)?, parse(payload)?))
}

/// True when `token` is HS256 and its signature verifies with `secret`.
pub fn verify_hs256(token: &str, secret: &[u8]) -> bool {
    let Some((input, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(input.as_bytes());
    mac.verify_slice(&signature).is_ok()
}

/// The same token with its payload replaced and the old signature kept: a tampered token.
pub fn tamper(token: &str, claims: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let signature = parts.get(2).copied().unwrap_or_default();
    format!(
        "{}.{}.{}",
        parts.first().copied().unwrap_or_default(),
        b64(claims.to_string().as_bytes()),
        signature
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs256_matches_the_rfc_7515_example_key_and_input() {
        // RFC 7515 appendix A.1: its signing input, key and signature.
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        assert_eq!(
            b64(&sign(Alg::Hs256, &key, input.as_bytes())),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn forged_tokens_decode_and_verify() {
        let token = forge(Alg::Hs256, b"s3cret", &claims("42", 1000, 2000));
        let (header, payload) = decode(&token).unwrap();
        assert_eq!(header["alg"], "HS256");
        assert_eq!(payload, json!({"sub": "42", "iat": 1000, "exp": 2000}));
        assert!(verify_hs256(&token, b"s3cret"));
        assert!(!verify_hs256(&token, b"other"));
    }

    #[test]
    fn alg_none_has_an_empty_signature() {
        let token = forge(Alg::None, b"ignored", &claims("1", 0, 1));
        assert!(token.ends_with('.'));
        assert_eq!(decode(&token).unwrap().0["alg"], "none");
    }

    #[test]
    fn tampering_keeps_the_signature_and_breaks_verification() {
        let token = forge(Alg::Hs256, b"k", &claims("1", 0, 1));
        let forged = tamper(&token, &claims("2", 0, 1));
        assert_eq!(token.rsplit('.').next(), forged.rsplit('.').next());
        assert_eq!(decode(&forged).unwrap().1["sub"], "2");
        assert!(!verify_hs256(&forged, b"k"));
    }

    #[test]
    fn hs512_is_a_different_algorithm() {
        let token = forge(Alg::Hs512, b"k", &claims("1", 0, 1));
        assert_eq!(decode(&token).unwrap().0["alg"], "HS512");
        assert!(!verify_hs256(&token, b"k"));
    }
}
