"""The one decorator every member page goes through: sign-in, organization and layout context."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontend.access import web_actor
from frontend.catalog import organization_memberships
from tenancy.access import Actor

MemberView = Callable[..., HttpResponse]


def member_page(view: Callable[..., HttpResponse]) -> MemberView:
    """Require a signed-in member of some organization and pass the view its ``actor``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = web_actor(user=request.user, session=request.session)
        if actor is None:
            return render(request, "frontend/no_organization.html", status=403)
        return view(request, actor, *args, **kwargs)

    return wrapper


def render_page(request: HttpRequest, actor: Actor, template: str, context: dict[str, Any] | None = None,
                *, status: int = 200) -> HttpResponse:
    """Render with the layout's context: current organization, role and the switcher's choices."""
    page = {
        "actor": actor,
        "organization": actor.organization,
        "memberships": organization_memberships(actor),
        **(context or {}),
    }
    return render(request, template, page, status=status)
