"""ASGI middleware that verifies a room grant (``access_token`` query parameter or ``Authorization:
Bearer``) and puts the result in ``scope["grant"]`` or the rejection reason in ``scope["grant_error"]``.
Consumers decide what a missing grant means for their endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator

from rooms.grants.verifier import TokenRejected, verify_access_token


def _token_from(scope: dict[str, Any]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("access_token"):
        return query["access_token"][0]
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].decode("latin-1").strip()
    return None


class RoomGrantMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        scope = dict(scope)
        scope["grant"] = None
        scope["grant_error"] = None
        token = _token_from(scope)
        if token:
            try:
                scope["grant"] = await database_sync_to_async(verify_access_token)(token)
            except TokenRejected as exc:
                scope["grant_error"] = exc.reason
        return await super().__call__(scope, receive, send)


class OriginCheckUnlessGranted:
    """Refuse a cross-site socket only where cookies would authenticate it.

    A browser sends the session cookie with any socket to this host, whatever page opened it, so a
    socket without a grant must come from one of ``ALLOWED_HOSTS`` (Channels' check: otherwise 403).
    A socket that carries a grant is authenticated by the grant alone, as LiveKit's are: consumers
    then ignore the session, and the customer's web app on its own domain, or a server or mobile
    client that sends no Origin at all, must be able to connect with the token it was given.
    """

    def __init__(self, app: Any):
        self.app = app
        self.checked = AllowedHostsOriginValidator(app)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if _token_from(scope):
            return await self.app(scope, receive, send)
        return await self.checked(scope, receive, send)
