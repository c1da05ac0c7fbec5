"""What both paths of ``POST /api/token`` share: the body rules, the error shape, rate-limit buckets
and the ``server_url`` a client connects to."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from rooms.grants.token_request import TokenRequest, TokenRequestError, token_request_parse

ENDPOINT_PATH = "/api/token"
MAX_BODY_BYTES = 64 * 1024
# Django's own fallback when ALLOWED_HOSTS is empty and DEBUG is on.
_DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def rate_limit_message(wait: int) -> str:
    return f"Too many token requests; retry in {wait} s."


def ip_bucket(address: str) -> str:
    return "token:ip:" + address


def key_bucket(key_id: str) -> str:
    return "token:key:" + key_id


def too_large() -> TokenRequestError:
    return TokenRequestError("too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.", 413)


def body_parse(raw: bytes) -> TokenRequest:
    if len(raw) > MAX_BODY_BYTES:
        raise too_large()
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, ValueError):
        raise TokenRequestError("parse_error", "The request body is not valid JSON.") from None
    return token_request_parse(body)


def host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or (_DEBUG_HOSTS if settings.DEBUG else [])
    return bool(domain) and validate_host(domain, allowed)


def server_url(host: str, secure: bool) -> str:
    """``PUBLIC_WS_URL`` if set, else the room endpoint on the host the caller reached (validated
    against ``ALLOWED_HOSTS`` by the caller)."""
    base = settings.PUBLIC_WS_URL.rstrip("/") if settings.PUBLIC_WS_URL else ""
    if not base:
        base = ("wss://" if secure else "ws://") + host
    return base + "/ws/room"
