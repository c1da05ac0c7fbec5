"""Member pages: the dashboard and the three voice pages (their scripts do the talking)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from frontend.catalog import agent_options, live_rooms, recent_sessions, room_config_options
from frontend.views.base import member_page, render_page
from tenancy.access import Actor


@member_page
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_page(request, actor, "frontend/dashboard.html", {
        "agents": agent_options(actor),
        "room_configs": room_config_options(actor),
        "live_rooms": live_rooms(actor),
        "recent_sessions": recent_sessions(actor),
    })


@member_page
def playground(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_page(request, actor, "frontend/playground.html", {"agents": agent_options(actor)})


@member_page
def multiagent(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_page(request, actor, "frontend/multiagent.html", {
        "agents": agent_options(actor),
        "room_configs": room_config_options(actor),
        "providers": ["local", "openai", "dashscope", "gemini"],
        "default_provider": "local" if settings.DEBUG else "openai",
    })


@member_page
def room(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_page(request, actor, "frontend/room.html", {"agents": agent_options(actor)})
