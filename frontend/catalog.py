"""What the web app's pages list, read through the agents, rooms and records apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from agents.models import Agent
from agents.selectors import agents_for_actor
from rooms.models import Participant, Room, RoomConfig, RoomStatus, Session
from rooms.records.models import HookDelivery, TranscriptEntry
from rooms.records.queries import sessions_for_actor, transcript_for_session
from rooms.selectors import room_configs_for_actor
from tenancy.access import Actor, memberships_for_user, scoped
from tenancy.models import Membership

RECENT_SESSIONS = 5
SESSIONS_PER_PAGE = 50


def organization_memberships(actor: Actor) -> list[Membership]:
    """Every organization the member can switch to (the switcher shows when there are several)."""
    if actor.user is None:
        return []
    return list(memberships_for_user(actor.user))


def agent_options(actor: Actor) -> QuerySet[Agent]:
    """Agents the member may talk to, the organization's default first."""
    return agents_for_actor(actor).order_by("-is_default", "name")


def room_config_options(actor: Actor) -> QuerySet[RoomConfig]:
    return room_configs_for_actor(actor).order_by("name")


@dataclass(frozen=True)
class LiveRoom:
    room: Room
    people: list[str]
    agents: list[str]
    seconds: int


def live_rooms(actor: Actor, *, now: datetime | None = None) -> list[LiveRoom]:
    """Active rooms of the actor's organization with who is in them now and how long they have run."""
    now = now or timezone.now()
    present = Prefetch("participants", queryset=Participant.objects.filter(left__isnull=True).order_by("joined"),
                       to_attr="present")
    rooms = scoped(Room.objects.filter(status=RoomStatus.ACTIVE), actor).prefetch_related(present).order_by("-created")
    return [
        LiveRoom(
            room=room,
            people=[p.name or p.identity for p in room.present if p.kind != "agent"],
            agents=[p.name or p.agent_slug or p.identity for p in room.present if p.kind == "agent"],
            seconds=max(int((now - room.created).total_seconds()), 0),
        )
        for room in rooms
    ]


def recent_sessions(actor: Actor) -> list[Session]:
    return list(sessions_for_actor(actor)[:RECENT_SESSIONS])


def session_list(actor: Actor, *, room: str = "", agent: str = "", since: datetime | None = None,
                 ended_only: bool = False) -> QuerySet[Session]:
    """The sessions page: the records selector's filters, with each session's entry count."""
    qs = sessions_for_actor(actor, room=room, agent=agent, since=since)
    if ended_only:
        qs = qs.filter(ended__isnull=False)
    return qs.annotate(entry_count=Count("transcript_entries", filter=~Q(transcript_entries__role="system")))


def agent_label(agent: Any) -> str:
    """``Session.agents`` holds slugs or ``{"slug", "name"}`` objects."""
    if isinstance(agent, dict):
        return str(agent.get("name") or agent.get("slug") or agent.get("agent_id") or "agent")
    return str(agent)


@dataclass(frozen=True)
class AgentLatency:
    agent: str
    responses: int
    first_audio_median_ms: float | None
    response_median_ms: float | None


def latency_rows(metrics: dict[str, Any]) -> list[AgentLatency]:
    """``Session.metrics`` is ``{agent_id: {first_audio_ms: [...], response_ms: [...], ...}}``."""
    rows = []
    for agent, snapshot in sorted((metrics or {}).items()):
        if not isinstance(snapshot, dict):
            continue
        first = [float(v) for v in snapshot.get("first_audio_ms") or []]
        full = [float(v) for v in snapshot.get("response_ms") or []]
        rows.append(AgentLatency(
            agent=agent,
            responses=int(snapshot.get("provider_round_trips") or len(full)),
            first_audio_median_ms=round(median(first), 1) if first else None,
            response_median_ms=round(median(full), 1) if full else None,
        ))
    return rows


def session_transcript(session: Session) -> list[TranscriptEntry]:
    return list(transcript_for_session(session))


def session_hook_deliveries(session: Session) -> list[HookDelivery]:
    return list(HookDelivery.objects.filter(session=session).order_by("position", "id"))
