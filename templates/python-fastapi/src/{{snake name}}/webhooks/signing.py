"""Standard Webhooks secrets and signatures.

A secret is `whsec_` + base64 of the key bytes. The signature of one attempt is
`v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, so a receiver that knows the secret
can check both the body and the timestamp (and refuse stale replays).
"""

import base64
import hashlib
import hmac
import re
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret
GENERATED_KEY_BYTES = 32
# The contract's pattern (openapi.yaml): 22 to 66 key bytes, standard alphabet and padding.
SECRET_PATTERN = re.compile(
    r"whsec_([A-Za-z0-9+/]{4}){7,21}([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)"
)


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(GENERATED_KEY_BYTES)).decode()


def is_valid_secret(secret: str) -> bool:
    return SECRET_PATTERN.fullmatch(secret) is not None


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 after `whsec_`, decoded leniently (trailing bits allowed), as
    receivers' libraries do."""
    if not is_valid_secret(secret):
        raise ValueError("not a whsec_ secret")
    encoded = secret[len(SECRET_PREFIX) :].rstrip("=")
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, event_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether any `v1,` signature in a (space-separated) Webhook-Signature header matches."""
    expected = sign(secret, event_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in header.split())
