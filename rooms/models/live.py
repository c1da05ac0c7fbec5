"""Live rooms, their participants and the conversations (sessions) held in them.

A room lives in one realtime process (``host``), which heartbeats it; Celery beat ends rooms whose
host stopped heartbeating. A session is one conversation in a room: it starts with the room's first
agent and ends with the room (or on ``client_session_end``); transcripts and shutdown hooks hang off it.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q

from tenancy.models import Organization

__all__ = ["EndReason", "Participant", "ParticipantKind", "Room", "RoomStatus", "Session", "new_sid"]


def new_sid(prefix: str) -> str:
    """LiveKit-style ids: RM_ rooms, PA_ participants."""
    return f"{prefix}_{secrets.token_urlsafe(9).replace('-', 'x').replace('_', 'y')}"


class RoomStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class EndReason(models.TextChoices):
    CLIENT_ENDED = "client_ended", "Client ended the session"
    LAST_PARTICIPANT_LEFT = "last_participant_left", "Last person left"
    EMPTY_TIMEOUT = "empty_timeout", "Nobody joined in time"
    DEPARTURE_TIMEOUT = "departure_timeout", "Everyone left"
    ADMIN_ENDED = "admin_ended", "Ended by an admin"
    AGENT_ENDED = "agent_ended", "An agent ended it"
    PROVIDER_GONE = "provider_gone", "The model provider went away"
    PROCESS_SHUTDOWN = "process_shutdown", "The realtime process shut down"
    PROCESS_DIED = "process_died", "The realtime process stopped heartbeating"
    ERROR = "error", "Error"


class Room(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rooms")
    room_config = models.ForeignKey("rooms.RoomConfig", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="rooms")
    sid = models.CharField(max_length=32, unique=True, default="")
    name = models.CharField(max_length=256)
    metadata = models.TextField(blank=True)
    floor_policy = models.CharField(max_length=16, default="free")
    max_participants = models.PositiveIntegerField(default=0)
    empty_timeout = models.PositiveIntegerField(default=300)
    departure_timeout = models.PositiveIntegerField(default=20)
    record_transcripts = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=RoomStatus.choices, default=RoomStatus.ACTIVE)
    host = models.CharField(max_length=200, blank=True, help_text="the realtime process hosting the room")
    heartbeat = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One live room per name and organization; ended rooms keep their history.
            models.UniqueConstraint(fields=["organization", "name"], condition=Q(status="active"),
                                    name="room_one_active_per_name"),
        ]
        indexes = [models.Index(fields=["status", "heartbeat"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.sid})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.sid:
            self.sid = new_sid("RM")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ParticipantKind(models.TextChoices):
    STANDARD = "standard", "Person"
    AGENT = "agent", "Agent"


class Participant(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    sid = models.CharField(max_length=32, unique=True, default="")
    identity = models.CharField(max_length=256)
    name = models.CharField(max_length=256, blank=True)
    kind = models.CharField(max_length=16, choices=ParticipantKind.choices, default=ParticipantKind.STANDARD)
    agent_slug = models.CharField(max_length=100, blank=True)
    metadata = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    hidden = models.BooleanField(default=False)
    joined = models.DateTimeField(auto_now_add=True)
    left = models.DateTimeField(null=True, blank=True)
    disconnect_reason = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["joined"]

    def __str__(self) -> str:
        return f"{self.identity} in {self.room_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.sid:
            self.sid = new_sid("PA")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="sessions")
    started = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)
    agents = models.JSONField(default=list, blank=True, help_text="slugs and names of the agents that took part")
    metrics = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def duration_seconds(self) -> float | None:
        if self.ended is None:
            return None
        return (self.ended - self.started).total_seconds()
