from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.actors import request_actor


class IsOrganizationActor(BasePermission):
    """Authenticated as an API key or as a member; writes need a write role."""

    message = "Authentication as an organization API key or member is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.auth is None and not request.user.is_authenticated:
            return False
        try:
            actor = request_actor(request)
        except Http404:
            self.message = "You are not a member of any organization."
            return False
        if request.method not in SAFE_METHODS and not actor.can_write:
            self.message = "Your role in this organization is read-only."
            return False
        return True
