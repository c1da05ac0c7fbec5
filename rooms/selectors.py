"""Reads of room configuration, scoped to a tenant."""

# A submodule (agents.selectors, never a top-level "selectors") cannot shadow the stdlib module, and
# the name is the contract other apps import; strict A005 checking flags it anyway.
# ruff: noqa: A005

from __future__ import annotations

from django.db.models import QuerySet

from agents.models import Agent
from rooms.models import RoomConfig
from tenancy.access import Actor, get_scoped, scoped
from tenancy.models import Organization


def room_configs_for_actor(actor: Actor) -> QuerySet[RoomConfig]:
    return scoped(RoomConfig.objects.all(), actor)


def get_room_config_for_actor(actor: Actor, slug_or_pk: int | str) -> RoomConfig:
    text = str(slug_or_pk)
    lookup: dict[str, object] = {"pk": int(text)} if text.isdigit() else {"slug": text}
    return get_scoped(room_configs_for_actor(actor), actor, **lookup)


def room_config_for_room(organization: Organization, room_name: str) -> RoomConfig | None:
    """The config a room named ``room_name`` is created from (its slug equals the name)."""
    return RoomConfig.objects.filter(organization=organization, slug=room_name).first()


def room_config_agents(room_config: RoomConfig) -> list[Agent]:
    links = room_config.room_config_agents.select_related("agent", "agent__prompt", "agent__credential")
    return [link.agent for link in links.order_by("position", "pk")]
