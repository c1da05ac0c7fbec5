"""The WebSocket stack, in one place so tests drive exactly what daphne serves."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter

from rooms.routing import websocket_urlpatterns
from rooms.ws_auth import RoomGrantMiddleware


def websocket_application() -> object:
    # Session auth (web app members) and room grants (access_token) both resolve before routing.
    return AuthMiddlewareStack(RoomGrantMiddleware(URLRouter(websocket_urlpatterns)))
