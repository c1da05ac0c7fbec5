"""Room commands that start outside the room's process (REST API, admin console, Celery).

One push path: service -> on commit -> channel-layer group of the room -> the room runtime, which
listens on that group in the process hosting the room. Only these low-rate, high-level events cross
the layer; audio never does.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from rooms.groups import room_group
from rooms.models import Room, RoomStatus
from rooms.runtime.room_events import MAX_DATA_PAYLOAD_BYTES


class RoomNotLive(Exception):
    pass


class PayloadTooLarge(Exception):
    pass


def _send(room: Room, command: dict[str, Any]) -> None:
    if room.status != RoomStatus.ACTIVE:
        raise RoomNotLive(room.sid)
    group = room_group(room.organization_id, room.pk)

    def push() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "room.command", "command": command})

    transaction.on_commit(push)


def room_end(*, room: Room, reason: str = "admin_ended") -> None:
    _send(room, {"type": "end", "reason": reason})


def room_send_data(*, room: Room, payload: str, topic: str = "", destination_identities: list[str] | None = None,
                   sender: str = "") -> None:
    if len(payload.encode()) > MAX_DATA_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"Data payloads are limited to {MAX_DATA_PAYLOAD_BYTES} bytes.")
    _send(room, {"type": "data", "payload": payload, "topic": topic,
                 "destination_identities": destination_identities or [], "sender": sender, "reliable": True})


def room_set_metadata(*, room: Room, metadata: str) -> None:
    _send(room, {"type": "metadata", "metadata": metadata})


def room_remove_participant(*, room: Room, identity: str) -> None:
    _send(room, {"type": "remove", "identity": identity})
