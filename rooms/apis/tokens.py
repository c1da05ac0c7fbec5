"""LiveKit's standard token endpoint: ``POST /api/token`` → ``201 {server_url, participant_token}``.

A plain Django view rather than DRF: it runs on every join, so it does only what it needs.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions

from api.actors import request_actor
from api.authentication import ApiKeyBasicAuthentication
from rooms.grants.services import token_request_issue_for_api_key, token_request_issue_for_member
from rooms.grants.token_request import TokenRequestError, token_request_parse
from rooms.ratelimit import rate_limit_hit
from tenancy.models import ApiKey

MAX_BODY_BYTES = 64 * 1024


def _error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return JsonResponse({"error": error}, status=status)


def _rate_limited(bucket: str) -> JsonResponse | None:
    wait = rate_limit_hit(bucket=bucket, limit=settings.TOKEN_RATE_LIMIT_PER_MINUTE)
    if wait is None:
        return None
    response = _error(429, "rate_limited", f"Too many token requests; retry in {wait} s.")
    response["Retry-After"] = str(wait)
    return response


def server_url(request: HttpRequest) -> str:
    base = settings.PUBLIC_WS_URL.rstrip("/") if settings.PUBLIC_WS_URL else ""
    if not base:
        base = ("wss://" if request.is_secure() else "ws://") + request.get_host()
    return base + "/ws/room"


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    # A browser session is ambient authority, so it needs the CSRF token as any session POST does.
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {})


@csrf_exempt
def token_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.")
    limited = _rate_limited("token:ip:" + request.META.get("REMOTE_ADDR", ""))
    if limited:
        return limited
    try:
        api_key: ApiKey | None = None
        authenticated = ApiKeyBasicAuthentication().authenticate(request)  # type: ignore[arg-type]
        if authenticated is not None:
            api_key = authenticated[1]
    except exceptions.AuthenticationFailed as exc:
        response = _error(401, "authentication_failed", str(exc.detail))
        response["WWW-Authenticate"] = 'Basic realm="api"'
        return response
    if api_key is None:
        if not request.user.is_authenticated:
            return _error(401, "not_authenticated", "Send HTTP Basic api_key:api_secret, or sign in.")
        if _csrf_refusal(request) is not None:
            return _error(403, "csrf_failed", "CSRF token missing or incorrect.")
    limited = _rate_limited(f"token:key:{api_key.key_id}" if api_key else f"token:user:{request.user.pk}")
    if limited:
        return limited
    if len(request.body) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, ValueError):
        return _error(400, "parse_error", "The request body is not valid JSON.")
    try:
        token_request = token_request_parse(body)
        if api_key is not None:
            token = token_request_issue_for_api_key(api_key=api_key, request=token_request)
        else:
            # request_actor reads DRF's ``auth``; a session caller has none.
            request.auth = None  # type: ignore[attr-defined]
            try:
                actor = request_actor(request)  # type: ignore[arg-type]
            except Http404:
                return _error(403, "no_organization", "You are not a member of any organization.")
            token = token_request_issue_for_member(actor=actor, request=token_request)
    except TokenRequestError as exc:
        return _error(exc.status, exc.code, exc.message, exc.fields)
    return JsonResponse({"server_url": server_url(request), "participant_token": token}, status=201)
