"""``POST /api/token`` for signed-in members (browser session + CSRF token).

API-key callers (HTTP Basic) are answered before Django by ``token_asgi``, which shares the body
rules, errors and ``server_url`` with this view through ``token_http``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from api.actors import request_actor
from rooms.apis.token_http import body_parse, error_body, ip_bucket, rate_limit_message, server_url
from rooms.grants.services import token_request_issue_for_member
from rooms.grants.token_request import TokenRequestError
from rooms.ratelimit import rate_limit_hit


def _error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def _rate_limited(bucket: str) -> JsonResponse | None:
    wait = rate_limit_hit(bucket, limit=settings.TOKEN_RATE_LIMIT_PER_MINUTE)
    if wait is None:
        return None
    response = _error(429, "rate_limited", rate_limit_message(wait))
    response["Retry-After"] = str(wait)
    return response


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    # A browser session is ambient authority, so it needs the CSRF token as any session POST does.
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda r: HttpResponse(), (), {})


@csrf_exempt
def token_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.")
    limited = _rate_limited(ip_bucket(request.META.get("REMOTE_ADDR", "")))
    if limited:
        return limited
    if not request.user.is_authenticated:
        return _error(401, "not_authenticated", "Send HTTP Basic api_key:api_secret, or sign in.")
    if _csrf_refusal(request) is not None:
        return _error(403, "csrf_failed", "CSRF token missing or incorrect.")
    limited = _rate_limited(f"token:user:{request.user.pk}")
    if limited:
        return limited
    try:
        token_request = body_parse(request.body)
        # request_actor reads DRF's ``auth``; a session caller has none.
        request.auth = None  # type: ignore[attr-defined]
        try:
            actor = request_actor(request)  # type: ignore[arg-type]
        except Http404:
            return _error(403, "no_organization", "You are not a member of any organization.")
        token = token_request_issue_for_member(actor=actor, request=token_request)
    except TokenRequestError as exc:
        return _error(exc.status, exc.code, exc.message, exc.fields)
    return JsonResponse({"server_url": server_url(request.get_host(), request.is_secure()),
                         "participant_token": token}, status=201)
