"""Sign and POST webhooks exactly as LiveKit does (``webhook/resource_url_notifier.go``).

The JWT comes from the organization's oldest active API key, is valid 5 minutes, and carries the
base64 SHA-256 of the exact body bytes in ``sha256``; it goes in ``Authorization`` without "Bearer".
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass

import httpx
import jwt

from tenancy.models import ApiKey

WEBHOOK_TOKEN_TTL_SECONDS = 5 * 60
CONTENT_TYPE = "application/webhook+json"
USER_AGENT = "LiveKit"


class NoSigningKey(Exception):
    """The organization has no active API key to sign with."""


def webhook_token(*, body: bytes, api_key: str, api_secret: str) -> str:
    now = int(time.time())
    claims = {
        "iss": api_key,
        "nbf": now,
        "exp": now + WEBHOOK_TOKEN_TTL_SECONDS,
        "sha256": base64.b64encode(hashlib.sha256(body).digest()).decode(),
    }
    return jwt.encode(claims, api_secret, algorithm="HS256")


def signing_key_for_organization(organization_id: int) -> ApiKey:
    key = ApiKey.objects.filter(organization_id=organization_id, revoked__isnull=True).order_by("created", "id").first()
    if key is None:
        raise NoSigningKey("The organization has no active API key to sign webhooks with.")
    return key


@dataclass(frozen=True)
class PostOutcome:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: float


def signed_post(*, url: str, body: str, organization_id: int, timeout: float) -> PostOutcome:
    """POST ``body`` as sent bytes; any non-2xx, network error or missing key is a failed attempt."""
    started = time.monotonic()
    raw = body.encode()

    def outcome(ok: bool, code: int | None, error: str) -> PostOutcome:
        return PostOutcome(ok, code, error, round((time.monotonic() - started) * 1000, 1))

    try:
        key = signing_key_for_organization(organization_id)
    except NoSigningKey as exc:
        return outcome(False, None, str(exc))
    headers = {
        "Authorization": webhook_token(body=raw, api_key=key.key_id, api_secret=key.secret),
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
    }
    try:
        response = httpx.post(url, content=raw, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return outcome(False, None, f"{type(exc).__name__}: {exc}"[:1000])
    if 200 <= response.status_code < 300:
        return outcome(True, response.status_code, "")
    return outcome(False, response.status_code, f"HTTP {response.status_code}: {response.text[:500]}")
