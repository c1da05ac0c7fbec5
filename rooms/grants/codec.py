"""HS256 JWT encoding and decoding, the only algorithm LiveKit accepts (Django-free).

Decoding is done here instead of with ``jwt.decode`` because the signing secret depends on the
unverified ``iss`` claim: one parse gives the header, the issuer and the signature check in a
single pass, and each failure maps to one of LiveKit's rejection reasons.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

ALGORITHM = "HS256"
LEEWAY_SECONDS = 60
# Tokens carry a few grants and some metadata; anything this large is an attack or a mistake.
MAX_TOKEN_BYTES = 64 * 1024

_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


class TokenRejected(Exception):
    """The token is not acceptable; ``reason`` is a stable machine-readable code."""

    REASONS = frozenset(
        {"expired", "not_yet_valid", "bad_signature", "unknown_key", "revoked_key", "algorithm", "malformed",
         "missing_exp"}
    )

    def __init__(self, reason: str, message: str = "") -> None:
        assert reason in self.REASONS, reason
        super().__init__(message or reason)
        self.reason = reason


def _b64encode(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenRejected("malformed", "Token segment is not base64url.") from None


def encode(claims: dict[str, Any], secret: str) -> str:
    payload = _b64encode(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = _HEADER + b"." + payload
    signature = _b64encode(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise TokenRejected("malformed", f"Token {what} is not JSON.") from None
    if not isinstance(value, dict):
        raise TokenRejected("malformed", f"Token {what} is not a JSON object.")
    return value


def _int_time(claims: dict[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected("malformed", f"Claim {name} is not a number.")
    return int(value)


def decode(
    token: str,
    secret_for: Callable[[str], str],
    *,
    now: float | None = None,
    leeway: int = LEEWAY_SECONDS,
) -> dict[str, Any]:
    """Verify ``token`` and return its claims.

    ``secret_for(iss)`` returns the issuer's secret or raises ``TokenRejected`` (``unknown_key``,
    ``revoked_key``). Checks, in order: size and shape, ``alg`` (HS256 only, so ``none`` and
    public-key algorithms fed the secret are refused), issuer, signature, then ``exp``/``nbf``.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected("malformed", "Token is missing or too large.")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRejected("malformed", "Token does not have three segments.")
    header_b64, payload_b64, signature_b64 = parts
    header = _json_object(_b64decode(header_b64), "header")
    if header.get("alg") != ALGORITHM:
        raise TokenRejected("algorithm", f"Only {ALGORITHM} tokens are accepted.")
    claims = _json_object(_b64decode(payload_b64), "payload")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise TokenRejected("unknown_key", "Token has no issuer (API key).")
    secret = secret_for(issuer)
    expected = hmac.new(secret.encode(), f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64decode(signature_b64)):
        raise TokenRejected("bad_signature", "Token signature does not match.")
    current = time.time() if now is None else now
    expires = _int_time(claims, "exp")
    if expires is None:
        raise TokenRejected("missing_exp", "Token has no expiry (exp).")
    if expires + leeway <= current:
        raise TokenRejected("expired", "Token has expired.")
    not_before = _int_time(claims, "nbf")
    if not_before is not None and not_before - leeway > current:
        raise TokenRejected("not_yet_valid", "Token is not valid yet (nbf).")
    return claims
