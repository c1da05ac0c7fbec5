"""Verify an access token against the organization API keys in the database.

Rules follow LiveKit's verifier: HS256 only, ``exp`` required, 60 s leeway on ``exp``/``nbf``,
secret chosen by ``iss`` among keys that are not revoked, identity from ``sub`` else ``jti``,
unknown claims ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rooms.grants import codec
from rooms.grants.codec import TokenRejected
from rooms.grants.effective import Grants
from rooms.grants.keys import SigningKey, signing_key_get

__all__ = ["TokenRejected", "VerifiedToken", "verify_access_token"]


@dataclass(frozen=True)
class VerifiedToken:
    organization_id: int
    api_key_id: str
    identity: str
    name: str
    metadata: str
    attributes: dict[str, str]
    kind: str
    room_config: dict[str, Any]
    grants: Grants
    expires_at: int
    claims: dict[str, Any] = field(repr=False)


PARTICIPANT_KINDS = frozenset({"standard", "ingress", "egress", "sip", "agent", "connector", "bridge"})


def _text(claims: dict[str, Any], key: str) -> str:
    value = claims.get(key)
    return value if isinstance(value, str) else ""


def verify_access_token(token: str) -> VerifiedToken:
    """Synchronous (ORM); call it through ``database_sync_to_async`` from async code."""
    found: list[SigningKey] = []

    def secret_for(issuer: str) -> str:
        key = signing_key_get(issuer)
        if key is None:
            raise TokenRejected("unknown_key", "Unknown API key.")
        if key.revoked:
            raise TokenRejected("revoked_key", "The API key that signed this token was revoked.")
        found.append(key)
        return key.secret

    claims = codec.decode(token, secret_for)
    key = found[0]
    attributes = claims.get("attributes")
    room_config = claims.get("roomConfig")
    kind = _text(claims, "kind")
    return VerifiedToken(
        organization_id=key.organization_id,
        api_key_id=key.key_id,
        identity=_text(claims, "sub") or _text(claims, "jti"),
        name=_text(claims, "name"),
        metadata=_text(claims, "metadata"),
        attributes={k: v for k, v in attributes.items() if isinstance(v, str)}
        if isinstance(attributes, dict)
        else {},
        # Missing or unknown kinds mean a standard participant, as in LiveKit.
        kind=kind if kind in PARTICIPANT_KINDS else "standard",
        room_config=room_config if isinstance(room_config, dict) else {},
        grants=Grants.from_claim(claims.get("video")),
        expires_at=int(claims["exp"]),
        claims=claims,
    )
