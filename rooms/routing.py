"""WebSocket routes, each behind the authentication it uses.

``/ws/room`` is authorised by its grant alone. AgentScope's pages may also come from a signed-in web
app member, so only that route carries Django's session and user: their middleware wraps every
message the socket sends, which a room socket (100 messages a second with audio) need not pay for.
"""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from django.urls import path, re_path

from rooms.consumers.agentscope import AgentScopeConsumer
from rooms.consumers.room import RoomConsumer
from rooms.ws_auth import RoomGrantMiddleware

websocket_urlpatterns = [
    path("ws/room", RoomGrantMiddleware(RoomConsumer.as_asgi())),
    re_path(r"^ws/(?P<user_id>[^/]{1,100})/(?P<session_id>[^/]{1,100})/?$",
            AuthMiddlewareStack(RoomGrantMiddleware(AgentScopeConsumer.as_asgi()))),
]
