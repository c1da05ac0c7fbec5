"""``POST /api/token`` for API-key callers, served as a native ASGI app in front of Django.

Server SDKs call the token endpoint once per join, so it is the platform's hottest HTTP path. Under
ASGI, Django runs every request's sync middleware and signal receivers in a thread created for that
request, which capped this endpoint near 700 requests/s on a 2-core machine however little the view
did. API-key (HTTP Basic) callers need none of Django's middleware (no session, no CSRF, no
templates), so they are answered here: the key comes from the signing-key cache, rate limits from
one Redis round trip each, and nothing leaves the event loop unless a key is not cached yet.
Everything else (signed-in members, other methods) goes on to the Django view in ``tokens.py``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

from api.authentication import api_key_record_use, basic_credentials, secret_matches
from rooms.apis.token_http import (
    ENDPOINT_PATH,
    MAX_BODY_BYTES,
    body_parse,
    error_body,
    host_allowed,
    ip_bucket,
    key_bucket,
    rate_limit_message,
    server_url,
    too_large,
)
from rooms.grants.keys import SigningKey, signing_key_aget, signing_key_cached
from rooms.grants.services import token_request_issue_for_api_key
from rooms.grants.token_request import TokenRequestError
from rooms.ratelimit import rate_limit_ahit

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_BAD_CREDENTIALS = "Invalid API key or secret."
_RECORD_EVERY_SECONDS = 60.0
_last_recorded: dict[int, float] = {}


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__(message)
        self.status, self.body, self.headers = status, error_body(code, message, fields), headers or []


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


def _is_api_key_call(scope: Scope) -> bool:
    return (scope["type"] == "http" and scope["path"] == ENDPOINT_PATH and scope["method"] == "POST"
            and _header(scope, b"authorization")[:6].lower() == b"basic ")


def token_endpoint_router(django_app: Callable[..., Awaitable[None]]) -> AsgiApp:
    """Send API-key calls of ``POST /api/token`` to the native endpoint, everything else to Django."""

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        if _is_api_key_call(scope):
            await token_endpoint(scope, receive, send)
        else:
            await django_app(scope, receive, send)

    return route


async def token_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        status, payload, headers = 201, await _issue(scope, receive), []
    except _Refusal as refusal:
        status, payload, headers = refusal.status, refusal.body, refusal.headers
    except TokenRequestError as exc:
        status, payload, headers = exc.status, error_body(exc.code, exc.message, exc.fields), []
    except _ClientGone:
        return
    except Exception:
        logger.exception("token endpoint failed")
        status, payload, headers = 500, error_body("server_error", "The token could not be issued."), []
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),  # a grant is a credential
        (b"x-content-type-options", b"nosniff"),
        *headers,
    ]})
    await send({"type": "http.response.body", "body": body})


class _ClientGone(Exception):
    pass


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # refuse without buffering the rest
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _limit(*buckets: str) -> None:
    wait = await rate_limit_ahit(*buckets, limit=settings.TOKEN_RATE_LIMIT_PER_MINUTE)
    if wait is not None:
        raise _Refusal(429, "rate_limited", rate_limit_message(wait), headers=[(b"retry-after", str(wait).encode())])


def _unauthorized(message: str) -> _Refusal:
    return _Refusal(401, "authentication_failed", message, headers=[(b"www-authenticate", b'Basic realm="api"')])


def _is_secure(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy_header:
        return False
    name, value = proxy_header
    header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
    return _header(scope, header).decode("latin-1") == value


async def _authenticate(scope: Scope) -> SigningKey:
    """The caller's key, every request counted against its address and (once known) its key, in one
    Redis round trip when the key is cached."""
    by_address = ip_bucket((scope.get("client") or ("", 0))[0])
    try:
        credentials = basic_credentials(_header(scope, b"authorization"))
    except AuthenticationFailed as exc:
        await _limit(by_address)
        raise _unauthorized(str(exc.detail)) from None
    assert credentials is not None  # the router only sends Basic calls here
    key_id, secret = credentials
    known, key = signing_key_cached(key_id)
    if not known:  # a lookup costs a query: limit by address before it
        await _limit(by_address)
        key = await signing_key_aget(key_id)
    # Same message whatever was wrong, so keys can't be enumerated.
    if key is None or not key.is_active or not secret_matches(key.secret, secret):
        if known:
            await _limit(by_address)
        raise _unauthorized(_BAD_CREDENTIALS)
    await (_limit(by_address, key_bucket(key.key_id)) if known else _limit(key_bucket(key.key_id)))
    return key


async def _issue(scope: Scope, receive: Receive) -> dict[str, str]:
    host = _header(scope, b"host").decode("latin-1")
    if not host_allowed(host):
        raise _Refusal(400, "disallowed_host", "The Host header is not one this server answers to.")
    key = await _authenticate(scope)
    request = body_parse(await _read_body(receive))
    token = token_request_issue_for_api_key(api_key=key, request=request)
    now = time.monotonic()
    if now - _last_recorded.get(key.pk, -_RECORD_EVERY_SECONDS) >= _RECORD_EVERY_SECONDS:
        _last_recorded[key.pk] = now
        await database_sync_to_async(api_key_record_use)(key.pk)
    return {"server_url": server_url(host, _is_secure(scope)), "participant_token": token}
