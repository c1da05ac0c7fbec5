"""The WebSocket stack, in one place so tests drive exactly what daphne serves."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter

from rooms.routing import websocket_urlpatterns


def websocket_application() -> object:
    return AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
