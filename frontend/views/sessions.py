"""The sessions list (with filters) and one session's page: transcript, tools, hooks, metrics."""

from __future__ import annotations

from datetime import datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date

from frontend.catalog import (
    SESSIONS_PER_PAGE,
    agent_label,
    latency_rows,
    session_hook_deliveries,
    session_list,
    session_transcript,
)
from frontend.views.base import member_page, render_page
from rooms.records.queries import get_session_for_actor, transcript_summary
from tenancy.access import Actor


def _since(value: str) -> tuple[datetime | None, str]:
    if not value:
        return None, ""
    day = parse_date(value) if len(value) == 10 else None
    if day is None:
        return None, "Use a date like 2025-01-31."
    return timezone.make_aware(datetime.combine(day, time.min)), ""


@member_page
def sessions(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip()[:256] for key in ("room", "agent", "since")}
    since, since_error = _since(filters["since"])
    ended_only = request.GET.get("ended") == "1"
    qs = session_list(actor, room=filters["room"], agent=filters["agent"], since=since, ended_only=ended_only)
    page = Paginator(qs, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, actor, "frontend/sessions.html", {
        "page": page,
        "filters": filters,
        "ended_only": ended_only,
        "since_error": since_error,
        "filtered": any(filters.values()) or ended_only,
    }, status=400 if since_error else 200)


@member_page
def session_detail(request: HttpRequest, actor: Actor, public_id: str) -> HttpResponse:
    session = get_session_for_actor(actor, public_id)  # a foreign session is the same 404 as a missing one
    entries = session_transcript(session)
    summary = transcript_summary([
        {"role": e.role, "text": e.text,
         "started_at": e.started_at.isoformat() if e.started_at else None,
         "ended_at": e.ended_at.isoformat() if e.ended_at else None}
        for e in entries
    ])
    return render_page(request, actor, "frontend/session.html", {
        "session": session,
        "agents": [agent_label(a) for a in session.agents or []],
        "entries": entries,
        "summary": summary,
        "latency": latency_rows(session.metrics),
        "deliveries": session_hook_deliveries(session),
    })
