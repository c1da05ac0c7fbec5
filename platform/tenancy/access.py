"""Tenant access: the one place that decides what an actor may see.

Every lookup of a tenant-owned object goes through a ``get_<type>_for_actor`` helper built here.
"Does not exist" and "belongs to another organization" raise the same ``Http404`` so nothing
leaks about other tenants. An actor is a member (web session) or an API key (server to server).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from tenancy.models import WRITE_ROLES, ApiKey, Membership, Organization, Role

M = TypeVar("M", bound=models.Model)


class ReadOnlyAccess(Exception):
    """The actor may see the object but not change it (a member without a write role)."""


@dataclass(frozen=True)
class Actor:
    organization: Organization
    role: str
    user: AbstractBaseUser | None = None
    api_key: ApiKey | None = None

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def require_write(self) -> None:
        if not self.can_write:
            raise ReadOnlyAccess("Your role in this organization is read-only.")

    @property
    def identity(self) -> str:
        if self.user is not None:
            return str(self.user.get_username())
        assert self.api_key is not None
        return self.api_key.key_id


def actor_for_api_key(api_key: ApiKey) -> Actor:
    # An API key acts for its whole organization, as LiveKit keys act for a whole project.
    return Actor(organization=api_key.organization, role=Role.OWNER, api_key=api_key)


def memberships_for_user(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Membership]:
    """The user's memberships, oldest first; the first is where their work goes when they name none.

    Any organization admin can add an existing user, so ordering by anything the newcomer's
    organization controls (such as its slug) would let it become the user's default and collect
    their work and credentials. The oldest membership cannot be displaced by being added elsewhere,
    and the switcher lists organizations in the order the user joined them.
    """
    if not user.is_authenticated:
        return Membership.objects.none()
    memberships = Membership.objects.filter(user=user)  # type: ignore[misc]
    return memberships.select_related("organization").order_by("created", "pk")


def actor_for_user(user: AbstractBaseUser | AnonymousUser, organization_slug: str | None = None) -> Actor:
    """The user's actor in the named organization, else in their oldest one; 404 when none."""
    memberships = memberships_for_user(user)
    if organization_slug:
        memberships = memberships.filter(organization__slug=organization_slug)
    membership = memberships.first()
    if membership is None:
        raise Http404("No organization")
    return Actor(organization=membership.organization, role=membership.role, user=user)  # type: ignore[arg-type]


def scoped(queryset: models.QuerySet[M], actor: Actor) -> models.QuerySet[M]:
    return queryset.filter(organization=actor.organization)


def get_scoped(queryset: models.QuerySet[M], actor: Actor, **lookup: Any) -> M:
    obj = get_object_or_404(scoped(queryset, actor), **lookup)
    # Defence in depth: the filter above already did this.
    assert obj.organization_id == actor.organization.pk  # type: ignore[attr-defined]
    return obj


def get_organization_for_user(user: AbstractBaseUser | AnonymousUser, slug: str) -> Organization:
    return actor_for_user(user, slug).organization


def get_api_key_for_actor(actor: Actor, key_id: str) -> ApiKey:
    return get_scoped(ApiKey.objects.all(), actor, key_id=key_id)


def organizations_admin_for(user: AbstractBaseUser | AnonymousUser, *, write: bool = False) -> list[int]:
    """Organization ids whose objects ``user`` may see (or, with ``write``, change) in the admin."""
    qs = memberships_for_user(user)
    if write:
        qs = qs.filter(role__in=WRITE_ROLES)
    return list(qs.values_list("organization_id", flat=True))


__all__ = [
    "Actor",
    "Http404",
    "ReadOnlyAccess",
    "actor_for_api_key",
    "actor_for_user",
    "get_api_key_for_actor",
    "get_organization_for_user",
    "get_scoped",
    "memberships_for_user",
    "organizations_admin_for",
    "scoped",
]
