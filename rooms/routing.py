"""WebSocket routes."""

from __future__ import annotations

from django.urls import path, re_path

from rooms.consumers.agentscope import AgentScopeConsumer
from rooms.consumers.room import RoomConsumer

websocket_urlpatterns = [
    path("ws/room", RoomConsumer.as_asgi()),
    re_path(r"^ws/(?P<user_id>[^/]{1,100})/(?P<session_id>[^/]{1,100})/?$", AgentScopeConsumer.as_asgi()),
]
