"""Reads: sessions and transcripts for an actor, webhook targets, the end-of-session report."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from rooms.models import Room, Session
from rooms.records.models import ShutdownHook, TranscriptEntry
from tenancy.access import Actor, get_scoped, scoped


def webhook_urls_for_room(room: Room) -> list[str]:
    """The room config's webhook URLs; rooms without a config (or before configs exist) have none."""
    config = getattr(room, "room_config", None)
    return [str(u) for u in (getattr(config, "webhook_urls", None) or [])]


def get_session_for_actor(actor: Actor, public_id: Any) -> Session:
    return get_scoped(Session.objects.select_related("room"), actor, public_id=public_id)


def sessions_for_actor(actor: Actor, *, room: str = "", agent: str = "",
                       since: datetime | None = None) -> QuerySet[Session]:
    qs = scoped(Session.objects.select_related("room"), actor)
    if room:
        qs = qs.filter(Q(room__sid=room) | Q(room__name=room))
    if agent:
        if connection.vendor == "postgresql":
            qs = qs.filter(Q(agents__contains=[agent]) | Q(agents__contains=[{"slug": agent}]))
        else:
            qs = qs.filter(agents__icontains=f'"{agent}"')
    if since is not None:
        qs = qs.filter(started__gte=since)
    return qs.order_by("-started", "-id")


def transcript_for_session(session: Session) -> QuerySet[TranscriptEntry]:
    return TranscriptEntry.objects.filter(session=session).order_by("position", "seq", "id")


def transcript_entry_data(entry: TranscriptEntry) -> dict[str, Any]:
    return {
        "item_id": entry.item_id,
        "seq": entry.seq,
        "role": entry.role,
        "speaker": entry.speaker,
        "agent": entry.agent,
        "text": entry.text,
        "started_at": entry.started_at.isoformat() if entry.started_at else None,
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
        "tool": entry.tool,
    }


def transcript_text(session: Session) -> str:
    lines = []
    for entry in transcript_for_session(session):
        when = entry.started_at.strftime("%H:%M:%S") if entry.started_at else "--:--:--"
        who = entry.speaker or entry.agent or entry.role
        text = entry.text
        if entry.tool:
            text = f"{entry.tool.get('name', 'tool')}({entry.tool.get('arguments', '')}) -> {entry.tool.get('output', '')}"
        lines.append(f"[{when}] {who} ({entry.role}): {text}")
    return "\n".join(lines) + ("\n" if lines else "")


def transcript_summary(transcript: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and spoken durations per role, from report-shaped entries."""
    counts: Counter[str] = Counter()
    seconds: defaultdict[str, float] = defaultdict(float)
    words = 0
    for entry in transcript:
        counts[entry["role"]] += 1
        words += len((entry.get("text") or "").split())
        if entry.get("started_at") and entry.get("ended_at"):
            span = datetime.fromisoformat(entry["ended_at"]) - datetime.fromisoformat(entry["started_at"])
            seconds[entry["role"]] += max(span.total_seconds(), 0.0)
    return {
        "entries": sum(counts.values()),
        "by_role": dict(sorted(counts.items())),
        "words": words,
        "tool_calls": counts.get("tool", 0),
        "spoken_seconds": {role: round(value, 3) for role, value in sorted(seconds.items())},
    }


def session_report(session: Session) -> dict[str, Any]:
    """The end-of-session report sent to webhook hooks and stored by ``store_report``."""
    room = session.room
    participants = [
        {"sid": p.sid, "identity": p.identity, "name": p.name, "kind": p.kind, "agent": p.agent_slug,
         "joined": p.joined.isoformat(), "left": p.left.isoformat() if p.left else None}
        for p in room.participants.all().order_by("joined", "id")
    ]
    metrics = session.metrics or {}
    return {
        "event": "session_ended",
        "session": {
            "id": str(session.public_id),
            "started": session.started.isoformat(),
            "ended": session.ended.isoformat() if session.ended else None,
            "duration_seconds": session.duration_seconds,
            "end_reason": session.end_reason,
            "agents": session.agents,
        },
        "room": {"sid": room.sid, "name": room.name, "metadata": room.metadata},
        "participants": participants,
        "transcript": [transcript_entry_data(e) for e in transcript_for_session(session)],
        "usage": metrics.get("usage", {}),
        "latency": metrics.get("latency", {}),
        "metrics": metrics,
    }


def shutdown_hooks_for_session(session: Session) -> list[ShutdownHook]:
    """The agents' hooks (in the order the agents joined), then the room config's, each in hook order."""
    slugs = [a.get("slug", "") if isinstance(a, dict) else str(a) for a in (session.agents or [])]
    hooks = ShutdownHook.objects.filter(organization_id=session.organization_id, enabled=True)
    ordered: list[ShutdownHook] = []
    by_agent = list(hooks.filter(agent__slug__in=slugs).select_related("agent"))
    for slug in slugs:
        ordered += [h for h in by_agent if h.agent and h.agent.slug == slug]
    # Room.room_config is added by the rooms layer; rooms without it have no config hooks.
    config_id = getattr(session.room, "room_config_id", None)
    if config_id is not None:
        ordered += list(hooks.filter(room_config_id=config_id))
    return ordered
