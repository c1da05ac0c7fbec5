"""The HTTP endpoints AgentScope's example pages call on load, answered for the caller's organization."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from rooms.services.dispatch import provider_availability
from tenancy.access import memberships_for_user
from tenancy.models import Organization


def _organization_id(request: HttpRequest) -> int | None:
    membership = memberships_for_user(request.user).first()
    if membership is not None:
        return int(membership.organization_id)
    if settings.ALLOW_ANONYMOUS_SESSIONS:
        org = Organization.objects.filter(slug=settings.DEV_ORGANIZATION_SLUG).first()
        return int(org.pk) if org else None
    return None


@require_GET
def model_availability(request: HttpRequest) -> JsonResponse:
    """``{"dashscope": bool, "gemini": bool, "openai": bool}`` (``/api/check-models`` and
    ``/model_availability``, the single- and multi-agent pages' names for the same question)."""
    org_id = _organization_id(request)
    if org_id is None:
        return JsonResponse({"error": {"code": "not_authenticated",
                                       "message": "Sign in, or enable ALLOW_ANONYMOUS_SESSIONS for development."}},
                            status=401)
    return JsonResponse(provider_availability(organization_id=org_id))
