"""The WebSocket stack, in one place so tests drive exactly what daphne serves."""

from __future__ import annotations

from channels.routing import URLRouter

from rooms.routing import websocket_urlpatterns


def websocket_application() -> object:
    # Each route brings its own authentication (see rooms.routing).
    return URLRouter(websocket_urlpatterns)
