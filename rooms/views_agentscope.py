"""The HTTP endpoints AgentScope's example pages call on load, answered for the caller's organization."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from api.actors import SESSION_ORGANIZATION_KEY
from rooms.services.dispatch import page_organization_id, provider_availability


@require_GET
def model_availability(request: HttpRequest) -> JsonResponse:
    """``{"dashscope": bool, "gemini": bool, "openai": bool}`` (``/api/check-models`` and
    ``/model_availability``, the single- and multi-agent pages' names for the same question)."""
    org_id = page_organization_id(request.user, request.session.get(SESSION_ORGANIZATION_KEY))
    if org_id is None:
        return JsonResponse({"error": {"code": "not_authenticated",
                                       "message": "Sign in, or enable ALLOW_ANONYMOUS_SESSIONS for development."}},
                            status=401)
    return JsonResponse(provider_availability(organization_id=org_id))
