"""Resolve the tenant actor of a DRF request: an API key, or a signed-in member."""

from __future__ import annotations

from django.http import Http404
from rest_framework.request import Request

from tenancy.access import Actor, actor_for_api_key, actor_for_user
from tenancy.models import ApiKey

# Members of several organizations pick one with this header, or the web app's switcher
# (stored in the session under SESSION_ORGANIZATION_KEY).
ORGANIZATION_HEADER = "HTTP_X_ORGANIZATION"
SESSION_ORGANIZATION_KEY = "organization"


def request_actor(request: Request) -> Actor:
    cached = getattr(request, "_actor", None)
    if cached is not None:
        return cached
    if isinstance(request.auth, ApiKey):
        actor = actor_for_api_key(request.auth)
    else:
        slug = request.META.get(ORGANIZATION_HEADER) or request.session.get(SESSION_ORGANIZATION_KEY)
        try:
            actor = actor_for_user(request.user, slug)
        except Http404:
            actor = actor_for_user(request.user) if slug else None  # type: ignore[assignment]
            if actor is None:
                raise
    request._actor = actor  # type: ignore[attr-defined]
    return actor
