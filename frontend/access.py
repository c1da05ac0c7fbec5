"""Which organization a signed-in member is working in, for the web app.

The choice lives in ``request.session["organization"]`` (the same key the REST API reads, see
``api.actors``), so the pages and the ``fetch`` calls they make always act for one organization.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404

from api.actors import SESSION_ORGANIZATION_KEY
from tenancy.access import Actor, actor_for_user
from tenancy.models import Organization


def web_actor(*, user: AbstractBaseUser | AnonymousUser, session: SessionBase) -> Actor | None:
    """The member's actor in the session's organization, else in their first; None without any."""
    slug = session.get(SESSION_ORGANIZATION_KEY)
    if slug:
        try:
            return actor_for_user(user, slug)
        except Http404:
            # Removed from that organization since choosing it: fall back rather than lock them out.
            session.pop(SESSION_ORGANIZATION_KEY, None)
    try:
        return actor_for_user(user)
    except Http404:
        return None


def session_organization_set(
    *, user: AbstractBaseUser | AnonymousUser, session: SessionBase, slug: str
) -> Organization:
    """Switch the session to ``slug``; ``Http404`` when the user is not a member (as for a missing one)."""
    actor = actor_for_user(user, slug) if slug else None
    if actor is None:
        raise Http404("No organization")
    session[SESSION_ORGANIZATION_KEY] = actor.organization.slug
    return actor.organization
