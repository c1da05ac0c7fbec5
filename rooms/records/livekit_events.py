"""LiveKit ``WebhookEvent`` bodies in protojson: lowerCamelCase, zero values omitted, int64 as strings."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from rooms.models import Participant, ParticipantKind, Room

ROOM_EVENTS = ("room_started", "room_finished")
PARTICIPANT_EVENTS = ("participant_joined", "participant_left")
EVENTS = ROOM_EVENTS + PARTICIPANT_EVENTS

_DISCONNECT_REASONS = {
    "client_initiated", "duplicate_identity", "server_shutdown", "participant_removed", "room_deleted",
    "state_mismatch", "join_failure", "signal_close", "room_closed", "connection_timeout", "agent_error",
}


def _drop_zero(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", 0, None, "0", {}, [])}


def room_info(room: Room, *, num_participants: int) -> dict[str, Any]:
    return _drop_zero({
        "sid": room.sid,
        "name": room.name,
        "emptyTimeout": room.empty_timeout,
        "departureTimeout": room.departure_timeout,
        "maxParticipants": room.max_participants,
        "creationTime": str(int(room.created.timestamp())),
        "creationTimeMs": str(int(room.created.timestamp() * 1000)),
        "metadata": room.metadata,
        "numParticipants": num_participants,
    })


def participant_info(participant: Participant) -> dict[str, Any]:
    reason = participant.disconnect_reason.lower()
    return _drop_zero({
        "sid": participant.sid,
        "identity": participant.identity,
        "name": participant.name,
        "state": "DISCONNECTED" if participant.left else "ACTIVE",
        "metadata": participant.metadata,
        "joinedAt": str(int(participant.joined.timestamp())),
        "joinedAtMs": str(int(participant.joined.timestamp() * 1000)),
        "kind": "AGENT" if participant.kind == ParticipantKind.AGENT else "",  # STANDARD is the zero value
        "attributes": {str(k): str(v) for k, v in (participant.attributes or {}).items()},
        "disconnectReason": reason.upper() if reason in _DISCONNECT_REASONS else "",
    })


def webhook_event_body(*, event: str, room: Room, participant: Participant | None,
                       num_participants: int) -> tuple[str, str]:
    """The event id and the exact JSON text that is signed and sent."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}; expected one of {', '.join(EVENTS)}.")
    if event in PARTICIPANT_EVENTS and participant is None:
        raise ValueError(f"{event} needs a participant.")
    event_id = "EV_" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
    payload: dict[str, Any] = {"event": event, "room": room_info(room, num_participants=num_participants)}
    if participant is not None and event in PARTICIPANT_EVENTS:
        payload["participant"] = participant_info(participant)
    payload["id"] = event_id
    payload["createdAt"] = str(int(time.time()))
    return event_id, json.dumps(payload, separators=(",", ":"))
