"""Writes for live rooms, participants and sessions. Synchronous: the realtime side calls them
through ``database_sync_to_async``. Webhooks and shutdown hooks are handed to Celery after commit by
the records app; nothing here waits on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rooms.models import EndReason, Participant, Room, RoomStatus, Session

# A host that has not heartbeated for this long is presumed dead; its rooms may be taken over.
HEARTBEAT_STALE_AFTER = timedelta(seconds=60)


class RoomHostedElsewhere(Exception):
    """The room is live in another realtime process; its connections must go there."""

    def __init__(self, host: str):
        super().__init__(f"room is hosted by {host}")
        self.host = host


@dataclass(frozen=True)
class RoomSettings:
    floor_policy: str = "free"
    max_participants: int = 0
    empty_timeout: int = 300
    departure_timeout: int = 20
    metadata: str = ""
    record_transcripts: bool = True
    room_config_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenedRoom:
    room_id: int
    room_sid: str
    session_id: int
    session_public_id: str


def _records() -> Any:
    from rooms.records import services

    return services


@transaction.atomic
def room_open(*, organization_id: int, name: str, settings: RoomSettings, host: str) -> OpenedRoom:
    """Record a room this process starts hosting, with its first session."""
    now = timezone.now()
    existing = Room.objects.select_for_update().filter(
        organization_id=organization_id, name=name, status=RoomStatus.ACTIVE).first()
    if existing is not None:
        if existing.host != host and existing.heartbeat and now - existing.heartbeat < HEARTBEAT_STALE_AFTER:
            raise RoomHostedElsewhere(existing.host)
        _room_close(existing, EndReason.PROCESS_DIED)
    fields: dict[str, Any] = {
        "organization_id": organization_id, "name": name, "metadata": settings.metadata,
        "floor_policy": settings.floor_policy, "max_participants": settings.max_participants,
        "empty_timeout": settings.empty_timeout, "departure_timeout": settings.departure_timeout,
        "record_transcripts": settings.record_transcripts, "host": host, "heartbeat": now,
    }
    if settings.room_config_id is not None:
        fields["room_config_id"] = settings.room_config_id
    try:
        with transaction.atomic():
            room = Room.objects.create(**fields)
    except IntegrityError:
        raise RoomHostedElsewhere("another process (race)") from None
    session = Session.objects.create(organization_id=organization_id, room=room)
    _records().room_event(room_id=room.pk, event="room_started")
    return OpenedRoom(room.pk, room.sid, session.pk, str(session.public_id))


@transaction.atomic
def participant_join(*, room_id: int, identity: str, name: str = "", kind: str = "standard",
                     metadata: str = "", attributes: dict[str, str] | None = None, hidden: bool = False,
                     agent_slug: str = "") -> tuple[int, str]:
    room = Room.objects.get(pk=room_id)
    participant = Participant.objects.create(
        organization_id=room.organization_id, room=room, identity=identity, name=name, kind=kind,
        metadata=metadata, attributes=attributes or {}, hidden=hidden, agent_slug=agent_slug)
    _records().room_event(room_id=room.pk, event="participant_joined", participant_id=participant.pk)
    return participant.pk, participant.sid


@transaction.atomic
def participant_leave(*, participant_id: int, reason: str) -> None:
    updated = Participant.objects.filter(pk=participant_id, left__isnull=True).update(
        left=timezone.now(), disconnect_reason=reason[:64])
    if updated:
        room_id = Participant.objects.values_list("room_id", flat=True).get(pk=participant_id)
        _records().room_event(room_id=room_id, event="participant_left", participant_id=participant_id)


@transaction.atomic
def participant_update_metadata(*, participant_id: int, metadata: str | None = None,
                                attributes: dict[str, str] | None = None, name: str | None = None) -> None:
    participant = Participant.objects.select_for_update().get(pk=participant_id)
    if metadata is not None:
        participant.metadata = metadata
    if attributes is not None:
        participant.attributes = {**participant.attributes, **attributes}
    if name is not None:
        participant.name = name
    participant.save(update_fields=["metadata", "attributes", "name"])


def room_update_metadata(*, room_id: int, metadata: str) -> None:
    Room.objects.filter(pk=room_id).update(metadata=metadata)


def session_record_agents(*, session_id: int, agents: list[dict[str, str]]) -> None:
    Session.objects.filter(pk=session_id).update(agents=agents)


def session_record_metrics(*, session_id: int, metrics: dict[str, Any]) -> None:
    Session.objects.filter(pk=session_id).update(metrics=metrics)


def _room_close(room: Room, reason: str) -> None:
    now = timezone.now()
    updated = Room.objects.filter(pk=room.pk, status=RoomStatus.ACTIVE).update(
        status=RoomStatus.ENDED, ended=now, end_reason=reason)
    if not updated:
        return  # already closed: closing is idempotent
    for participant_id in Participant.objects.filter(room=room, left__isnull=True).values_list("pk", flat=True):
        participant_leave(participant_id=participant_id, reason="room_ended")
    for session_id in Session.objects.filter(room=room, ended__isnull=True).values_list("pk", flat=True):
        _records().session_end(session_id=session_id, reason=reason)
    _records().room_event(room_id=room.pk, event="room_finished")


@transaction.atomic
def room_close(*, room_id: int, reason: str) -> None:
    room = Room.objects.select_for_update().filter(pk=room_id).first()
    if room is not None:
        _room_close(room, reason)


def rooms_heartbeat(*, room_ids: list[int], host: str) -> int:
    return Room.objects.filter(pk__in=room_ids, host=host, status=RoomStatus.ACTIVE).update(heartbeat=timezone.now())
