"""Issue access tokens signed with an organization's API key."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any, Protocol

from django.conf import settings

from rooms.grants.builder import mint
from rooms.grants.claims import VideoGrant
from rooms.grants.keys import signing_api_key_for_organization
from rooms.grants.token_request import (
    CLIENT_SETTABLE,
    DEFAULT_CLIENT_SETTABLE,
    TokenRequest,
    TokenRequestError,
    token_request_check_policy,
)
from rooms.models import RoomConfig
from rooms.selectors import room_config_agents, room_config_for_room
from tenancy.access import Actor
from tenancy.models import ApiKey, Organization


def _ttl(ttl_seconds: int | None) -> int:
    return int(ttl_seconds or settings.TOKEN_DEFAULT_TTL_SECONDS)


class Signer(Protocol):
    """What signing needs of a key: an ``ApiKey`` row or a cached ``SigningKey``."""

    @property
    def key_id(self) -> str: ...
    @property
    def secret(self) -> str: ...
    @property
    def is_active(self) -> bool: ...


def token_issue(
    *,
    api_key: Signer,
    identity: str,
    room: str,
    name: str = "",
    metadata: str = "",
    attributes: dict[str, str] | None = None,
    room_config: dict[str, Any] | None = None,
    kind: str = "",
    ttl_seconds: int | None = None,
    **video_overrides: Any,
) -> str:
    """A join grant for ``room``; ``video_overrides`` are VideoGrant fields (``room_admin=True``...)."""
    if not api_key.is_active:
        raise TokenRequestError("revoked_key", "This API key is revoked.", 403)
    video = VideoGrant(room_join=True, room=room)
    if video_overrides:
        video = dataclasses.replace(video, **video_overrides)
    return mint(
        api_key.key_id,
        api_key.secret,
        identity=identity,
        video=video,
        ttl_seconds=_ttl(ttl_seconds),
        name=name,
        metadata=metadata,
        attributes=attributes,
        kind=kind,
        room_config=room_config,
    )


def organization_signing_key(organization: Organization) -> ApiKey:
    api_key = signing_api_key_for_organization(organization)
    if api_key is None:
        raise TokenRequestError(
            "no_api_key", "This organization has no active API key to sign room grants; create one first.", 409
        )
    return api_key


def token_issue_for_room_config(*, room_config: RoomConfig, identity: str, ttl_seconds: int = 3600) -> str:
    """A join grant for the room named by the config's slug that dispatches the config's agents."""
    agents = [{"agentName": agent.slug} for agent in room_config_agents(room_config)]
    return token_issue(
        api_key=organization_signing_key(room_config.organization),
        identity=identity,
        room=room_config.slug,
        room_config={"agents": agents} if agents else None,
        ttl_seconds=ttl_seconds,
    )


def _generated(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def _issue_for_request(*, api_key: Signer, request: TokenRequest, identity: str) -> tuple[str, str]:
    room = request.room_name or _generated("room")
    token = token_issue(
        api_key=api_key,
        identity=identity,
        room=room,
        name=request.participant_name,
        metadata=request.participant_metadata,
        attributes=request.participant_attributes,
        room_config=request.room_config,
    )
    return token, room


def token_request_issue_for_api_key(*, api_key: Signer, request: TokenRequest) -> str:
    """Server-to-server callers hold the secret already, so they may set every field."""
    identity = request.participant_identity or _generated("participant")
    return _issue_for_request(api_key=api_key, request=request, identity=identity)[0]


def client_settable_fields(organization: Organization, room_name: str) -> frozenset[str]:
    """What the room's config lets browsers set; rooms without a config use the default policy."""
    config = room_config_for_room(organization, room_name) if room_name else None
    # An empty list is a policy too (nothing settable); only a room without a config gets the default.
    fields = DEFAULT_CLIENT_SETTABLE if config is None else config.client_settable_fields
    return frozenset(fields) & CLIENT_SETTABLE


def token_request_issue_for_member(*, actor: Actor, request: TokenRequest) -> str:
    """A signed-in member joins as themself, setting only what the room's policy allows."""
    assert actor.user is not None
    username = str(actor.user.get_username())
    allowed = client_settable_fields(actor.organization, request.room_name)
    token_request_check_policy(request, allowed=allowed, username=username)
    api_key = organization_signing_key(actor.organization)
    return _issue_for_request(api_key=api_key, request=request, identity=username)[0]
