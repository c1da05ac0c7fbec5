"""Reads of live rooms, scoped to an actor's organization."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from rooms.models import Room, RoomStatus
from tenancy.access import Actor, get_scoped, scoped


def live_rooms_for_actor(actor: Actor) -> QuerySet[Room]:
    return scoped(Room.objects.filter(status=RoomStatus.ACTIVE), actor).annotate(
        people=Count("participants", filter=Q(participants__left__isnull=True, participants__kind="standard")),
        agents_count=Count("participants", filter=Q(participants__left__isnull=True, participants__kind="agent")),
    ).order_by("-created")


def get_room_for_actor(actor: Actor, sid: str) -> Room:
    return get_scoped(Room.objects.all(), actor, sid=sid)
