"""What a ``video`` grant allows, with LiveKit's rules for absent keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rooms.grants.claims import PUBLISH_SOURCES


def _flag(video: dict[str, Any], key: str, default: bool) -> bool:
    value = video.get(key)
    return value if isinstance(value, bool) else default


def _text(video: dict[str, Any], key: str) -> str:
    value = video.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Grants:
    room: str = ""
    room_join: bool = False
    room_admin: bool = False
    room_create: bool = False
    room_list: bool = False
    room_record: bool = False
    hidden: bool = False
    recorder: bool = False
    agent: bool = False
    ingress_admin: bool = False
    destination_room: str = ""
    can_subscribe: bool = True
    # Effective value: absent means "same as canPublish".
    can_publish_data: bool = True
    can_update_own_metadata: bool = False
    can_subscribe_metrics: bool = False
    can_manage_agent_session: bool = False
    # The explicit canPublish (absent = allowed) and the sources list (empty = every source).
    can_publish_any: bool = True
    can_publish_sources: tuple[str, ...] = ()

    @classmethod
    def from_claim(cls, video: Any) -> Grants:
        video = video if isinstance(video, dict) else {}
        can_publish = _flag(video, "canPublish", True)
        sources = video.get("canPublishSources")
        return cls(
            room=_text(video, "room"),
            room_join=_flag(video, "roomJoin", False),
            room_admin=_flag(video, "roomAdmin", False),
            room_create=_flag(video, "roomCreate", False),
            room_list=_flag(video, "roomList", False),
            room_record=_flag(video, "roomRecord", False),
            hidden=_flag(video, "hidden", False),
            recorder=_flag(video, "recorder", False),
            agent=_flag(video, "agent", False),
            ingress_admin=_flag(video, "ingressAdmin", False),
            destination_room=_text(video, "destinationRoom"),
            can_subscribe=_flag(video, "canSubscribe", True),
            can_publish_data=_flag(video, "canPublishData", can_publish),
            can_update_own_metadata=_flag(video, "canUpdateOwnMetadata", False),
            can_subscribe_metrics=_flag(video, "canSubscribeMetrics", False),
            can_manage_agent_session=_flag(video, "canManageAgentSession", False),
            can_publish_any=can_publish,
            # Unknown source names are ignored, as LiveKit's enum parsing drops them.
            can_publish_sources=tuple(s for s in sources or () if s in PUBLISH_SOURCES)
            if isinstance(sources, list)
            else (),
        )

    def can_publish(self, source: str | None = None) -> bool:
        """``canPublish:false`` blocks everything; a non-empty sources list allows only those."""
        if not self.can_publish_any:
            return False
        if source is None:
            return True
        if source not in PUBLISH_SOURCES:
            return False
        return not self.can_publish_sources or source in self.can_publish_sources

    def may_join(self, room: str) -> bool:
        """A join needs ``roomJoin``; a grant naming a room is valid for that room only."""
        return self.room_join and (not self.room or self.room == room)
