"""Mint LiveKit access tokens without Django: ``mint(api_key, secret, identity=..., video=...)``."""

from __future__ import annotations

import time
from typing import Any

from rooms.grants import codec
from rooms.grants.claims import ClaimError, VideoGrant, check_attributes, room_config_claim

DEFAULT_TTL_SECONDS = 6 * 3600


def token_claims(
    api_key: str,
    *,
    identity: str = "",
    video: VideoGrant | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    name: str = "",
    metadata: str = "",
    attributes: dict[str, str] | None = None,
    kind: str = "",
    room_config: dict[str, Any] | None = None,
    sha256: str = "",
    now: int | None = None,
) -> dict[str, Any]:
    """The claim set in LiveKit's layout; empty optional claims are left out, ``nbf``/``exp`` never."""
    if ttl_seconds <= 0:
        raise ClaimError("ttl_seconds", "The token lifetime must be positive.")
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {"iss": api_key, "nbf": issued, "exp": issued + ttl_seconds}
    if identity:
        claims["sub"] = identity
    if name:
        claims["name"] = name
    if kind:
        claims["kind"] = kind
    if metadata:
        claims["metadata"] = metadata
    if attributes:
        claims["attributes"] = check_attributes(attributes)
    config = room_config_claim(room_config)
    if config:
        claims["roomConfig"] = config
    if sha256:
        claims["sha256"] = sha256
    if video is not None:
        claims["video"] = video.to_claim()
    return claims


def mint(api_key: str, secret: str, **options: Any) -> str:
    """Sign ``token_claims(api_key, **options)`` with HS256 and the API secret."""
    if not api_key or not secret:
        raise ClaimError("api_key", "An API key and secret are required to sign a token.")
    return codec.encode(token_claims(api_key, **options), secret)
