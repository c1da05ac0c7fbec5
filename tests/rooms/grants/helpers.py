"""Hand-built tokens for the attack table: each is a real JWT a hostile client could send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signed(header: dict[str, Any] | None, payload: bytes | dict[str, Any], secret: str,
           digest: Any = hashlib.sha256) -> str:
    head = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    signature = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), digest).digest())
    return f"{head}.{body}.{signature}"


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
