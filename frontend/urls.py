"""The web app at the site root (``/admin/``, ``/api/``, ``/ws/``, ``/healthz`` belong to others)."""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, path, re_path

from frontend.views import assets, auth, pages, sessions

urlpatterns: list[URLPattern] = [
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("organization/switch/", auth.organization_switch, name="organization-switch"),
    path("", pages.dashboard, name="dashboard"),
    path("playground/", pages.playground, name="playground"),
    path("multi-agent/", pages.multiagent, name="multiagent"),
    path("room/", pages.room, name="room"),
    path("sessions/", sessions.sessions, name="sessions"),
    path("sessions/<uuid:public_id>/", sessions.session_detail, name="session"),
]

if settings.STATIC_URL.startswith("/"):  # a CDN or proxy URL serves them itself
    urlpatterns.append(
        re_path(rf"^{settings.STATIC_URL.strip('/')}/(?P<path>.+)$", assets.static_asset, name="static-asset")
    )
