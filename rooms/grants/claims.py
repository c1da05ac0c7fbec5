"""LiveKit claim layout: the ``video`` grant and the camelCase ``roomConfig`` (Django-free)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

PUBLISH_SOURCES = ("camera", "microphone", "screen_share", "screen_share_audio")

# Python attribute -> LiveKit JSON key, in LiveKit's declaration order.
VIDEO_KEYS = {
    "room_create": "roomCreate",
    "room_list": "roomList",
    "room_record": "roomRecord",
    "room_admin": "roomAdmin",
    "room_join": "roomJoin",
    "room": "room",
    "can_publish": "canPublish",
    "can_subscribe": "canSubscribe",
    "can_publish_data": "canPublishData",
    "can_publish_sources": "canPublishSources",
    "can_update_own_metadata": "canUpdateOwnMetadata",
    "ingress_admin": "ingressAdmin",
    "hidden": "hidden",
    "recorder": "recorder",
    "agent": "agent",
    "can_subscribe_metrics": "canSubscribeMetrics",
    "can_manage_agent_session": "canManageAgentSession",
    "destination_room": "destinationRoom",
}


class ClaimError(ValueError):
    """A value that cannot go into a token; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class VideoGrant:
    """LiveKit's VideoGrant. ``None`` means "absent": the reader applies LiveKit's default."""

    room_create: bool | None = None
    room_list: bool | None = None
    room_record: bool | None = None
    room_admin: bool | None = None
    room_join: bool | None = None
    room: str = ""
    can_publish: bool | None = None
    can_subscribe: bool | None = None
    can_publish_data: bool | None = None
    can_publish_sources: tuple[str, ...] | None = None
    can_update_own_metadata: bool | None = None
    ingress_admin: bool | None = None
    hidden: bool | None = None
    recorder: bool | None = None
    agent: bool | None = None
    can_subscribe_metrics: bool | None = None
    can_manage_agent_session: bool | None = None
    destination_room: str = ""

    def __post_init__(self) -> None:
        for source in self.can_publish_sources or ():
            if source not in PUBLISH_SOURCES:
                raise ClaimError("can_publish_sources", f"Unknown publish source {source!r}.")

    def to_claim(self) -> dict[str, Any]:
        """Only what was set is written, so absent keys keep LiveKit's defaults for every reader."""
        claim: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            claim[VIDEO_KEYS[f.name]] = list(value) if isinstance(value, tuple) else value
        return claim


_SNAKE = re.compile(r"_([a-z0-9])")
# Map-typed RoomConfiguration fields: their keys are user data and must not be re-cased.
_MAP_FIELDS = frozenset({"attributes", "tags"})


def _camel(key: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def _camelize(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            _camel(k): (dict(v) if _camel(k) in _MAP_FIELDS and isinstance(v, dict) else _camelize(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camelize(v) for v in value]
    return value


def room_config_claim(room_config: dict[str, Any] | None) -> dict[str, Any]:
    """RoomConfiguration as proto3 JSON in camelCase, from snake_case or camelCase input."""
    if room_config is None:
        return {}
    if not isinstance(room_config, dict):
        raise ClaimError("room_config", "room_config must be a JSON object.")
    config: dict[str, Any] = _camelize(room_config)
    agents = config.get("agents", [])
    if not isinstance(agents, list) or not all(isinstance(a, dict) for a in agents):
        raise ClaimError("room_config", "room_config.agents must be a list of objects.")
    for agent in agents:
        if not isinstance(agent.get("agentName", ""), str) or not isinstance(agent.get("metadata", ""), str):
            raise ClaimError("room_config", "room_config.agents[].agentName and metadata must be strings.")
        check_attributes(agent.get("attributes") or {}, field="room_config")
    return config


def check_attributes(attributes: Any, *, field: str = "participant_attributes") -> dict[str, str]:
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise ClaimError(field, "Attributes must be an object of string to string.")
    return attributes
